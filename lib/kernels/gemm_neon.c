/* SGEMM micro-kernel for AArch64 Advanced SIMD (NEON).
 *
 * Micro-tile MR x NR = 8 x 8 (two float32x4_t per row of C): 16
 * accumulators + 2 B vectors + 2 A vectors = 20 of the 32 q registers. Each
 * k step loads 8 A and 8 B values (4 vector loads) for 16 FMAs; the A
 * values are used by lane (vfmaq_laneq_f32), so no broadcasts are needed.
 * Packing uses the portable routines.
 * Shapes that matter (M,N,K): 1024^3; (32,128,5408) and (32,5408,128) small
 * M; (5408,128,32) small K; (768,384,128), (768,6000,128) GPT. */
#include <arm_neon.h>

#include "kernels/gemm_driver.h"
#include "kernels/isa.h"

enum { MR = 8, NR = 8 };
_Static_assert(MR * NR <= NNL_GEMM_MAX_TILE, "tile buffer too small");

static void kernel_8x8(int64_t kc, const float *a, const float *b, int64_t ldb, float alpha,
                       float beta, float *c, int64_t ldc)
{
    float32x4_t acc[MR][2];
    for (int r = 0; r < MR; r++) {
        acc[r][0] = vdupq_n_f32(0.0f);
        acc[r][1] = vdupq_n_f32(0.0f);
    }

    for (int64_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
        float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        /* The lane index must be a constant, hence a macro and not a loop. */
#define NNL_ROW(r, av, lane)                                  \
    acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, av, lane);     \
    acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, av, lane)
        NNL_ROW(0, a0, 0);
        NNL_ROW(1, a0, 1);
        NNL_ROW(2, a0, 2);
        NNL_ROW(3, a0, 3);
        NNL_ROW(4, a1, 0);
        NNL_ROW(5, a1, 1);
        NNL_ROW(6, a1, 2);
        NNL_ROW(7, a1, 3);
#undef NNL_ROW
        a += MR;
        b += ldb;
    }

    for (int r = 0; r < MR; r++) {
        for (int v = 0; v < 2; v++) {
            float *out = c + r * ldc + 4 * v;
            float32x4_t x = vmulq_n_f32(acc[r][v], alpha);
            if (beta != 0.0f) /* when beta == 0, C is not read */
                x = vfmaq_n_f32(x, vld1q_f32(out), beta);
            vst1q_f32(out, x);
        }
    }
}

/* Not tuned on hardware; the cache blocks follow the caches (gemm_blocks.c). */
static const nnl_gemm_arch arch_neon = {
    .mr = MR,
    .nr = NR,
    .kernel = kernel_8x8,
    .pack_copy = nnl_gemm_pack_copy_generic,
    .pack_transpose = nnl_gemm_pack_transpose_generic,
};

NNL_GEMM_ENTRY(nnl_sgemm_neon, nnl_gemm_tile_neon, arch_neon)
