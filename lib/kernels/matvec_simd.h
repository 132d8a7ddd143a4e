/* Matrix-vector product, SIMD body shared by matvec_avx2.c and
 * matvec_avx512.c (include vec_<isa>.h first). Shapes as in the oracle
 * matvec.c:
 *
 *   y (rows) = W (rows, cols) x (cols) + bias (rows, may be NULL)
 *
 * Memory-bound on W: eight rows at a time share each load of x, and their
 * eight accumulators hide the FMA latency; the column tail goes through a
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

/* Rows of y per block: eight independent accumulators cover the FMA
 * latency (4 cycles, two pipes) and leave the loads of W as the only limit. */
#define MATVEC_ROWS 8

/* Rows [r, r + rows) of y, rows <= MATVEC_ROWS: dot products sharing each load of x. The
 * full vectors of a row use plain loads and only its last, partial one a
 * lane mask (masked loads cost more on AMD Zen). rows is a constant after
 * inlining, so the accumulators stay in registers. */
NNL_INLINE void matvec_block(int rows, int64_t r, int64_t cols, const float *w, const float *x,
                             const float *bias, float *y)
{
    vf acc[MATVEC_ROWS];
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++)
        acc[i] = vf_zero();
    int64_t c = 0;
    for (; c + VL <= cols; c += VL) {
        vf xv = vf_load(x + c);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++)
            acc[i] = vf_fmadd(vf_load(w + (r + i) * cols + c), xv, acc[i]);
    }
    if (c < cols) {
        vmask k = vmask_first(cols - c);
        vf xv = vf_load_mask(x + c, k);
#pragma GCC unroll 8
        for (int i = 0; i < rows; i++)
            acc[i] = vf_fmadd(vf_load_mask(w + (r + i) * cols + c, k), xv, acc[i]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < rows; i++)
        matvec_store(y, bias, r + i, acc[i]);
}

/* Rows [r, end) of y: blocks of MATVEC_ROWS rows, then one at a time. */
static void matvec_rows(int64_t r, int64_t end, int64_t cols, const float *w, const float *x, const float *bias,
                        float *y)
{
    for (; r + MATVEC_ROWS <= end; r += MATVEC_ROWS)
        matvec_block(MATVEC_ROWS, r, cols, w, x, bias, y);
    for (; r < end; r++)
        matvec_block(1, r, cols, w, x, bias, y);
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
    nnl_parallel_share(j->rows, MATVEC_ROWS, part, parts, &r0, &r1);
    matvec_rows(r0, r1, j->cols, j->w, j->x, j->bias, j->y);
}

void SIMD_FN(matvec)(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias, float *y)
{
    matvec_job j = {rows, cols, w, x, bias, y};
    nnl_parallel_run(kernel_team(rows * cols, (rows + MATVEC_ROWS - 1) / MATVEC_ROWS), matvec_part, &j);
}
