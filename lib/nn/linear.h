/* Internal: the matrix product of a linear map's forward, y = x W, shared
 * by the layers that hold W as (inputs, outputs): dense and attention. */
#ifndef NNL_NN_LINEAR_H
#define NNL_NN_LINEAR_H

#include "kernels/kernels.h"

/* y (rows, n) = x (rows, k) W (k, n): a GEMM on up to `threads` threads,
 * or for one row (a prediction, a generated token) the vector-matrix
 * product, which reads W's rows only for the nonzero x (kernels' vecmat,
 * on the library's thread count like the other kernels without a thread
 * argument; a GEMM would also pack W for that single row). */
static inline void nnl_linear_forward(const nnl_kernels *k, int64_t rows, int64_t in, int64_t out, const float *x,
                                      const float *w, float *y, int threads)
{
    if (rows == 1)
        k->vecmat(in, out, x, w, y);
    else
        k->sgemm(0, 0, rows, out, in, 1.0f, x, in, w, out, 0.0f, y, out, threads);
}

#endif
