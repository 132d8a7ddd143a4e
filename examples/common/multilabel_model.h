/* The multi-label digits model, shared by examples/multilabel and
 * bench/multilabel so that the benchmark trains what users run:
 *   Conv2D(32, 3x3, relu) -> MaxPool 2 -> Conv2D(64, 3x3, relu) -> MaxPool 2
 *   -> Flatten -> Dense(128, relu) -> Dense(classes, sigmoid)
 * compiled with sigmoid binary cross-entropy (fused with the sigmoid, on its
 * logits) and Adam 1e-3. */
#ifndef NNL_EXAMPLES_MULTILABEL_MODEL_H
#define NNL_EXAMPLES_MULTILABEL_MODEL_H

#include "nnlite.h"

/* The model for images of rows x cols x 1 and `classes` outputs, its
 * weights drawn from `seed`. On failure *out is NULL and the status says why. */
nnl_status multilabel_model_build(nnl_model **out, int64_t rows, int64_t cols, int64_t classes, uint64_t seed);

#endif
