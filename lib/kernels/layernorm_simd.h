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
 * backward g is 0 there, so g and g * xhat add nothing).
 *
 * Threads (parallel.h): the forward and dx share out rows; dweight and
 * dbias, sums over rows, share out columns in a second pass, each column
 * summed in row order as the single pass of one thread sums it, so the
 * results are the same bits at any thread count. dx must not alias dout. */
#include <math.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

static void forward_rows(int64_t r0, int64_t r1, int64_t cols, const float *x, const float *weight, const float *bias,
                         float eps, float *out, float *mean, float *rstd)
{
    for (int64_t r = r0; r < r1; r++) {
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

/* dx of rows [r0, r1), and, when `with_params` (a constant), dweight and
 * dbias in the same pass: one thread's whole backward reads x and dout once. */
NNL_INLINE void backward_rows(int with_params, int64_t r0, int64_t r1, int64_t cols, const float *dout,
                              const float *x, const float *weight, const float *mean, const float *rstd,
                              float *dx, float *dweight, float *dbias)
{
    for (int64_t r = r0; r < r1; r++) {
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
            if (with_params) {
                vf_store_first(dbias + c, cols - c, k, vf_add(vf_load_mask(dbias + c, k), dy));
                vf_store_first(dweight + c, cols - c, k, vf_fmadd(xhat, dy, vf_load_mask(dweight + c, k)));
            }
            vf t = vf_fnmadd(xhat, gx_mean, vf_sub(g, g_mean));
            vf_store_first(dxr + c, cols - c, k, vf_fmadd(vs, t, vf_load_mask(dxr + c, k)));
        }
    }
}

/* dweight and dbias of columns [c0, c1) (c0 a multiple of VL), summed over
 * every row in row order: the additions of the single pass the oracle makes,
 * so the bits do not depend on how the columns are shared out. */
static void parameter_columns(int64_t c0, int64_t c1, int64_t rows, int64_t cols, const float *dout,
                              const float *x, const float *mean, const float *rstd, float *dweight,
                              float *dbias)
{
    for (int64_t c = c0; c < c1; c += VL) {
        vmask k = vmask_first(c1 - c);
        vf dw = vf_load_mask(dweight + c, k), db = vf_load_mask(dbias + c, k);
        for (int64_t r = 0; r < rows; r++) {
            vf dy = vf_load_mask(dout + r * cols + c, k);
            vf xhat = vf_mul(vf_sub(vf_load_mask(x + r * cols + c, k), vf_set1(mean[r])), vf_set1(rstd[r]));
            db = vf_add(db, dy);
            dw = vf_fmadd(xhat, dy, dw);
        }
        vf_store_first(dbias + c, c1 - c, k, db);
        vf_store_first(dweight + c, c1 - c, k, dw);
    }
}

/* ---- threads: rows shared out for the forward and for dx, columns for
 * dweight and dbias; every element is computed as on one thread. */

typedef struct layernorm_job {
    int64_t rows, cols;
    const float *x, *dout, *weight, *bias;
    float eps;
    float *out, *mean, *rstd, *dx, *dweight, *dbias;
} layernorm_job;

static void forward_part(void *arg, int part, int parts)
{
    const layernorm_job *j = arg;
    int64_t r0, r1;
    nnl_parallel_share(j->rows, 1, part, parts, &r0, &r1);
    forward_rows(r0, r1, j->cols, j->x, j->weight, j->bias, j->eps, j->out, j->mean, j->rstd);
}

/* Part p does its rows of dx, then its columns of the parameter gradients. */
static void backward_part(void *arg, int part, int parts)
{
    const layernorm_job *j = arg;
    int64_t r0, r1, c0, c1;
    nnl_parallel_share(j->rows, 1, part, parts, &r0, &r1);
    backward_rows(0, r0, r1, j->cols, j->dout, j->x, j->weight, j->mean, j->rstd, j->dx, NULL, NULL);
    nnl_parallel_share(j->cols, VL, part, parts, &c0, &c1);
    parameter_columns(c0, c1, j->rows, j->cols, j->dout, j->x, j->mean, j->rstd, j->dweight, j->dbias);
}

void SIMD_FN(layernorm_forward)(int64_t rows, int64_t cols, const float *x, const float *weight,
                                const float *bias, float eps, float *out, float *mean, float *rstd)
{
    layernorm_job j = {rows, cols, x, NULL, weight, bias, eps, out, mean, rstd, NULL, NULL, NULL};
    nnl_parallel_run(kernel_team(2 * rows * cols, rows), forward_part, &j);
}

void SIMD_FN(layernorm_backward)(int64_t rows, int64_t cols, const float *dout, const float *x,
                                 const float *weight, const float *mean, const float *rstd,
                                 float *dx, float *dweight, float *dbias)
{
    int team = kernel_team(4 * rows * cols, (cols + VL - 1) / VL);
    if (team == 1) { /* the column pass exists to share the sums out; alone, one pass does all */
        backward_rows(1, 0, rows, cols, dout, x, weight, mean, rstd, dx, dweight, dbias);
        return;
    }
    layernorm_job j = {rows, cols, x, dout, weight, NULL, 0.0f, NULL, (float *)mean, (float *)rstd, dx, dweight, dbias};
    nnl_parallel_run(team, backward_part, &j);
}
