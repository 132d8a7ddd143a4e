/* Row vector times matrix, skipping the vector's zeros: the scalar
 * reference (the oracle).
 *
 *   y (n) = x (k) W (k, n)        rows of W whose x[p] == 0 are not read
 *
 * A dense layer on one sample (y = x W, W stored inputs x units). Its
 * input is often rectified (ReLU, max pooling of ReLU outputs), and then
 * most of W, which comes from L3 or memory for a single sample, need not be
 * read at all. */
#include "kernels/isa.h"

void nnl_vecmat_scalar(int64_t k, int64_t n, const float *x, const float *w, float *y)
{
    for (int64_t j = 0; j < n; j++)
        y[j] = 0.0f;
    for (int64_t p = 0; p < k; p++) {
        if (x[p] == 0.0f)
            continue;
        const float *row = w + p * n;
        for (int64_t j = 0; j < n; j++)
            y[j] += x[p] * row[j];
    }
}
