/* Attention of one head (causal or bidirectional), SIMD body shared by attention_avx2.c and
 * attention_avx512.c (include vec_<isa>.h first): FlashAttention's tiled,
 * online-softmax algorithm, one query row at a time. Shapes and formulas as
 * in the oracle attention.c:
 *
 *   q   (tq, hs) row stride ld_q       query i sits at position tk - tq + i
 *   k,v (tk, hs) row stride ld_kv      and sees keys 0 .. tk - tq + i (causal)
 *                                      or 0 .. tk - 1 (bidirectional)
 *   out (tq, hs) row stride ld_out
 *   lse (tq)     log sum_j exp(scale * q_i . k_j), kept for the backward
 *
 * Scores live in a tile of ATTN_TILE floats on the stack, so memory stays
 * constant whatever the context length: a query row keeps a running maximum
 * m and sum l, and rescales its output accumulator when m grows. */
#include <math.h>

#include "kernels/isa.h"

/* ---- vector helpers over one row of hs floats. Every step goes through
 * a lane mask (full except at the tail), so any head size works. */

/* a . b; two accumulators over 2 VL floats hide the FMA latency. */
NNL_INLINE float vdot(const float *a, const float *b, int64_t n)
{
    vf acc0 = vf_zero(), acc1 = vf_zero();
    int64_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        acc0 = vf_fmadd(vf_load(a + i), vf_load(b + i), acc0);
        acc1 = vf_fmadd(vf_load(a + i + VL), vf_load(b + i + VL), acc1);
    }
    for (; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        acc0 = vf_fmadd(vf_load_mask(a + i, k), vf_load_mask(b + i, k), acc0);
    }
    return vf_hsum(vf_add(acc0, acc1));
}

/* y += alpha x */
NNL_INLINE void vaxpy(float *y, float alpha, const float *x, int64_t n)
{
    vf va = vf_set1(alpha);
    for (int64_t i = 0; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        vf_store_mask(y + i, k, vf_fmadd(va, vf_load_mask(x + i, k), vf_load_mask(y + i, k)));
    }
}

/* y *= alpha */
NNL_INLINE void vscale(float *y, float alpha, int64_t n)
{
    vf va = vf_set1(alpha);
    for (int64_t i = 0; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        vf_store_mask(y + i, k, vf_mul(va, vf_load_mask(y + i, k)));
    }
}

NNL_INLINE void vzero(float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i += VL)
        vf_store_mask(y + i, vmask_first(n - i), vf_zero());
}

/* s[j] = exp(s[j] - sub) for j < n <= ATTN_TILE; returns their sum (lanes
 * past n are kept out of it). */
NNL_INLINE float vexp_tile(float *s, int64_t n, float sub)
{
    vf vsub = vf_set1(sub), sum = vf_zero();
    for (int64_t i = 0; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        vf e = vf_keep(k, vf_exp(vf_sub(vf_load_mask(s + i, k), vsub)));
        vf_store_mask(s + i, k, e);
        sum = vf_add(sum, e);
    }
    return vf_hsum(sum);
}

/* ---- the algorithm */

enum { ATTN_TILE = 16 };

void SIMD_FN(attention_forward)(const nnl_attn_shape *s, const float *q, const float *k, const float *v,
                                float *out, float *lse)
{
    const int64_t hs = s->head_size;
    float scores[ATTN_TILE];
    for (int64_t i = 0; i < s->tq; i++) {
        const float *qi = q + i * s->ld_q;
        float *oi = out + i * s->ld_out;
        int64_t keys = s->bidirectional ? s->tk : s->tk - s->tq + i + 1;
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

void SIMD_FN(attention_backward)(const nnl_attn_shape *s, const float *q, const float *k, const float *v,
                                 const float *out, const float *lse, const float *dout, float *dq,
                                 float *dk, float *dv)
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
        int64_t keys = s->bidirectional ? s->tk : s->tk - s->tq + i + 1;
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
