/**
 * @file nnlite/blas.h
 * @brief Single-precision matrix multiply on raw row-major arrays.
 *
 * @defgroup blas Matrix multiply
 * @{
 */
#ifndef NNLITE_BLAS_H
#define NNLITE_BLAS_H

#include <stdint.h>

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Whether an operand of nnl_sgemm() is used as stored or transposed. */
typedef enum nnl_transpose {
    NNL_NO_TRANS = 0, /**< Use the matrix as stored. */
    NNL_TRANS = 1     /**< Use its transpose. */
} nnl_transpose;

/**
 * @brief C = alpha * op(A) * op(B) + beta * C, row-major.
 *
 * op(A) is M x K, op(B) is K x N, C is M x N. With ::NNL_NO_TRANS, A is stored
 * M x K with row stride @p lda (>= K); with ::NNL_TRANS it is stored K x M
 * (lda >= M). Likewise B (K x N, ldb >= N; or N x K, ldb >= K). ldc >= N.
 * When beta is 0, C is not read (NaNs in C do not propagate).
 * Uses the active SIMD level and nnl_get_num_threads() threads; the result is
 * deterministic for a given thread count. Thread-safe for distinct C.
 * @param trans_a whether A is used as stored or transposed.
 * @param trans_b whether B is used as stored or transposed.
 * @param m       rows of op(A) and C, >= 0.
 * @param n       columns of op(B) and C, >= 0.
 * @param k       columns of op(A) and rows of op(B), >= 0.
 * @param alpha   scale of the product.
 * @param a       matrix A (borrowed for the call; read only).
 * @param lda     row stride of A in floats.
 * @param b       matrix B (borrowed for the call; read only).
 * @param ldb     row stride of B in floats.
 * @param beta    scale of the old C; 0 overwrites C.
 * @param c       matrix C, read (unless beta is 0) and written; must not overlap A or B.
 * @param ldc     row stride of C in floats.
 * @return ::NNL_OK; ::NNL_E_INVALID_ARG for NULL pointers (when the sizes are not 0),
 *         negative sizes or leading dimensions that are too small.
 */
NNL_API nnl_status nnl_sgemm(nnl_transpose trans_a, nnl_transpose trans_b,
                             int64_t m, int64_t n, int64_t k,
                             float alpha, const float *a, int64_t lda,
                             const float *b, int64_t ldb,
                             float beta, float *c, int64_t ldc);

NNL_END_DECLS

#endif
/** @} */
