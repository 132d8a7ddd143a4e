/* Matrix-vector product with the matrix's rows contiguous: the scalar
 * reference (the oracle).
 *
 *   y (rows) = W (rows, cols) x (cols) + bias (rows, may be NULL)
 *
 * This is a linear layer y = x W^T + b for one token, as generation with a
 * KV cache runs it: a GEMM would pack W for a single row of output, so
 * streaming W's rows through dot products is the fast way (memory-bound). */
#include "kernels/isa.h"

void nnl_matvec_scalar(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                       float *y)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        float sum = 0.0f;
        for (int64_t c = 0; c < cols; c++)
            sum += wr[c] * x[c];
        y[r] = bias ? sum + bias[r] : sum;
    }
}
