/* Internal: attention over every (batch, head) pair of a packed q | k | v
 * tensor, on the pool's threads; the attention layers' (layers/attention.c)
 * core, causal for the GPT and bidirectional for an encoder.
 *
 *   qkv   (B, T, 3C)  q | k | v, heads of hs = C / NH side by side
 *   keys  (B)         NULL: causal, query t sees keys 0..t. Otherwise
 *                     bidirectional: every query of sample b sees keys
 *                     0 .. keys[b] - 1, the positions before its padding
 *                     (whole numbers 1..T, stored as floats because the layer
 *                     keeps them in its float scratch for the backward)
 *   att   (B, T, C)   softmax(q k^T / sqrt(hs)) v over those keys, per head
 *   lse   (B, NH, T)  each query's log-sum-exp, saved for the backward
 *
 * The pairs are independent (each writes only its own head's columns), so
 * the result does not depend on the thread count. */
#ifndef NNL_NN_ATTENTION_HEADS_H
#define NNL_NN_ATTENTION_HEADS_H

#include <stdint.h>

#include "kernels/kernels.h"

void nnl_attention_heads_forward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                 const float *keys, const float *qkv, float *att, float *lse, int threads);

/* dqkv (B, T, 3C) from datt (B, T, C) and the forward's keys, qkv, att and
 * lse; the dk and dv of padded positions are 0. */
void nnl_attention_heads_backward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                  const float *keys, const float *qkv, const float *att, const float *lse,
                                  const float *datt, float *dqkv, int threads);

#endif
