/* LayerNorm, AVX2 + FMA: 8 columns per step, the tail through
 * maskload/maskstore. Same arithmetic as layernorm.c (two-pass
 * mean/variance); see there for the shapes and the backward formula. */
#include <immintrin.h>
#include <math.h>

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

void nnl_layernorm_forward_avx2(int64_t rows, int64_t cols, const float *x, const float *weight,
                                const float *bias, float eps, float *out, float *mean, float *rstd)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = out + r * cols;
        __m256 acc = _mm256_setzero_ps();
        for (int64_t c = 0; c < cols; c += 8)
            acc = _mm256_add_ps(acc, _mm256_maskload_ps(xr + c, tail_mask(cols - c)));
        float m = hsum(acc) / (float)cols;
        __m256 vm = _mm256_set1_ps(m);
        acc = _mm256_setzero_ps();
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, k), vm), _mm256_castsi256_ps(k));
            acc = _mm256_fmadd_ps(d, d, acc);
        }
        float s = 1.0f / sqrtf(hsum(acc) / (float)cols + eps);
        __m256 vs = _mm256_set1_ps(s);
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, k), vm), vs);
            __m256 y = _mm256_fmadd_ps(xhat, _mm256_maskload_ps(weight + c, k), _mm256_maskload_ps(bias + c, k));
            _mm256_maskstore_ps(yr + c, k, y);
        }
        if (mean)
            mean[r] = m;
        if (rstd)
            rstd[r] = s;
    }
}

void nnl_layernorm_backward_avx2(int64_t rows, int64_t cols, const float *dout, const float *x,
                                 const float *weight, const float *mean, const float *rstd,
                                 float *dx, float *dweight, float *dbias)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *dyr = dout + r * cols;
        const float *xr = x + r * cols;
        float *dxr = dx + r * cols;
        __m256 vm = _mm256_set1_ps(mean[r]);
        __m256 vs = _mm256_set1_ps(rstd[r]);
        __m256 g_acc = _mm256_setzero_ps(), gx_acc = _mm256_setzero_ps();
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            /* Masked-off lanes load 0 for dy, so g and g * xhat are 0 there. */
            __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, k), vm), vs);
            __m256 g = _mm256_mul_ps(_mm256_maskload_ps(dyr + c, k), _mm256_maskload_ps(weight + c, k));
            g_acc = _mm256_add_ps(g_acc, g);
            gx_acc = _mm256_fmadd_ps(g, xhat, gx_acc);
        }
        __m256 g_mean = _mm256_set1_ps(hsum(g_acc) / (float)cols);
        __m256 gx_mean = _mm256_set1_ps(hsum(gx_acc) / (float)cols);
        for (int64_t c = 0; c < cols; c += 8) {
            __m256i k = tail_mask(cols - c);
            __m256 dy = _mm256_maskload_ps(dyr + c, k);
            __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + c, k), vm), vs);
            __m256 g = _mm256_mul_ps(dy, _mm256_maskload_ps(weight + c, k));
            _mm256_maskstore_ps(dbias + c, k, _mm256_add_ps(_mm256_maskload_ps(dbias + c, k), dy));
            _mm256_maskstore_ps(dweight + c, k, _mm256_fmadd_ps(xhat, dy, _mm256_maskload_ps(dweight + c, k)));
            __m256 t = _mm256_fnmadd_ps(xhat, gx_mean, _mm256_sub_ps(g, g_mean));
            _mm256_maskstore_ps(dxr + c, k, _mm256_fmadd_ps(vs, t, _mm256_maskload_ps(dxr + c, k)));
        }
    }
}
