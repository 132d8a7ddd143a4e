/* SGEMM for a few rows of C, B read in place: the SIMD body shared by
 * gemm_small_avx2.c and gemm_small_avx512.c (include vec_<isa>.h first).
 *
 *   C[m, n] = alpha * op(A)[m, k] * B[k, n] + beta * C      m <= 4, B row-major
 *   op(A)[i, p] = a[i * a_row_stride + p * a_k_stride]
 *
 * One image through a dense layer (m = 1, n = 128, k = 5408) is 1.4 MFLOP
 * over 2.8 MB of weights: the time is the reading of B. The packed 8-row
 * micro-kernel would spend 7 of its 8 FMAs on zero padding and pack A, so
 * this kernel streams each row of B once, in a column block of up to
 * small_nv(m) vectors, into m x small_nv(m) accumulators. Each C element is
 * accumulated in ascending p, like the scalar oracle, so the FMA latency
 * (4 cycles) bounds a block at one row of B per 4 cycles: the block is as
 * wide as the registers allow. */
#include "kernels/gemm_driver.h"
#include "kernels/isa.h"

/* Column vectors per block for `rows` rows: rows x nv accumulators plus nv
 * vectors of B must fit the register file (32 zmm; 16 ymm). */
#define SMALL_MAX_NV (VL == 16 ? 8 : 4)
#define SMALL_MAX_ROWS 4
NNL_INLINE int small_nv(int rows) { return rows <= 2 ? SMALL_MAX_NV : SMALL_MAX_NV / 2; }

/* One block of `width` <= nv * VL columns for `rows` rows (rows, nv and
 * masked are constants after inlining, so the loops unroll into registers). */
NNL_INLINE void small_block(int rows, int nv, int masked, int64_t width, int64_t k, float alpha,
                            const float *a, int64_t a_row_stride, int64_t a_k_stride,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    vmask mask[SMALL_MAX_NV];
    for (int v = 0; v < nv; v++)
        mask[v] = vmask_first(width > v * VL ? width - v * VL : 0);
    vf acc[SMALL_MAX_ROWS][SMALL_MAX_NV];
#pragma GCC unroll 4
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            acc[r][v] = vf_zero();
    for (int64_t p = 0; p < k; p++) {
        vf row[SMALL_MAX_NV];
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            row[v] = vf_load_tail(b + p * ldb + v * VL, masked, mask[v]);
#pragma GCC unroll 4
        for (int r = 0; r < rows; r++) {
            vf ar = vf_set1(a[r * a_row_stride + p * a_k_stride]);
#pragma GCC unroll 8
            for (int v = 0; v < nv; v++)
                acc[r][v] = vf_fmadd(ar, row[v], acc[r][v]);
        }
    }
    vf va = vf_set1(alpha), vb = vf_set1(beta);
#pragma GCC unroll 4
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++) {
            float *out = c + r * ldc + v * VL;
            vf result = vf_mul(va, acc[r][v]);
            if (beta != 0.0f) /* beta == 0: C is not read, NaNs in it must not propagate */
                result = vf_fmadd(vb, vf_load_tail(out, masked, mask[v]), result);
            vf_store_tail(out, masked, mask[v], result);
        }
}

/* All column blocks for a constant row count. */
NNL_INLINE void small_rows(int rows, int64_t n, int64_t k, float alpha, const float *a,
                           int64_t a_row_stride, int64_t a_k_stride, const float *b, int64_t ldb,
                           float beta, float *c, int64_t ldc)
{
    const int nv = small_nv(rows);
    const int64_t block = nv * VL;
    int64_t j = 0;
    for (; j + block <= n; j += block)
        small_block(rows, nv, 0, block, k, alpha, a, a_row_stride, a_k_stride, b + j, ldb, beta, c + j, ldc);
    if (j < n)
        small_block(rows, nv, 1, n - j, k, alpha, a, a_row_stride, a_k_stride, b + j, ldb, beta, c + j, ldc);
}

void SIMD_FN(gemm_small_m)(int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                           int64_t a_row_stride, int64_t a_k_stride, const float *b, int64_t ldb,
                           float beta, float *c, int64_t ldc)
{
    switch (m) {
    case 1: small_rows(1, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    case 2: small_rows(2, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    case 3: small_rows(3, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    default: small_rows(4, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    }
}
