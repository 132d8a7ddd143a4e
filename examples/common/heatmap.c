/* Heat maps with cairo (heatmap.h): colour map, cells, labels, colour bar. */
#include "heatmap.h"

#include <math.h>
#include <stdio.h>

#include <pango/pangocairo.h>

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

/* Text of `size` pixels with its baseline at y, its left edge, middle or
 * right edge (align 0, 0.5, 1) at x. Pango picks a font per character, so
 * labels in any script (a Chinese GPT's tokens) are drawn. */
static void text_at(cairo_t *cr, const char *s, double size, double x, double y, double align)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string("sans-serif");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_text(layout, s, -1);
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(layout, &ink, &logical);
    cairo_move_to(cr, x - align * logical.width, y - pango_layout_get_baseline(layout) / (double)PANGO_SCALE);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(font);
    g_object_unref(layout);
}

static void draw_labels(cairo_t *cr, const heatmap *m, double x, double y, double cell)
{
    const double size = fmin(11, cell * 0.9);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    for (int r = 0; m->row_labels && r < m->rows; r++)
        text_at(cr, m->row_labels[r], size, x - 4, y + (r + 0.5) * cell + 0.35 * size, 1.0);
    for (int c = 0; m->col_labels && c < m->cols; c++)
        text_at(cr, m->col_labels[c], size, x + (c + 0.5) * cell, y + m->rows * cell + 4 + size, 0.5);
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
    for (int k = 0; k <= 2; k++) {
        char text[32];
        snprintf(text, sizeof text, "%.3g", high - k * (high - low) / 2);
        text_at(cr, text, 10, x + BAR_WIDTH + 3, y + k * height / 2 + 4, 0.0);
    }
    if (m->scale_label) {
        cairo_save(cr);
        cairo_translate(cr, x + BAR_WIDTH + 44, y + height / 2);
        cairo_rotate(cr, -M_PI / 2);
        text_at(cr, m->scale_label, 10, 0, 0, 0.5);
        cairo_restore(cr);
    }
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
        text_at(cr, m->title, 13, x + left + m->cols * cell / 2, y + 15, 0.5);
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
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(width),
                                                          (int)ceil(height) + 2 * gap);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double x = gap;
    for (int i = 0; i < count; i++) {
        double w, h;
        panel_extent(&panels[i], panel_size, &w, &h);
        heatmap_draw(cr, &panels[i], x, gap, w, h);
        x += w + gap;
    }
    cairo_destroy(cr);
    cairo_status_t status = cairo_surface_write_to_png(surface, path);
    cairo_surface_destroy(surface);
    return status == CAIRO_STATUS_SUCCESS ? 0 : -1;
}
