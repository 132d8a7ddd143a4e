/* Causal attention of one head, AVX2 + FMA: the tiled online-softmax
 * algorithm of attention_tiled.h with 8-lane vector helpers (tails by
 * maskload/maskstore). */
#include <immintrin.h>

#include "kernels/isa.h"
#include "kernels/vec_exp.h"

/* Lanes [0, left) set, for left in [0, 8]; full when left >= 8. */
static inline __m256i tail_mask(int64_t left)
{
    static const int32_t ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    int64_t n = left >= 8 ? 8 : left;
    return _mm256_loadu_si256((const __m256i *)(ones_then_zeros + 8 - n));
}

static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float vdot(const float *a, const float *b, int64_t n)
{
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i < n; i += 8) {
        __m256i k = tail_mask(n - i);
        acc0 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, k), _mm256_maskload_ps(b + i, k), acc0);
    }
    return hsum(_mm256_add_ps(acc0, acc1));
}

static inline void vaxpy(float *y, float alpha, const float *x, int64_t n)
{
    __m256 va = _mm256_set1_ps(alpha);
    for (int64_t i = 0; i < n; i += 8) {
        __m256i k = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, k, _mm256_fmadd_ps(va, _mm256_maskload_ps(x + i, k),
                                                      _mm256_maskload_ps(y + i, k)));
    }
}

static inline void vscale(float *y, float alpha, int64_t n)
{
    __m256 va = _mm256_set1_ps(alpha);
    for (int64_t i = 0; i < n; i += 8) {
        __m256i k = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, k, _mm256_mul_ps(va, _mm256_maskload_ps(y + i, k)));
    }
}

static inline void vzero(float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i += 8)
        _mm256_maskstore_ps(y + i, tail_mask(n - i), _mm256_setzero_ps());
}

/* n <= ATTN_TILE == 16: two masked vectors. */
static inline float vexp_tile(float *s, int64_t n, float sub)
{
    __m256 vsub = _mm256_set1_ps(sub);
    __m256 sum = _mm256_setzero_ps();
    for (int64_t i = 0; i < n; i += 8) {
        __m256i k = tail_mask(n - i);
        __m256 e = nnl_exp256_ps(_mm256_sub_ps(_mm256_maskload_ps(s + i, k), vsub));
        e = _mm256_and_ps(e, _mm256_castsi256_ps(k));
        _mm256_maskstore_ps(s + i, k, e);
        sum = _mm256_add_ps(sum, e);
    }
    return hsum(sum);
}

#include "kernels/attention_tiled.h"

void nnl_attention_forward_avx2(const nnl_attn_shape *s, const float *q, const float *k,
                                const float *v, float *out, float *lse)
{
    attention_forward_tiled(s, q, k, v, out, lse);
}

void nnl_attention_backward_avx2(const nnl_attn_shape *s, const float *q, const float *k,
                                 const float *v, const float *out, const float *lse,
                                 const float *dout, float *dq, float *dk, float *dv)
{
    attention_backward_tiled(s, q, k, v, out, lse, dout, dq, dk, dv);
}
