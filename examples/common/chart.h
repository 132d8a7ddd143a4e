/* Line charts as PNG pictures, drawn with cairo: panels side by side under
 * a title, each with axes, ticks, grid, axis labels and a legend.
 *
 *   double x[3] = {1, 2, 3}, y[3] = {0.9, 0.5, 0.4};
 *   const chart_series loss = {"training", x, y, 3, 0, 2.0, 0, 1.0};
 *   const chart_panel panel = {"Loss", "step", "loss (nats)", &loss, 1, 1.0, 1};
 *   chart_write_png("loss.png", "my run", &panel, 1);
 */
#ifndef NNL_EXAMPLES_CHART_H
#define NNL_EXAMPLES_CHART_H

/* One line of a panel. */
typedef struct chart_series {
    const char *label;   /* in the legend */
    const double *x, *y; /* `count` points in order of x; a NaN y leaves a gap */
    int count;
    int colour;          /* index in the chart's palette (tab10: blue, orange, green, red, ...) */
    double width;        /* line width in pixels */
    int markers;         /* 1: a dot on each point (for few points, e.g. one per epoch) */
    double opacity;      /* 1 opaque; less for a faint raw series under its mean */
} chart_series;

/* One chart: its series drawn over the range of all their finite points. */
typedef struct chart_panel {
    const char *title, *x_label, *y_label;
    const chart_series *series;
    int series_count;
    double y_scale;      /* y values are drawn multiplied by this (100 for percent) */
    int x_whole;         /* 1: x counts something (steps): ticks on whole numbers only */
} chart_panel;

/* Write `panels` side by side (640 x 440 pixels each) under `title` as an
 * RGB PNG file. Returns 0, or -1 when cairo cannot create or write it. */
int chart_write_png(const char *path, const char *title, const chart_panel *panels, int panel_count);

#endif
