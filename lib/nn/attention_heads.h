/* Internal: causal attention over every (batch, head) pair of a packed
 * q | k | v tensor, on the pool's threads; shared by the standalone
 * attention layer (attention.c) and the GPT (gpt_forward.c, gpt_backward.c).
 *
 *   qkv  (B, T, 3C)  q | k | v, heads of hs = C / NH side by side
 *   att  (B, T, C)   causal softmax(q k^T / sqrt(hs)) v, per head
 *   lse  (B, NH, T)  each query's log-sum-exp, saved for the backward
 *
 * The pairs are independent (each writes only its own head's columns), so
 * the result does not depend on the thread count. */
#ifndef NNL_NN_ATTENTION_HEADS_H
#define NNL_NN_ATTENTION_HEADS_H

#include <stdint.h>

#include "kernels/kernels.h"

void nnl_attention_heads_forward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                 const float *qkv, float *att, float *lse, int threads);

/* dqkv (B, T, 3C) from datt (B, T, C) and the forward's qkv, att and lse. */
void nnl_attention_heads_backward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                  const float *qkv, const float *att, const float *lse, const float *datt,
                                  float *dqkv, int threads);

#endif
