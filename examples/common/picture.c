/* The common ground of the cairo pictures (picture.h). */
#include "picture.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <fontconfig/fontconfig.h>

/* cairo keeps the fonts it opened (and fontconfig their patterns) until
 * the process ends; release them at exit so that memory checkers see a
 * program that frees what it allocates. Every picture is destroyed by then. */
static void release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

cairo_t *picture_create(int width, int height)
{
    static int registered;
    if (!registered)
        registered = atexit(release_fonts) == 0;
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surface);
    cairo_surface_destroy(surface); /* the context holds it */
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        return NULL;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    return cr;
}

int picture_finish(cairo_t *cr, const char *path)
{
    if (!cr)
        return -1;
    cairo_status_t status = cairo_status(cr);
    errno = 0;
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png(cairo_get_target(cr), path);
    cairo_destroy(cr);
    if (status != CAIRO_STATUS_SUCCESS && errno == 0) /* fopen's errno stays; say something otherwise */
        errno = status == CAIRO_STATUS_NO_MEMORY ? ENOMEM : EIO;
    return status == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

void picture_font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double picture_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_font_extents_t f;
    cairo_text_extents(cr, text, &e);
    cairo_font_extents(cr, &f);
    /* Vertical placement by the font's ascent and descent, not the glyphs':
     * labels "10" and "0.1" then share one baseline. */
    double height = f.ascent + f.descent;
    cairo_move_to(cr, x - ax * e.x_advance, y - ay * height + f.ascent);
    cairo_show_text(cr, text);
    return e.x_advance;
}

void picture_text_vertical(cairo_t *cr, double x, double y, const char *text)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -1.5707963267948966);
    picture_text(cr, 0, 0, text, 0.5, 0.5);
    cairo_restore(cr);
}

void picture_palette(cairo_t *cr, int index, double opacity)
{
    static const unsigned char tab10[10][3] = {
        {31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
    };
    const unsigned char *c = tab10[(unsigned)index % 10];
    cairo_set_source_rgba(cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, opacity);
}
