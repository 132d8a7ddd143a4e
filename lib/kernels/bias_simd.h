/* Bias of dense layers, SIMD body shared by bias_avx2.c and bias_avx512.c
 * (include vec_<isa>.h first). Shapes: bias.c.
 *
 * sum_rows walks a block of SUM_VECS column vectors down all rows with the
 * sums in registers, so db is read and written once per block and the
 * loads of one row are contiguous.
 *
 * Large calls go to the thread pool (parallel.h): add_bias shares out rows,
 * sum_rows blocks of columns, each column still summed in row order, so the
 * bits are the same at any thread count. */
#include "kernels/isa.h"
#include "kernels/parallel.h"

#define SUM_VECS 4

typedef struct bias_job {
    int64_t rows, cols;
    float *y;               /* add_bias */
    const float *bias, *dy; /* add_bias; sum_rows */
    float *db;              /* sum_rows */
} bias_job;

static void add_bias_rows(int64_t r0, int64_t r1, int64_t cols, float *y, const float *bias)
{
    for (int64_t r = r0; r < r1; r++) {
        float *yr = y + r * cols;
        int64_t c = 0;
        for (; c + VL <= cols; c += VL)
            vf_store(yr + c, vf_add(vf_load(yr + c), vf_load(bias + c)));
        if (c < cols) {
            vmask m = vmask_first(cols - c);
            vf_store_mask(yr + c, m, vf_add(vf_load_mask(yr + c, m), vf_load_mask(bias + c, m)));
        }
    }
}

/* db[c0 : c0 + SUM_VECS*VL] += column sums. */
NNL_INLINE void sum_rows_block(int64_t rows, int64_t cols, const float *dy, float *db)
{
    vf acc[SUM_VECS];
    for (int v = 0; v < SUM_VECS; v++)
        acc[v] = vf_zero();
    for (int64_t r = 0; r < rows; r++)
        for (int v = 0; v < SUM_VECS; v++)
            acc[v] = vf_add(acc[v], vf_load(dy + r * cols + v * VL));
    for (int v = 0; v < SUM_VECS; v++)
        vf_store(db + v * VL, vf_add(vf_load(db + v * VL), acc[v]));
}

/* One vector of columns, the last one masked to the `width` columns left. */
NNL_INLINE void sum_rows_vec(int64_t rows, int64_t cols, int64_t width, const float *dy, float *db)
{
    vmask m = vmask_first(width);
    vf acc = vf_zero();
    for (int64_t r = 0; r < rows; r++)
        acc = vf_add(acc, vf_load_mask(dy + r * cols, m));
    vf_store_mask(db, m, vf_add(vf_load_mask(db, m), acc));
}

static void add_bias_part(void *arg, int part, int parts)
{
    const bias_job *j = arg;
    int64_t r0, r1;
    nnl_parallel_share(j->rows, 1, part, parts, &r0, &r1);
    add_bias_rows(r0, r1, j->cols, j->y, j->bias);
}

void SIMD_FN(add_bias)(int64_t rows, int64_t cols, float *y, const float *bias)
{
    bias_job j = {rows, cols, y, bias, NULL, NULL};
    nnl_parallel_run(kernel_team(2 * rows * cols, rows), add_bias_part, &j);
}

/* Columns [c0, c1) of sum_rows (c0 a multiple of VL). */
static void sum_rows_columns(int64_t c0, int64_t c1, int64_t rows, int64_t cols, const float *dy, float *db)
{
    int64_t c = c0;
    for (; c + SUM_VECS * VL <= c1; c += SUM_VECS * VL)
        sum_rows_block(rows, cols, dy + c, db + c);
    for (; c < c1; c += VL)
        sum_rows_vec(rows, cols, c1 - c, dy + c, db + c);
}

static void sum_rows_part(void *arg, int part, int parts)
{
    const bias_job *j = arg;
    int64_t c0, c1;
    nnl_parallel_share(j->cols, VL, part, parts, &c0, &c1);
    sum_rows_columns(c0, c1, j->rows, j->cols, j->dy, j->db);
}

void SIMD_FN(sum_rows)(int64_t rows, int64_t cols, const float *dy, float *db)
{
    bias_job j = {rows, cols, NULL, NULL, dy, db};
    nnl_parallel_run(kernel_team(rows * cols, (cols + VL - 1) / VL), sum_rows_part, &j);
}
