/* The digit recognizer's window: a canvas to draw on, the recognised digit
 * shown large ("not sure" when the drawing looks unlike a digit), ten
 * probability bars, a "Show saliency" toggle that colours the drawing by
 * the saliency of the prediction, Clear and Open model buttons.
 *
 * Standard output gets one line per event, for scripts and tests:
 *   ready canvas=X,Y,W,H clear=X,Y,W,H saliency=X,Y,W,H
 *                                        once laid out (surface coordinates)
 *   model=PATH                           a model was loaded
 *   prediction=N p=0.xx                  each prediction, or
 *   prediction=not sure (REASON) p=0.xx  when the input check flags the drawing
 *   saliency=on, saliency=off            the "Show saliency" toggle changed
 *   cleared                              the canvas was cleared */
#ifndef NNL_DESKTOP_RECOGNIZER_WINDOW_H
#define NNL_DESKTOP_RECOGNIZER_WINDOW_H

#include <gtk/gtk.h>

/* A new window of app, loading the model at model_path (on failure the
 * window says why and another model can be opened from it). */
GtkWidget *recognizer_window_new(GtkApplication *app, const char *model_path);

#endif
