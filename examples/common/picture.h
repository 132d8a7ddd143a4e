/* What the examples' cairo pictures share: a white canvas, the font, text
 * placed by an anchor point, the palette, and writing the PNG file. */
#ifndef NNL_EXAMPLES_PICTURE_H
#define NNL_EXAMPLES_PICTURE_H

#include <cairo.h>

/* A white RGB canvas of width x height pixels and its drawing context;
 * NULL (and nothing to free) when cairo cannot allocate it. */
cairo_t *picture_create(int width, int height);

/* Write the canvas of `cr` to `path` as PNG and free both. Returns 0, or
 * -1 when drawing or writing failed (errno tells why for a write). */
int picture_finish(cairo_t *cr, const char *path);

/* Sans-serif (DejaVu Sans on Debian, Chinese from a font that has it) of
 * `size` pixels, bold or not, for picture_text on this context. */
void picture_font(cairo_t *cr, double size, int bold);

/* Draw UTF-8 `text` in the context's picture_font (12 pixels until one is
 * set) so that the point (x, y) is at the fraction (ax, ay) of its box:
 * (0, 0) top left, (0.5, 0.5) centre, (1, 1) bottom right. Returns the
 * text's width in pixels. */
double picture_text(cairo_t *cr, double x, double y, const char *text, double ax, double ay);

/* The same, turned 90 degrees anticlockwise (a y axis label), centred on (x, y). */
void picture_text_vertical(cairo_t *cr, double x, double y, const char *text);

/* Colour `index` (any int) of the tab10 palette. */
void picture_palette(cairo_t *cr, int index, double opacity);

#endif
