/* The common ground of the cairo pictures (picture.h). */
#include "picture.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

/* pango and cairo keep the fonts they opened (and fontconfig their
 * patterns) until the process ends; release them at exit, in that order,
 * so that memory checkers see a program that frees what it allocates.
 * Every picture is destroyed by then. */
static void release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
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

/* The font of a context, kept with it (cairo user data) for picture_text. */
static const cairo_user_data_key_t font_key;

void picture_font(cairo_t *cr, double size, int bold)
{
    PangoFontDescription *font = pango_font_description_from_string("Sans");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    if (cairo_set_user_data(cr, &font_key, font, (cairo_destroy_func_t)pango_font_description_free) !=
        CAIRO_STATUS_SUCCESS)
        pango_font_description_free(font);
}

/* Pango lays the text out: a character the font lacks (Chinese in DejaVu
 * Sans) comes from another font that has it, which cairo's own text does
 * not do. */
double picture_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    const PangoFontDescription *font = cairo_get_user_data(cr, &font_key);
    if (!font)
        picture_font(cr, 12, 0);
    pango_layout_set_font_description(layout, cairo_get_user_data(cr, &font_key));
    pango_layout_set_text(layout, text, -1);
    /* Placed by the logical box (the font's ascent and descent, not the
     * glyphs'): labels "10" and "0.1" then share one baseline. */
    PangoRectangle box;
    pango_layout_get_extents(layout, NULL, &box);
    double width = (double)box.width / PANGO_SCALE, height = (double)box.height / PANGO_SCALE;
    cairo_move_to(cr, x - ax * width, y - ay * height);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    return width;
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
