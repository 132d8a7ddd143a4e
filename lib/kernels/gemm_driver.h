/* Internal: the blocked, packed SGEMM driver shared by every SIMD level.
 *
 * Each level supplies an nnl_gemm_arch: a register-blocked micro-kernel that
 * computes one mr x nr tile of C, the packing routines that feed it, and the
 * cache block sizes, and optionally a kernel for a few rows of C with B
 * read in place. gemm_driver.c does the rest (blocking, packing, edge
 * tiles, threads), so a new ISA only writes its inner loops.
 *
 * Packed layouts (k-major, so the micro-kernel reads both operands
 * sequentially):
 *   A panel, mr rows x kc:  ap[p * mr + r] = op(A)[i + r, p0 + p]
 *   B panel, kc x nr cols:  bp[p * nr + c] = op(B)[p0 + p, j + c]
 * Rows/columns past the matrix edge are packed as zeros. */
#ifndef NNL_KERNELS_GEMM_DRIVER_H
#define NNL_KERNELS_GEMM_DRIVER_H

#include <stdint.h>

#include "core/cpu.h"

/* Largest mr * nr of any micro-kernel: edge tiles go through a stack buffer
 * of this many floats. */
#define NNL_GEMM_MAX_TILE 512

/* C[mr x nr] = alpha * (A panel * B) + beta * C, over kc steps. `a` is a
 * packed A panel; row p of B is at b + p * ldb (a packed panel has
 * ldb == nr; an unpacked row-major B is read in place). When beta == 0, C is
 * not read. */
typedef void (*nnl_gemm_kernel_fn)(int64_t kc, const float *a, const float *b, int64_t ldb,
                                   float alpha, float beta, float *c, int64_t ldc);

/* Pack one panel of `width` (mr or nr) lanes by kc steps into dst[p * width + w];
 * lanes w >= valid are zero.
 *   pack_copy:      lane w of step p is src[p * ld + w]  (lanes contiguous)
 *   pack_transpose: lane w of step p is src[w * ld + p]  (steps contiguous) */
typedef void (*nnl_gemm_pack_fn)(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                 int64_t width, float *dst);

/* C[m x n] = alpha * op(A) * B + beta * C for 1 <= m <= NNL_GEMM_SMALL_M rows,
 * with op(A)[i, p] = a[i * a_row_stride + p * a_k_stride] and B row-major
 * (k x n, row p at b + p * ldb), read in place (gemm_simd.h). */
#define NNL_GEMM_SMALL_M 4
typedef void (*nnl_gemm_small_m_fn)(int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                                    int64_t a_row_stride, int64_t a_k_stride, const float *b,
                                    int64_t ldb, float beta, float *c, int64_t ldc);

typedef struct nnl_gemm_arch {
    int mr, nr;                 /* micro-tile; mr * nr <= NNL_GEMM_MAX_TILE */
    nnl_gemm_kernel_fn kernel;
    nnl_gemm_pack_fn pack_copy;
    nnl_gemm_pack_fn pack_transpose;
    nnl_gemm_small_m_fn small_m; /* NULL: few rows go through `kernel` too */
} nnl_gemm_arch;

/* The cache blocks: kc steps of K, mc rows (a multiple of mr), nc columns
 * (a multiple of nr). */
typedef struct nnl_gemm_blocks {
    int64_t kc, mc, nc;
} nnl_gemm_blocks;

/* The blocks for an mr x nr micro-tile on these caches (gemm_blocks.c). */
nnl_gemm_blocks nnl_gemm_blocks_for(int mr, int nr, const nnl_cpu_caches *caches);

/* The full SGEMM (same contract as the `sgemm` entry of nnl_kernels) on the
 * micro-kernel of `arch`. */
void nnl_sgemm_blocked(const nnl_gemm_arch *arch, int trans_a, int trans_b, int64_t m, int64_t n,
                       int64_t k, float alpha, const float *a, int64_t lda, const float *b,
                       int64_t ldb, float beta, float *c, int64_t ldc, int threads);

/* Portable packing routines (plain C); SIMD levels use them directly or for
 * the panels their vector code does not cover. */
void nnl_gemm_pack_copy_generic(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                int64_t width, float *dst);
void nnl_gemm_pack_transpose_generic(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                     int64_t width, float *dst);

/* x86 packing with 8x8 AVX transposes (gemm_avx2.c), shared by the AVX2 and
 * AVX-512 levels; panels they do not cover go to the generic routines. */
void nnl_gemm_pack_copy_avx2(const float *src, int64_t ld, int64_t kc, int64_t valid,
                             int64_t width, float *dst);
void nnl_gemm_pack_transpose_avx2(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                  int64_t width, float *dst);

/* Defines `sgemm_fn` and `tile_fn`, the sgemm and gemm_tile entries of the
 * kernel tables, as the driver on `arch` and its micro-tile. */
#define NNL_GEMM_ENTRY(sgemm_fn, tile_fn, arch)                                                    \
    void sgemm_fn(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,           \
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,  \
                  int64_t ldc, int threads)                                                        \
    {                                                                                              \
        nnl_sgemm_blocked(&(arch), trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,   \
                          threads);                                                                \
    }                                                                                              \
    void tile_fn(int *mr, int *nr)                                                                 \
    {                                                                                              \
        *mr = (arch).mr;                                                                           \
        *nr = (arch).nr;                                                                           \
    }

#endif
