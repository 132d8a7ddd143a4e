/* Ten labelled bars showing a model's probability for each digit. */
#ifndef NNL_DESKTOP_PROBABILITY_BARS_H
#define NNL_DESKTOP_PROBABILITY_BARS_H

#include <gtk/gtk.h>

GtkWidget *probability_bars_new(void);

/* Shows 10 probabilities, or empties the bars when probabilities is NULL. */
void probability_bars_set(GtkWidget *bars, const float *probabilities);

#endif
