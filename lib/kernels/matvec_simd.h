/* Matrix-vector product, SIMD body shared by matvec_avx2.c and
 * matvec_avx512.c (include vec_<isa>.h first). Shapes as in the oracle
 * matvec.c:
 *
 *   y (rows) = W (rows, cols) x (cols) + bias (rows, may be NULL)
 *
 * Memory-bound on W: four rows at a time share each load of x, and their
 * four accumulators hide the FMA latency; the column tail goes through a
 * lane mask (masked-off lanes load 0 and add nothing). A large W (a
 * language model's head: 5,965 x 128 floats, 3 MB) is streamed by every
 * thread, each over its own rows, so the cores' load bandwidth adds up; a
 * row is always summed by one thread in one order, so y does not depend on
 * the thread count. */
#include "kernels/isa.h"
#include "kernels/parallel.h"

/* y[r] from its row's vector of partial sums. */
NNL_INLINE void matvec_store(float *y, const float *bias, int64_t r, vf acc)
{
    float s = vf_hsum(acc);
    y[r] = bias ? s + bias[r] : s;
}

/* Rows [r, end) of y. */
static void matvec_rows(int64_t r, int64_t end, int64_t cols, const float *w, const float *x, const float *bias,
                        float *y)
{
    for (; r + 4 <= end; r += 4) {
        const float *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf xv = vf_load_mask(x + c, k);
            a0 = vf_fmadd(vf_load_mask(w0 + c, k), xv, a0);
            a1 = vf_fmadd(vf_load_mask(w1 + c, k), xv, a1);
            a2 = vf_fmadd(vf_load_mask(w2 + c, k), xv, a2);
            a3 = vf_fmadd(vf_load_mask(w3 + c, k), xv, a3);
        }
        matvec_store(y, bias, r, a0);
        matvec_store(y, bias, r + 1, a1);
        matvec_store(y, bias, r + 2, a2);
        matvec_store(y, bias, r + 3, a3);
    }
    for (; r < end; r++) {
        const float *wr = w + r * cols;
        vf a = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            a = vf_fmadd(vf_load_mask(wr + c, k), vf_load_mask(x + c, k), a);
        }
        matvec_store(y, bias, r, a);
    }
}

typedef struct matvec_job {
    int64_t rows, cols;
    const float *w, *x, *bias;
    float *y;
} matvec_job;

static void matvec_part(void *arg, int part, int parts)
{
    const matvec_job *j = arg;
    int64_t r0, r1;
    nnl_parallel_share(j->rows, 4, part, parts, &r0, &r1);
    matvec_rows(r0, r1, j->cols, j->w, j->x, j->bias, j->y);
}

void SIMD_FN(matvec)(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias, float *y)
{
    matvec_job j = {rows, cols, w, x, bias, y};
    nnl_parallel_run(kernel_team(rows * cols, (rows + 3) / 4), matvec_part, &j);
}
