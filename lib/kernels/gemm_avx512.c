/* SGEMM micro-kernel for AVX-512.
 *
 * Micro-tile MR x NR = 8 x 32 (two __m512 per row of C): 16 accumulators.
 * Each k step is 2 B loads + 8 broadcasts (folded into the FMAs as {1to16}
 * memory operands) for 16 FMAs.
 * Shapes that matter (M,N,K): 1024^3; (32,128,5408) and (32,5408,128) small
 * M; (5408,128,32) small K; (768,384,128), (768,6000,128) GPT. MR = 8 and
 * NR = 32 divide all of them but 6000, so edge tiles are rare. */
#include <immintrin.h>

#include "kernels/gemm_driver.h"
#include "kernels/isa.h"

enum { MR = 8, NV = 2, NR = NV * 16 };
_Static_assert(MR * NR <= NNL_GEMM_MAX_TILE, "tile buffer too small");

static void kernel_8x32(int64_t kc, const float *a, const float *b, int64_t ldb, float alpha,
                        float beta, float *c, int64_t ldc)
{
    __m512 acc[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            acc[r][v] = _mm512_setzero_ps();

    for (int64_t p = 0; p < kc; p++) {
        __m512 bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
            bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            __m512 ar = _mm512_set1_ps(a[r]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
        }
        a += MR;
        b += ldb;
    }

    __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) { /* C is not read: NaNs in it must not propagate */
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
            for (int v = 0; v < NV; v++)
                _mm512_storeu_ps(c + r * ldc + 16 * v, _mm512_mul_ps(va, acc[r][v]));
        return;
    }
    __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) {
            float *out = c + r * ldc + 16 * v;
            _mm512_storeu_ps(out, _mm512_fmadd_ps(vb, _mm512_loadu_ps(out),
                                                  _mm512_mul_ps(va, acc[r][v])));
        }
}

/* kc = 256: the A panel (8 KB) stays in L1 and the B block (kc x nc = 1 MB)
 * in the 2 MB L2 of current AVX-512 parts. Measured on the dev machine:
 * kc from 192 to 384 and mc from 64 to 256 are within noise of each other,
 * and 8x32 was as fast as 12x32, 8x48 and 6x64 while dividing the shapes. */
static const nnl_gemm_arch arch_avx512 = {
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 128,
    .nc = 1024,
    .kernel = kernel_8x32,
    .pack_copy = nnl_gemm_pack_copy_avx2,
    .pack_transpose = nnl_gemm_pack_transpose_avx2,
    .small_m = nnl_gemm_small_m_avx512,
};

void nnl_sgemm_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, int threads)
{
    nnl_sgemm_blocked(&arch_avx512, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                      ldc, threads);
}
