/* Matrix-vector product, AVX-512: four rows at a time share each load of x
 * (shapes in matvec.c); the column tail goes through a lane mask. */
#include <immintrin.h>

#include "kernels/isa.h"

static inline __mmask16 tail_mask(int64_t left) { return left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1u); }

void nnl_matvec_avx512(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                       float *y)
{
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
        __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            __m512 xv = _mm512_maskz_loadu_ps(k, x + c);
            a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, w0 + c), xv, a0);
            a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, w1 + c), xv, a1);
            a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, w2 + c), xv, a2);
            a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, w3 + c), xv, a3);
        }
        float s[4] = {_mm512_reduce_add_ps(a0), _mm512_reduce_add_ps(a1), _mm512_reduce_add_ps(a2),
                      _mm512_reduce_add_ps(a3)};
        for (int i = 0; i < 4; i++)
            y[r + i] = bias ? s[i] + bias[r + i] : s[i];
    }
    for (; r < rows; r++) {
        const float *wr = w + r * cols;
        __m512 a = _mm512_setzero_ps();
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, wr + c), _mm512_maskz_loadu_ps(k, x + c), a);
        }
        float s = _mm512_reduce_add_ps(a);
        y[r] = bias ? s + bias[r] : s;
    }
}
