/* A 2-D grid of values drawn as a heat map with cairo: a perceptual colour
 * map (inferno: dark to bright, even steps of lightness, readable in grey
 * and by colour-blind readers), optionally over a grey image, with a colour
 * bar and optional row and column labels. Saliency and occlusion maps of
 * predict_digit and the desktop program use it; any rows x cols grid fits
 * (attention weights: query rows by key columns).
 *
 * The library never draws: this is examples code, linked with cairo (and
 * pango for the text, which finds a font for any script). */
#ifndef NNL_EXAMPLES_HEATMAP_H
#define NNL_EXAMPLES_HEATMAP_H

#include <cairo.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct heatmap {
    const float *values;            /* rows x cols, row after row */
    int rows, cols;
    float low, high;                /* the colour scale; low == high: the values' own range */
    const float *under;             /* rows x cols grey levels in [0, 1] (1 = white) drawn beneath, or NULL */
    int grey;                       /* draw the values themselves in grey (an image panel), no colour map */
    const char *title;              /* above the grid, or NULL */
    const char *scale_label;        /* beside the colour bar (units), or NULL; NULL bar too when grey */
    const char *const *row_labels;  /* rows labels left of the grid, or NULL */
    const char *const *col_labels;  /* cols labels under the grid, or NULL */
} heatmap;

/* The colour of t in [0, 1] on the inferno map, as r, g, b in [0, 1]. */
void heatmap_colour(double t, double rgb[3]);

/* Draw the map into the rectangle (x, y, width, height) of cr: title,
 * labels, square cells as large as fit, and (unless grey) a colour bar on
 * the right with the scale's ends and middle. Over `under`, a cell's colour
 * is laid on the grey with opacity growing with its value, so that the
 * image shows through where the map is low. */
void heatmap_draw(cairo_t *cr, const heatmap *map, double x, double y, double width, double height);

/* Only the cells, scaled to fill (x, y, width, height), each value's colour
 * with opacity alpha * its place on the scale: for laying a map over a
 * picture (the desktop program's canvas). */
void heatmap_draw_cells(cairo_t *cr, const heatmap *map, double x, double y, double width, double height,
                        double alpha);

/* Panels side by side, each grid panel_size pixels along its longer side
 * plus room for its title, labels and colour bar, on white, written as a
 * PNG. Returns 0, or -1
 * when cairo cannot write the file. */
int heatmap_write_png(const char *path, const heatmap *panels, int count, int panel_size);

#ifdef __cplusplus
}
#endif

#endif
