/* Bias of dense layers, SIMD body shared by bias_avx2.c and bias_avx512.c
 * (include vec_<isa>.h first). Shapes: bias.c.
 *
 * sum_rows walks a block of SUM_VECS column vectors down all rows with the
 * sums in registers, so db is read and written once per block and the
 * loads of one row are contiguous. */
#include "kernels/isa.h"

#define SUM_VECS 4

void SIMD_FN(add_bias)(int64_t rows, int64_t cols, float *y, const float *bias)
{
    for (int64_t r = 0; r < rows; r++) {
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

void SIMD_FN(sum_rows)(int64_t rows, int64_t cols, const float *dy, float *db)
{
    int64_t c = 0;
    for (; c + SUM_VECS * VL <= cols; c += SUM_VECS * VL)
        sum_rows_block(rows, cols, dy + c, db + c);
    for (; c < cols; c += VL)
        sum_rows_vec(rows, cols, cols - c, dy + c, db + c);
}
