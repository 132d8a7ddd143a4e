/* Heat maps with cairo (heatmap.h): colour map, cells, labels, colour bar. */
#include "heatmap.h"

#include <math.h>
#include <stdio.h>

#include "picture.h"

/* inferno (matplotlib, Smith and van der Walt) at 0, 1/8, ..., 1; linear in
 * between, which keeps its even lightness steps to the eye. */
static const double inferno[9][3] = {
    {0, 0, 4},       {27, 12, 65},   {74, 12, 107},  {120, 28, 109}, {165, 44, 96},
    {207, 68, 70},   {237, 105, 37}, {251, 155, 6},  {252, 255, 164}};

enum { TITLE_HEIGHT = 22, LABEL_ROOM = 28, BAR_WIDTH = 14, BAR_ROOM = 64 };

void heatmap_colour(double t, double rgb[3])
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double at = t * 8;
    int i = at >= 8 ? 7 : (int)at;
    double f = at - i;
    for (int k = 0; k < 3; k++)
        rgb[k] = ((1 - f) * inferno[i][k] + f * inferno[i + 1][k]) / 255.0;
}

/* The scale: the map's own range unless it sets one. */
static void scale_of(const heatmap *m, double *low, double *high)
{
    *low = m->low;
    *high = m->high;
    if (m->low != m->high)
        return;
    *low = INFINITY;
    *high = -INFINITY;
    for (int i = 0; i < m->rows * m->cols; i++) {
        *low = fmin(*low, m->values[i]);
        *high = fmax(*high, m->values[i]);
    }
    if (!(*high > *low))
        *high = *low + 1; /* a constant map: one colour */
}

static double place(double v, double low, double high)
{
    double t = (v - low) / (high - low);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

void heatmap_draw_cells(cairo_t *cr, const heatmap *m, double x, double y, double width, double height,
                        double alpha)
{
    double low, high, cw = width / m->cols, ch = height / m->rows;
    scale_of(m, &low, &high);
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->cols; c++) {
            double t = place(m->values[r * m->cols + c], low, high), rgb[3];
            heatmap_colour(t, rgb);
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], alpha * t);
            /* a hair of overlap so that no seam shows between cells */
            cairo_rectangle(cr, x + c * cw, y + r * ch, cw + 0.5, ch + 0.5);
            cairo_fill(cr);
        }
}

/* Each cell: grey (an image), its colour, or its colour over the grey. */
static void draw_grid(cairo_t *cr, const heatmap *m, double x, double y, double cell, double low, double high)
{
    for (int r = 0; r < m->rows; r++)
        for (int c = 0; c < m->cols; c++) {
            int i = r * m->cols + c;
            double t = place(m->values[i], low, high), rgb[3];
            if (m->grey || m->under) {
                double g = m->grey ? t : m->under[i];
                cairo_set_source_rgb(cr, g, g, g);
                cairo_rectangle(cr, x + c * cell, y + r * cell, cell + 0.5, cell + 0.5);
                cairo_fill(cr);
            }
            if (m->grey)
                continue;
            heatmap_colour(t, rgb);
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], m->under ? 0.25 + 0.75 * t : 1.0);
            cairo_rectangle(cr, x + c * cell, y + r * cell, cell + 0.5, cell + 0.5);
            cairo_fill(cr);
        }
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x - 0.5, y - 0.5, m->cols * cell + 1, m->rows * cell + 1);
    cairo_stroke(cr);
}

static void draw_labels(cairo_t *cr, const heatmap *m, double x, double y, double cell)
{
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    picture_font(cr, fmin(11, cell * 0.9), 0);
    for (int r = 0; m->row_labels && r < m->rows; r++)
        picture_text(cr, x - 4, y + (r + 0.5) * cell, m->row_labels[r], 1.0, 0.5);
    for (int c = 0; m->col_labels && c < m->cols; c++)
        picture_text(cr, x + (c + 0.5) * cell, y + m->rows * cell + 3, m->col_labels[c], 0.5, 0.0);
}

/* The colour bar, low at the bottom, with the ends and middle written. */
static void draw_bar(cairo_t *cr, const heatmap *m, double x, double y, double height, double low, double high)
{
    for (int i = 0; i < (int)height; i++) {
        double rgb[3];
        heatmap_colour(1.0 - (i + 0.5) / height, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, x, y + i, BAR_WIDTH, 1.5);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    picture_font(cr, 10, 0);
    for (int k = 0; k <= 2; k++) {
        char text[32];
        snprintf(text, sizeof text, "%.3g", high - k * (high - low) / 2);
        picture_text(cr, x + BAR_WIDTH + 3, y + k * height / 2, text, 0.0, 0.5);
    }
    if (m->scale_label)
        picture_text_vertical(cr, x + BAR_WIDTH + 44, y + height / 2, m->scale_label);
}

void heatmap_draw(cairo_t *cr, const heatmap *m, double x, double y, double width, double height)
{
    double low, high;
    scale_of(m, &low, &high);
    double left = m->row_labels ? LABEL_ROOM : 0, bottom = m->col_labels ? 16 : 0;
    double right = m->grey ? 0 : BAR_ROOM, top = m->title ? TITLE_HEIGHT : 0;
    double cell = fmin((width - left - right) / m->cols, (height - top - bottom) / m->rows);
    if (m->title) {
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        picture_font(cr, 13, 0);
        picture_text(cr, x + left + m->cols * cell / 2, y + TITLE_HEIGHT / 2.0, m->title, 0.5, 0.5);
    }
    draw_grid(cr, m, x + left, y + top, cell, low, high);
    draw_labels(cr, m, x + left, y + top, cell);
    if (!m->grey)
        draw_bar(cr, m, x + left + m->cols * cell + 8, y + top, m->rows * cell, low, high);
}

/* The room heatmap_draw needs for a grid whose longer side is `size` pixels. */
static void panel_extent(const heatmap *m, int size, double *width, double *height)
{
    double cell = (double)size / (m->rows > m->cols ? m->rows : m->cols);
    *width = (m->row_labels ? LABEL_ROOM : 0) + m->cols * cell + (m->grey ? 0 : BAR_ROOM);
    *height = (m->title ? TITLE_HEIGHT : 0) + m->rows * cell + (m->col_labels ? 16 : 0);
}

int heatmap_write_png(const char *path, const heatmap *panels, int count, int panel_size)
{
    const int gap = 16;
    double width = gap, height = 0;
    for (int i = 0; i < count; i++) {
        double w, h;
        panel_extent(&panels[i], panel_size, &w, &h);
        width += w + gap;
        height = fmax(height, h);
    }
    cairo_t *cr = picture_create((int)ceil(width), (int)ceil(height) + 2 * gap);
    if (!cr)
        return -1;
    double x = gap;
    for (int i = 0; i < count; i++) {
        double w, h;
        panel_extent(&panels[i], panel_size, &w, &h);
        heatmap_draw(cr, &panels[i], x, gap, w, h);
        x += w + gap;
    }
    return picture_finish(cr, path);
}
