/* Causal attention of one head, AVX-512: the tiled online-softmax algorithm
 * of attention_tiled.h with 16-lane vector helpers (tails by lane masks). */
#include <immintrin.h>

#include "kernels/isa.h"
#include "kernels/vec_exp.h"

static inline __mmask16 tail_mask(int64_t left) { return left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1u); }

static inline float vdot(const float *a, const float *b, int64_t n)
{
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    for (; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), acc0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

static inline void vaxpy(float *y, float alpha, const float *x, int64_t n)
{
    __m512 va = _mm512_set1_ps(alpha);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(k, x + i),
                                                        _mm512_maskz_loadu_ps(k, y + i)));
    }
}

static inline void vscale(float *y, float alpha, int64_t n)
{
    __m512 va = _mm512_set1_ps(alpha);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, k, _mm512_mul_ps(va, _mm512_maskz_loadu_ps(k, y + i)));
    }
}

static inline void vzero(float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i += 16)
        _mm512_mask_storeu_ps(y + i, tail_mask(n - i), _mm512_setzero_ps());
}

/* n <= ATTN_TILE == 16: one masked vector. */
static inline float vexp_tile(float *s, int64_t n, float sub)
{
    __mmask16 k = tail_mask(n);
    __m512 e = nnl_exp512_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, s), _mm512_set1_ps(sub)));
    e = _mm512_maskz_mov_ps(k, e);
    _mm512_mask_storeu_ps(s, k, e);
    return _mm512_reduce_add_ps(e);
}

#include "kernels/attention_tiled.h"

void nnl_attention_forward_avx512(const nnl_attn_shape *s, const float *q, const float *k,
                                  const float *v, float *out, float *lse)
{
    attention_forward_tiled(s, q, k, v, out, lse);
}

void nnl_attention_backward_avx512(const nnl_attn_shape *s, const float *q, const float *k,
                                   const float *v, const float *out, const float *lse,
                                   const float *dout, float *dq, float *dk, float *dv)
{
    attention_backward_tiled(s, q, k, v, out, lse, dout, dq, dk, dv);
}
