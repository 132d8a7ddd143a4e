/* SGEMM for AVX2 + FMA: the register blocks of gemm_simd.h on vec_avx2.h,
 * and the x86 panel packing (also used by the AVX-512 level).
 *
 * Micro-tile MR x NR = 6 x 16 (two ymm vectors per row of C): 12
 * accumulators, 2 B vectors and 1 broadcast use 15 of the 16 ymm registers.
 * Each k step is 2 loads + 6 broadcasts for 12 FMAs, and 12 independent
 * accumulators cover the FMA latency (4 cycles x 2 ports = 8 in flight).
 * Shapes that matter (M,N,K): 1024^3; (32,128,5408) and (32,5408,128) small
 * M; (5408,128,32) small K; (768,384,128), (768,6000,128) GPT.
 * The cache blocks follow the CPU's caches (gemm_blocks.c). */
#include "kernels/vec_avx2.h"

#define GEMM_MR 6
#define GEMM_NV 2
#include "kernels/gemm_simd.h"

/* Six lanes (the AVX2 micro-kernel's A panels): one 4-float and one 2-float move per step. */
static inline void store6(float *dst, __m128 lo, __m128 hi)
{
    _mm_storeu_ps(dst, lo);
    _mm_storel_pi((__m64 *)(dst + 4), hi);
}

void nnl_gemm_pack_copy_avx2(const float *src, int64_t ld, int64_t kc, int64_t valid,
                             int64_t width, float *dst)
{
    if (width == 6 && valid == 6) {
        for (int64_t p = 0; p < kc; p++)
            store6(dst + p * 6, _mm_loadu_ps(src + p * ld),
                   _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(src + p * ld + 4)));
        return;
    }
    if (valid != width || width % 8 != 0) {
        nnl_gemm_pack_copy_generic(src, ld, kc, valid, width, dst);
        return;
    }
    for (int64_t p = 0; p < kc; p++)
        for (int64_t w = 0; w < width; w += 8)
            _mm256_storeu_ps(dst + p * width + w, _mm256_loadu_ps(src + p * ld + w));
}

/* In-register transpose of an 8x8 block: r[i][j] becomes r[j][i]. */
static inline void transpose_8x8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* A six-lane panel (the AVX2 micro-kernel's A, from a row-major A): its
 * `valid` rows (the others zero) as 8x8 blocks, six lanes of each step kept. */
static void pack_transpose6(const float *src, int64_t ld, int64_t kc, int64_t valid, float *dst)
{
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 r[8];
        for (int i = 0; i < 8; i++)
            r[i] = i < valid ? _mm256_loadu_ps(src + i * ld + p) : _mm256_setzero_ps();
        transpose_8x8(r);
        for (int i = 0; i < 8; i++)
            store6(dst + (p + i) * 6, _mm256_castps256_ps128(r[i]), _mm256_extractf128_ps(r[i], 1));
    }
    if (p < kc)
        nnl_gemm_pack_transpose_generic(src + p, ld, kc - p, valid, 6, dst + p * 6);
}

/* Full panels of a width that is a multiple of 8 move as 8x8 blocks (8 loads,
 * 24 shuffles, 8 stores per 64 floats), six-lane panels as pack_transpose6;
 * the k tail and other partial panels go through the generic loop. */
void nnl_gemm_pack_transpose_avx2(const float *src, int64_t ld, int64_t kc, int64_t valid,
                                  int64_t width, float *dst)
{
    if (width == 6) {
        pack_transpose6(src, ld, kc, valid, dst);
        return;
    }
    if (valid != width || width % 8 != 0) {
        nnl_gemm_pack_transpose_generic(src, ld, kc, valid, width, dst);
        return;
    }
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (int64_t w = 0; w < width; w += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++)
                r[i] = _mm256_loadu_ps(src + (w + i) * ld + p);
            transpose_8x8(r);
            for (int i = 0; i < 8; i++)
                _mm256_storeu_ps(dst + (p + i) * width + w, r[i]);
        }
    }
    if (p < kc)
        nnl_gemm_pack_transpose_generic(src + p, ld, kc - p, valid, width, dst + p * width);
}
