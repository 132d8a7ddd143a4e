/* Bias of dense layers, scalar reference (the oracle of bias_simd.h).
 *
 *   add_bias: y[rows, cols] += bias[cols] on every row
 *   sum_rows: db[cols]      += sum over rows of dy[rows, cols]   (its gradient) */
#include "kernels/isa.h"

void nnl_add_bias_scalar(int64_t rows, int64_t cols, float *y, const float *bias)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            y[r * cols + c] += bias[c];
}

void nnl_sum_rows_scalar(int64_t rows, int64_t cols, const float *dy, float *db)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            db[c] += dy[r * cols + c];
}
