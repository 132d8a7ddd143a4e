/* Draws the prediction grid with cairo: each cell is the image scaled 3x
 * (pixels kept square, no smoothing), then its caption in real text. */
#include "prediction_grid.h"

#include <stdio.h>
#include <stdlib.h>

#include "picture.h"

enum { SCALE = 3, PAD = 8, CAPTION_H = 24, FONT_PX = 16 };

/* The image as a cairo surface, dark on light (value 1 -> black). */
static cairo_surface_t *image_surface(const float *image, int h, int w)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = image[y * w + x];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            uint32_t g = (uint32_t)(255.0f * (1.0f - v) + 0.5f);
            ((uint32_t *)(data + (size_t)y * stride))[x] = g << 16 | g << 8 | g;
        }
    cairo_surface_mark_dirty(s);
    return s;
}

/* One image at (x0, y0), framed red when wrong. */
static void draw_image(cairo_t *cr, double x0, double y0, const float *image, int h, int w, int wrong)
{
    cairo_surface_t *s = image_surface(image, h, w);
    cairo_save(cr);
    cairo_translate(cr, x0, y0);
    cairo_scale(cr, SCALE, SCALE);
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(s);
    if (wrong) {
        cairo_set_source_rgb(cr, 0.86, 0.12, 0.12);
        cairo_set_line_width(cr, 3);
        cairo_rectangle(cr, x0 - 1.5, y0 - 1.5, w * SCALE + 3, h * SCALE + 3);
        cairo_stroke(cr);
    }
}

int prediction_grid_write_captions(const char *path, const float *images, int count, int height, int width,
                                   int columns, const char *const *captions, const int *wrong)
{
    int rows = (count + columns - 1) / columns;
    int cell_w = width * SCALE + 2 * PAD, cell_h = height * SCALE + CAPTION_H + 2 * PAD;
    cairo_t *cr = picture_create(columns * cell_w, rows * cell_h);
    if (!cr)
        return -1;
    picture_font(cr, FONT_PX, 1);
    for (int i = 0; i < count; i++) {
        double x0 = (i % columns) * cell_w + PAD, y0 = (i / columns) * cell_h + PAD;
        int is_wrong = wrong && wrong[i];
        draw_image(cr, x0, y0, images + (size_t)i * height * width, height, width, is_wrong);
        if (is_wrong)
            cairo_set_source_rgb(cr, 0.86, 0.12, 0.12);
        else
            cairo_set_source_rgb(cr, 0.08, 0.08, 0.08);
        picture_text(cr, x0 + width * SCALE / 2.0, y0 + height * SCALE + 4, captions[i], 0.5, 0);
    }
    return picture_finish(cr, path);
}

/* Captions "7", or "7(1)" with the true label when wrong. */
int prediction_grid_write(const char *path, const float *images, int count, int height, int width, int columns,
                          const int32_t *predicted, const int32_t *truth)
{
    char(*text)[32] = malloc((size_t)count * sizeof *text);
    const char **captions = malloc((size_t)count * sizeof *captions);
    int *wrong = malloc((size_t)count * sizeof *wrong);
    int result = -1;
    if (text && captions && wrong) {
        for (int i = 0; i < count; i++) {
            wrong[i] = truth && truth[i] != predicted[i];
            if (wrong[i])
                snprintf(text[i], sizeof text[i], "%d(%d)", predicted[i], truth[i]);
            else
                snprintf(text[i], sizeof text[i], "%d", predicted[i]);
            captions[i] = text[i];
        }
        result = prediction_grid_write_captions(path, images, count, height, width, columns, captions, wrong);
    }
    free(text);
    free(captions);
    free(wrong);
    return result;
}
