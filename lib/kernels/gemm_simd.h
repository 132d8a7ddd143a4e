/* SGEMM register blocks, SIMD body shared by gemm_avx2.c and gemm_avx512.c
 * (include vec_<isa>.h first and define the tile: GEMM_MR, GEMM_NV). The
 * blocking (gemm_blocks.c), packing and threads are gemm_driver.c's; this
 * file gives it, per level:
 *
 *   the micro-kernel   C[MR, NR] = alpha * Apanel[MR, kc] * B[kc, NR] + beta * C
 *                      NR = GEMM_NV * VL; the A panel packed k-major
 *                      (a[p * MR + r]), row p of B at b + p * ldb
 *   the few-row path   C[m, n] = alpha * op(A)[m, k] * B[k, n] + beta * C
 *                      m <= 4, B row-major read in place,
 *                      op(A)[i, p] = a[i * a_row_stride + p * a_k_stride]
 *
 * Both are one register block, gemm_block(): `rows` rows of C by `nv`
 * vectors, each element accumulated over p in ascending order (like the
 * scalar oracle), then alpha and beta applied. The micro-kernel is the block
 * at MR x GEMM_NV on a packed panel (a_row_stride 1, a_k_stride MR).
 *
 * Few rows: one image through a dense layer (m = 1, n = 128, k = 5408) is
 * 1.4 MFLOP over 2.8 MB of weights, so the time is the reading of B. The
 * packed micro-kernel would spend most of its MR rows of FMAs on zero
 * padding and pack A, so this path streams each row of B once, in a column
 * block of up to small_nv(m) vectors, into m x small_nv(m) accumulators.
 * The FMA latency (4 cycles) bounds a block at one row of B per 4 cycles,
 * so the block is as wide as the registers allow. */
#include "kernels/gemm_driver.h"
#include "kernels/isa.h"

enum { GEMM_NR = GEMM_NV * VL };
_Static_assert(GEMM_MR * GEMM_NR <= NNL_GEMM_MAX_TILE, "tile buffer too small");

/* Column vectors per few-row block for `rows` rows: rows x nv accumulators
 * plus nv vectors of B must fit the register file (32 zmm; 16 ymm). */
#define SMALL_MAX_NV (VL == 16 ? 8 : 4)
NNL_INLINE int small_nv(int rows) { return rows <= 2 ? SMALL_MAX_NV : SMALL_MAX_NV / 2; }

#define BLOCK_MAX_ROWS (GEMM_MR > NNL_GEMM_SMALL_M ? GEMM_MR : NNL_GEMM_SMALL_M)
#define BLOCK_MAX_NV (GEMM_NV > SMALL_MAX_NV ? GEMM_NV : SMALL_MAX_NV)

/* One block of `width` <= nv * VL columns for `rows` rows. rows, nv and
 * masked are constants after inlining, so the loops unroll and the
 * accumulators live in registers; `masked` selects lane masks for a partial
 * last block (the micro-kernel's tiles are always full). */
NNL_INLINE void gemm_block(int rows, int nv, int masked, int64_t width, int64_t k, float alpha,
                           const float *a, int64_t a_row_stride, int64_t a_k_stride, const float *b,
                           int64_t ldb, float beta, float *c, int64_t ldc)
{
    vmask mask[BLOCK_MAX_NV];
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++)
        mask[v] = vmask_first(width > v * VL ? width - v * VL : 0);
    vf acc[BLOCK_MAX_ROWS][BLOCK_MAX_NV];
#pragma GCC unroll 16
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            acc[r][v] = vf_zero();
    for (int64_t p = 0; p < k; p++) {
        vf row[BLOCK_MAX_NV];
#pragma GCC unroll 8
        for (int v = 0; v < nv; v++)
            row[v] = vf_load_tail(b + p * ldb + v * VL, masked, mask[v]);
#pragma GCC unroll 16
        for (int r = 0; r < rows; r++) {
            vf ar = vf_set1(a[r * a_row_stride + p * a_k_stride]);
#pragma GCC unroll 8
            for (int v = 0; v < nv; v++)
                acc[r][v] = vf_fmadd(ar, row[v], acc[r][v]);
        }
    }
    vf va = vf_set1(alpha), vb = vf_set1(beta);
#pragma GCC unroll 16
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

/* The micro-kernel (nnl_gemm_kernel_fn): one full MR x NR tile. */
static void gemm_kernel(int64_t kc, const float *a, const float *b, int64_t ldb, float alpha, float beta,
                        float *c, int64_t ldc)
{
    gemm_block(GEMM_MR, GEMM_NV, 0, GEMM_NR, kc, alpha, a, 1, GEMM_MR, b, ldb, beta, c, ldc);
}

/* All column blocks of the few-row path for a constant row count. */
NNL_INLINE void small_rows(int rows, int64_t n, int64_t k, float alpha, const float *a,
                           int64_t a_row_stride, int64_t a_k_stride, const float *b, int64_t ldb,
                           float beta, float *c, int64_t ldc)
{
    const int nv = small_nv(rows);
    const int64_t block = nv * VL;
    int64_t j = 0;
    for (; j + block <= n; j += block)
        gemm_block(rows, nv, 0, block, k, alpha, a, a_row_stride, a_k_stride, b + j, ldb, beta, c + j, ldc);
    if (j < n)
        gemm_block(rows, nv, 1, n - j, k, alpha, a, a_row_stride, a_k_stride, b + j, ldb, beta, c + j, ldc);
}

/* The few-row path (nnl_gemm_small_m_fn), 1 <= m <= NNL_GEMM_SMALL_M. */
static void gemm_small_m(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t a_row_stride,
                         int64_t a_k_stride, const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    _Static_assert(NNL_GEMM_SMALL_M == 4, "one case per row count below");
    switch (m) {
    case 1: small_rows(1, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    case 2: small_rows(2, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    case 3: small_rows(3, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    default: small_rows(4, n, k, alpha, a, a_row_stride, a_k_stride, b, ldb, beta, c, ldc); break;
    }
}

/* Both x86 levels pack with the AVX2 routines (gemm_avx2.c): packing is a
 * copy or an 8x8 transpose, no faster with wider registers. */
static const nnl_gemm_arch gemm_arch = {
    .mr = GEMM_MR,
    .nr = GEMM_NR,
    .kernel = gemm_kernel,
    .pack_copy = nnl_gemm_pack_copy_avx2,
    .pack_transpose = nnl_gemm_pack_transpose_avx2,
    .small_m = gemm_small_m,
};

NNL_GEMM_ENTRY(SIMD_FN(sgemm), SIMD_FN(gemm_tile), gemm_arch)
