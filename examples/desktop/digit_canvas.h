/* A square canvas to draw a digit on with the mouse: black ink on white
 * with a thick round brush, in proportion to the canvas like a pen stroke
 * to an MNIST digit. */
#ifndef NNL_DESKTOP_DIGIT_CANVAS_H
#define NNL_DESKTOP_DIGIT_CANVAS_H

#include <gtk/gtk.h>

#include "common/digit_image.h"
#include "common/grey_image.h"

/* Called after every piece of stroke that lands on the canvas. */
typedef void (*digit_canvas_changed_fn)(void *user);

/* A new canvas of side x side pixels; changed(user) after each stroke piece. */
GtkWidget *digit_canvas_new(int side, digit_canvas_changed_fn changed, void *user);

/* Back to white. */
void digit_canvas_clear(GtkWidget *canvas);

/* Draw `map` (DIGIT_SIDE x DIGIT_SIDE values, e.g. a saliency map of the
 * model's input) over the drawing, its cells where `placement` says the
 * input's pixels came from; NULL map removes it. Copied. */
void digit_canvas_set_overlay(GtkWidget *canvas, const float *map, const digit_placement *placement);

/* How much of the canvas is inked, as DIGIT_SIDE x DIGIT_SIDE values in
 * [0, 1] (each the mean ink of its block of the canvas, ink = 1): the whole
 * canvas, not cropped to the drawing as the model's input is, so that the
 * input check can tell a dot or a canvas filled with strokes from a digit. */
void digit_canvas_ink_field(GtkWidget *canvas, float *field);

/* The drawing as greyscale (0 = black ink, 1 = white paper); allocated,
 * free with grey_image_free. Returns 0, or -1 when out of memory. */
int digit_canvas_to_grey(GtkWidget *canvas, grey_image *out);

#endif
