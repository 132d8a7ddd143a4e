/* Internal: the tiled, online-softmax attention used by the SIMD kernel
 * files (FlashAttention's algorithm on one head, one query row at a time).
 * Shapes and formulas as in attention.c.
 *
 * A file includes this after defining, for its instruction set:
 *   float vdot(const float *a, const float *b, int64_t n)
 *   void  vaxpy(float *y, float alpha, const float *x, int64_t n)   y += alpha x
 *   void  vscale(float *y, float alpha, int64_t n)                  y *= alpha
 *   void  vzero(float *y, int64_t n)
 *   float vexp_tile(float *s, int64_t n, float sub)  s[j] = exp(s[j] - sub), returns the sum
 * Scores live in a tile of ATTN_TILE floats on the stack, so memory stays
 * constant whatever the context length: a query row keeps a running maximum
 * m and sum l, and rescales its output accumulator when m grows. */
#ifndef NNL_KERNELS_ATTENTION_TILED_H
#define NNL_KERNELS_ATTENTION_TILED_H

#include <math.h>

#include "kernels/kernels.h"

enum { ATTN_TILE = 16 };

static void attention_forward_tiled(const nnl_attn_shape *s, const float *q, const float *k,
                                    const float *v, float *out, float *lse)
{
    const int64_t hs = s->head_size;
    float scores[ATTN_TILE];
    for (int64_t i = 0; i < s->tq; i++) {
        const float *qi = q + i * s->ld_q;
        float *oi = out + i * s->ld_out;
        int64_t keys = s->tk - s->tq + i + 1;
        float m = -INFINITY, l = 0.0f;
        vzero(oi, hs);
        for (int64_t j0 = 0; j0 < keys; j0 += ATTN_TILE) {
            int64_t nt = keys - j0 < ATTN_TILE ? keys - j0 : ATTN_TILE;
            float tile_max = -INFINITY;
            for (int64_t j = 0; j < nt; j++) {
                scores[j] = s->scale * vdot(qi, k + (j0 + j) * s->ld_kv, hs);
                tile_max = fmaxf(tile_max, scores[j]);
            }
            if (tile_max > m) {
                float correction = expf(m - tile_max); /* 0 on the first tile */
                vscale(oi, correction, hs);
                l *= correction;
                m = tile_max;
            }
            l += vexp_tile(scores, nt, m);
            for (int64_t j = 0; j < nt; j++)
                vaxpy(oi, scores[j], v + (j0 + j) * s->ld_kv, hs);
        }
        vscale(oi, 1.0f / l, hs);
        if (lse)
            lse[i] = m + logf(l);
    }
}

static void attention_backward_tiled(const nnl_attn_shape *s, const float *q, const float *k,
                                     const float *v, const float *out, const float *lse,
                                     const float *dout, float *dq, float *dk, float *dv)
{
    const int64_t hs = s->head_size;
    float p[ATTN_TILE];
    for (int64_t i = 0; i < s->tq; i++)
        vzero(dq + i * s->ld_q, hs);
    for (int64_t j = 0; j < s->tk; j++) {
        vzero(dk + j * s->ld_kv, hs);
        vzero(dv + j * s->ld_kv, hs);
    }
    for (int64_t i = 0; i < s->tq; i++) {
        const float *qi = q + i * s->ld_q;
        const float *doi = dout + i * s->ld_out;
        float *dqi = dq + i * s->ld_q;
        float big_d = vdot(doi, out + i * s->ld_out, hs);
        int64_t keys = s->tk - s->tq + i + 1;
        for (int64_t j0 = 0; j0 < keys; j0 += ATTN_TILE) {
            int64_t nt = keys - j0 < ATTN_TILE ? keys - j0 : ATTN_TILE;
            for (int64_t j = 0; j < nt; j++)
                p[j] = s->scale * vdot(qi, k + (j0 + j) * s->ld_kv, hs);
            vexp_tile(p, nt, lse[i]);
            for (int64_t j = 0; j < nt; j++) {
                const float *kj = k + (j0 + j) * s->ld_kv;
                const float *vj = v + (j0 + j) * s->ld_kv;
                float ds = p[j] * (vdot(doi, vj, hs) - big_d) * s->scale;
                vaxpy(dqi, ds, kj, hs);
                vaxpy(dk + (j0 + j) * s->ld_kv, ds, qi, hs);
                vaxpy(dv + (j0 + j) * s->ld_kv, p[j], doi, hs);
            }
        }
    }
}

#endif
