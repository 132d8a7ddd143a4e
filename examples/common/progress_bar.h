/* A Keras-like progress bar for nnl_model_fit:
 *   Epoch 1/5
 *   250/250 [==============================] - 1.2s - loss: 0.3021 - accuracy: 0.9104
 * (subset accuracy, micro-F1 and Hamming loss for a multi-label model).
 * Redrawn in place on a terminal; only the finished line otherwise. */
#ifndef NNL_EXAMPLES_PROGRESS_BAR_H
#define NNL_EXAMPLES_PROGRESS_BAR_H

#include "nnlite.h"

/* An nnl_progress_fn; `user` is ignored. */
int progress_bar_print(const nnl_progress *progress, void *user);

#endif
