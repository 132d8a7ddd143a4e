/* LayerNorm, SIMD body shared by layernorm_avx2.c and layernorm_avx512.c
 * (include vec_<isa>.h first). Same arithmetic as the oracle layernorm.c
 * (two-pass mean and variance; the backward formula is explained there):
 *
 *   forward   x (rows, cols) -> out (rows, cols), mean (rows), rstd (rows)
 *   backward  dout, x (rows, cols), weight (cols), mean, rstd (rows)
 *             -> dx (rows, cols) +=, dweight (cols) +=, dbias (cols) +=
 *
 * Each row is walked VL columns at a time; every step goes through a lane
 * mask (full except at the tail) so that one loop covers any width, the
 * GPT's 128 columns as well as odd test sizes; stores are plain where the
 * mask is full (vf_store_first). Masked-off lanes load 0, and
 * the sums below keep them out (the variance zeroes x - mean there; in the
 * backward g is 0 there, so g and g * xhat add nothing). */
#include <math.h>

#include "kernels/isa.h"

void SIMD_FN(layernorm_forward)(int64_t rows, int64_t cols, const float *x, const float *weight,
                                const float *bias, float eps, float *out, float *mean, float *rstd)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = out + r * cols;
        vf acc = vf_zero();
        for (int64_t c = 0; c < cols; c += VL)
            acc = vf_add(acc, vf_load_mask(xr + c, vmask_first(cols - c)));
        float m = vf_hsum(acc) / (float)cols;
        vf vm = vf_set1(m);
        acc = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf d = vf_keep(k, vf_sub(vf_load_mask(xr + c, k), vm));
            acc = vf_fmadd(d, d, acc);
        }
        float s = 1.0f / sqrtf(vf_hsum(acc) / (float)cols + eps);
        vf vs = vf_set1(s);
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf xhat = vf_mul(vf_sub(vf_load_mask(xr + c, k), vm), vs);
            vf_store_first(yr + c, cols - c, k, vf_fmadd(xhat, vf_load_mask(weight + c, k), vf_load_mask(bias + c, k)));
        }
        if (mean)
            mean[r] = m;
        if (rstd)
            rstd[r] = s;
    }
}

void SIMD_FN(layernorm_backward)(int64_t rows, int64_t cols, const float *dout, const float *x,
                                 const float *weight, const float *mean, const float *rstd,
                                 float *dx, float *dweight, float *dbias)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *dyr = dout + r * cols;
        const float *xr = x + r * cols;
        float *dxr = dx + r * cols;
        vf vm = vf_set1(mean[r]), vs = vf_set1(rstd[r]);
        vf g_acc = vf_zero(), gx_acc = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf xhat = vf_mul(vf_sub(vf_load_mask(xr + c, k), vm), vs);
            vf g = vf_mul(vf_load_mask(dyr + c, k), vf_load_mask(weight + c, k));
            g_acc = vf_add(g_acc, g);
            gx_acc = vf_fmadd(g, xhat, gx_acc);
        }
        vf g_mean = vf_set1(vf_hsum(g_acc) / (float)cols);
        vf gx_mean = vf_set1(vf_hsum(gx_acc) / (float)cols);
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf dy = vf_load_mask(dyr + c, k);
            vf xhat = vf_mul(vf_sub(vf_load_mask(xr + c, k), vm), vs);
            vf g = vf_mul(dy, vf_load_mask(weight + c, k));
            vf_store_first(dbias + c, cols - c, k, vf_add(vf_load_mask(dbias + c, k), dy));
            vf_store_first(dweight + c, cols - c, k, vf_fmadd(xhat, dy, vf_load_mask(dweight + c, k)));
            vf t = vf_fnmadd(xhat, gx_mean, vf_sub(g, g_mean));
            vf_store_first(dxr + c, cols - c, k, vf_fmadd(vs, t, vf_load_mask(dxr + c, k)));
        }
    }
}
