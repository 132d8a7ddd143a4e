/* Matrix-vector product, AVX2 + FMA: four rows at a time share each load of
 * x (shapes in matvec.c); the column tail goes through maskload. */
#include <immintrin.h>

#include "kernels/isa.h"

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

void nnl_matvec_avx2(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias, float *y)
{
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            __m256 xv = _mm256_maskload_ps(x + c, k);
            a0 = _mm256_fmadd_ps(_mm256_maskload_ps(w0 + c, k), xv, a0);
            a1 = _mm256_fmadd_ps(_mm256_maskload_ps(w1 + c, k), xv, a1);
            a2 = _mm256_fmadd_ps(_mm256_maskload_ps(w2 + c, k), xv, a2);
            a3 = _mm256_fmadd_ps(_mm256_maskload_ps(w3 + c, k), xv, a3);
        }
        float s[4] = {hsum(a0), hsum(a1), hsum(a2), hsum(a3)};
        for (int i = 0; i < 4; i++)
            y[r + i] = bias ? s[i] + bias[r + i] : s[i];
    }
    for (; r < rows; r++) {
        const float *wr = w + r * cols;
        __m256 a = _mm256_setzero_ps();
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            a = _mm256_fmadd_ps(_mm256_maskload_ps(wr + c, k), _mm256_maskload_ps(x + c, k), a);
        }
        float s = hsum(a);
        y[r] = bias ? s + bias[r] : s;
    }
}
