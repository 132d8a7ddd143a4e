/* Internal: drawing the next token from a row of logits (temperature,
 * top-k, top-p), for nnl_model_generate(). */
#ifndef NNL_NN_SAMPLING_H
#define NNL_NN_SAMPLING_H

#include <stdint.h>

#include "core/rng.h"

typedef struct nnl_candidate {
    float value; /* logit, then probability */
    int32_t id;
} nnl_candidate;

/* A token id in [0, V): the argmax when temperature is 0, else a draw from
 * softmax(logits / temperature) restricted to the top_k most likely (0: all)
 * and then to the smallest prefix of probability >= top_p (1: all).
 * `scratch` holds V candidates. Ties break towards the smaller id, so the
 * same rng gives the same token on every machine. A NaN logit counts as
 * -inf; +inf logits share the draw equally among themselves. */
int32_t nnl_sample_token(const float *logits, int64_t V, float temperature, int64_t top_k, float top_p,
                         nnl_rng *rng, nnl_candidate *scratch);

#endif
