/* Attention heat maps (attention_picture.h): a grid of panels, a layer per
 * row and a head per column, each a heat map (heatmap.h) of query rows by
 * key columns on a fixed 0..1 scale, so that panels compare: a weight is
 * the share of its query's attention. */
#include "attention_picture.h"

#include <stdio.h>

#include "heatmap.h"
#include "picture.h"

enum {
    GAP = 18, HEADER = 40,      /* between panels; above them, the title */
    EXTRA_W = 110, EXTRA_H = 56, /* room beside a panel's cells: labels, colour bar, panel title */
    MIN_WIDTH = 640             /* the title's width, for a picture of few tokens */
};

/* Cells of 6 to 16 pixels, about 480 pixels of them per panel. */
static int cell_size(int n)
{
    int cell = 480 / n;
    return cell < 6 ? 6 : cell > 16 ? 16 : cell;
}

int attention_picture_write(const char *path, const float *weights, int layers, int heads, int n,
                            const char *const *labels)
{
    const int grid = cell_size(n) * n, panel_w = grid + EXTRA_W, panel_h = grid + EXTRA_H;
    const int width = GAP + heads * (panel_w + GAP);
    cairo_t *cr = picture_create(width > MIN_WIDTH ? width : MIN_WIDTH, HEADER + layers * (panel_h + GAP));
    if (!cr)
        return -1;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    picture_font(cr, 16, 1);
    char title[96];
    snprintf(title, sizeof title, "Attention weights over %d tokens (rows: queries, columns: keys)", n);
    picture_text(cr, GAP, HEADER / 2.0, title, 0.0, 0.5);
    const int labelled = cell_size(n) >= 9; /* smaller cells: labels would overlap */
    for (int l = 0; l < layers; l++)
        for (int h = 0; h < heads; h++) {
            char name[48];
            snprintf(name, sizeof name, "layer %d, head %d", l + 1, h + 1);
            const heatmap map = {weights + ((size_t)l * heads + h) * n * n, n, n, 0.0f, 1.0f, NULL, 0, name,
                                 "weight", labelled ? labels : NULL, labelled ? labels : NULL};
            heatmap_draw(cr, &map, GAP + h * (panel_w + GAP), HEADER + l * (panel_h + GAP), panel_w, panel_h);
        }
    return picture_finish(cr, path);
}
