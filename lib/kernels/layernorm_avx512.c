/* LayerNorm, AVX-512: 16 columns per step, the tail through a lane mask.
 * Same arithmetic as layernorm.c (two-pass mean/variance); see there for the
 * shapes and the backward formula. */
#include <immintrin.h>
#include <math.h>

#include "kernels/isa.h"

static inline __mmask16 tail_mask(int64_t left) { return left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1u); }

void nnl_layernorm_forward_avx512(int64_t rows, int64_t cols, const float *x, const float *weight,
                                  const float *bias, float eps, float *out, float *mean,
                                  float *rstd)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = out + r * cols;
        __m512 acc = _mm512_setzero_ps();
        for (int64_t c = 0; c < cols; c += 16)
            acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(tail_mask(cols - c), xr + c));
        float m = _mm512_reduce_add_ps(acc) / (float)cols;
        __m512 vm = _mm512_set1_ps(m);
        acc = _mm512_setzero_ps();
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, xr + c), vm);
            acc = _mm512_fmadd_ps(d, d, acc);
        }
        float s = 1.0f / sqrtf(_mm512_reduce_add_ps(acc) / (float)cols + eps);
        __m512 vs = _mm512_set1_ps(s);
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            __m512 xhat = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, xr + c), vm), vs);
            __m512 y = _mm512_fmadd_ps(xhat, _mm512_maskz_loadu_ps(k, weight + c),
                                       _mm512_maskz_loadu_ps(k, bias + c));
            _mm512_mask_storeu_ps(yr + c, k, y);
        }
        if (mean)
            mean[r] = m;
        if (rstd)
            rstd[r] = s;
    }
}

void nnl_layernorm_backward_avx512(int64_t rows, int64_t cols, const float *dout, const float *x,
                                   const float *weight, const float *mean, const float *rstd,
                                   float *dx, float *dweight, float *dbias)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *dyr = dout + r * cols;
        const float *xr = x + r * cols;
        float *dxr = dx + r * cols;
        __m512 vm = _mm512_set1_ps(mean[r]);
        __m512 vs = _mm512_set1_ps(rstd[r]);
        __m512 g_acc = _mm512_setzero_ps(), gx_acc = _mm512_setzero_ps();
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            __m512 xhat = _mm512_maskz_mul_ps(k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, xr + c), vm), vs);
            __m512 g = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, dyr + c), _mm512_maskz_loadu_ps(k, weight + c));
            g_acc = _mm512_add_ps(g_acc, g);
            gx_acc = _mm512_fmadd_ps(g, xhat, gx_acc);
        }
        __m512 g_mean = _mm512_set1_ps(_mm512_reduce_add_ps(g_acc) / (float)cols);
        __m512 gx_mean = _mm512_set1_ps(_mm512_reduce_add_ps(gx_acc) / (float)cols);
        for (int64_t c = 0; c < cols; c += 16) {
            __mmask16 k = tail_mask(cols - c);
            __m512 dy = _mm512_maskz_loadu_ps(k, dyr + c);
            __m512 xhat = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, xr + c), vm), vs);
            __m512 g = _mm512_mul_ps(dy, _mm512_maskz_loadu_ps(k, weight + c));
            _mm512_mask_storeu_ps(dbias + c, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, dbias + c), dy));
            _mm512_mask_storeu_ps(dweight + c, k,
                                  _mm512_fmadd_ps(xhat, dy, _mm512_maskz_loadu_ps(k, dweight + c)));
            __m512 t = _mm512_fnmadd_ps(xhat, gx_mean, _mm512_sub_ps(g, g_mean));
            _mm512_mask_storeu_ps(dxr + c, k, _mm512_fmadd_ps(vs, t, _mm512_maskz_loadu_ps(k, dxr + c)));
        }
    }
}
