/* Internal: incremental decoding of a causal stack over token ids, for
 * nnl_model_generate() and for the tests that compare cached logits with a
 * full forward pass. */
#ifndef NNL_NN_GENERATE_H
#define NNL_NN_GENERATE_H

#include <stdint.h>

#include "nnlite/model.h"

typedef struct nnl_decoder nnl_decoder;

/* A decoder over `m` (borrowed: it must outlive the decoder and not change);
 * NNL_E_UNSUPPORTED when m is not a causal stack of (T,) ids -> (T, V). */
nnl_status nnl_decoder_create(nnl_decoder **out, const nnl_model *m, const char *who);
void nnl_decoder_free(nnl_decoder *d);

/* Forget every position (the caches are overwritten from position 0). */
void nnl_decoder_reset(nnl_decoder *d);

/* Positions fed so far, and the context length T. */
int64_t nnl_decoder_position(const nnl_decoder *d);

/* Feed tokens[0..n) at the next positions (position + n <= T); *logits (V)
 * are the last one's, borrowed until the next call. */
nnl_status nnl_decoder_feed(nnl_decoder *d, const int32_t *tokens, int64_t n, const float **logits);

#endif
