/* SGEMM: the public entry point (argument checks) and the scalar reference.
 *
 *   C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C[M,N]    (row-major)
 *
 * The scalar version is the oracle the SIMD versions are tested against:
 * plain loops, accumulating in float in k order. */
#include "nnlite/blas.h"

#include "core/error.h"
#include "core/threads.h"
#include "kernels/isa.h"

static float elem(const float *x, int64_t ld, int trans, int64_t row, int64_t col)
{
    return trans ? x[col * ld + row] : x[row * ld + col];
}

/* Each C element is sum_p A[i,p] * B[p,j] accumulated in float in ascending
 * p, then alpha/beta applied: that order defines the oracle. The loops are
 * arranged so the innermost one walks memory contiguously (a row of B, or a
 * row of A and of B^T), which keeps the reference fast enough for the test
 * suite without changing a single rounding. */
enum { SCALAR_COLUMN_BLOCK = 256 };

static void store(float *out, float sum, float alpha, float beta)
{
    *out = beta == 0.0f ? alpha * sum : alpha * sum + beta * *out;
}

/* op(B) = B stored K x N: row i of C accumulates a * (row p of B). */
static void scalar_rows(int trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                        const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    float acc[SCALAR_COLUMN_BLOCK];
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j0 = 0; j0 < n; j0 += SCALAR_COLUMN_BLOCK) {
            int64_t width = n - j0 < SCALAR_COLUMN_BLOCK ? n - j0 : SCALAR_COLUMN_BLOCK;
            for (int64_t j = 0; j < width; j++)
                acc[j] = 0.0f;
            for (int64_t p = 0; p < k; p++) {
                float av = elem(a, lda, trans_a, i, p);
                const float *brow = b + p * ldb + j0;
                for (int64_t j = 0; j < width; j++)
                    acc[j] += av * brow[j];
            }
            for (int64_t j = 0; j < width; j++)
                store(&c[i * ldc + j0 + j], acc[j], alpha, beta);
        }
    }
}

/* op(B) = B^T, B stored N x K: each C element is a dot product of two rows. */
static void scalar_dots(int trans_a, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                        const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float sum = 0.0f;
            for (int64_t p = 0; p < k; p++)
                sum += elem(a, lda, trans_a, i, p) * b[j * ldb + p];
            store(&c[i * ldc + j], sum, alpha, beta);
        }
}

void nnl_sgemm_scalar(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, int threads)
{
    (void)threads;
    if (trans_b)
        scalar_dots(trans_a, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else
        scalar_rows(trans_a, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static nnl_status check_ld(const char *name, int64_t ld, int64_t min)
{
    if (ld < (min > 1 ? min : 1))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_sgemm: %s=%lld, expected >= %lld", name,
                         (long long)ld, (long long)(min > 1 ? min : 1));
    return NNL_OK;
}

nnl_status nnl_sgemm(nnl_transpose trans_a, nnl_transpose trans_b, int64_t m, int64_t n, int64_t k,
                     float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                     float beta, float *c, int64_t ldc)
{
    if (m < 0 || n < 0 || k < 0)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_sgemm: m=%lld n=%lld k=%lld must not be negative",
                         (long long)m, (long long)n, (long long)k);
    if ((unsigned)trans_a > 1 || (unsigned)trans_b > 1)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_sgemm: trans_a=%d trans_b=%d, expected 0 or 1",
                         (int)trans_a, (int)trans_b);
    if (m == 0 || n == 0)
        return NNL_OK;
    NNL_CHECK_PTR("nnl_sgemm", c);
    NNL_TRY(check_ld("ldc", ldc, n));
    if (k > 0) {
        NNL_CHECK_PTR("nnl_sgemm", a);
        NNL_CHECK_PTR("nnl_sgemm", b);
        NNL_TRY(check_ld("lda", lda, trans_a ? m : k));
        NNL_TRY(check_ld("ldb", ldb, trans_b ? k : n));
    }
    nnl_kernels_active()->sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                                nnl_threads_get());
    return NNL_OK;
}

/* The scalar sgemm loops over C directly: no micro-tile. */
void nnl_gemm_tile_scalar(int *mr, int *nr)
{
    *mr = 0;
    *nr = 0;
}
