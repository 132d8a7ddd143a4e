/* The SGEMM driver's cache blocks, derived from the caches of the CPU it
 * runs on (the loop order they serve is in gemm_driver.c):
 *
 *   kc  the A micro-panel (mr x kc), reused against every B panel of a
 *       block, stays in L1 while B panels (kc x nr) stream past it: the two
 *       fill at most 3/4 of L1. Multiple of 16, within [128, 384]: shorter
 *       slices re-read C too often, longer ones gain nothing measurable.
 *   nc  the B block (kc x nc), read once per A micro-panel, fills L2. A
 *       smaller block (half of L2) measured 7% slower on 1024^3 on a Zen 2/3
 *       core (512 KB L2, AVX2): every column block packs all of A again.
 *       Multiple of nr, at least 4 nr.
 *   mc  the A block (mc x kc), packed at once: a quarter of L2. Multiple of mr.
 *
 * With a 32 KB L1 and a 512 KB L2 (AMD Zen 2/3) the AVX2 tile 6 x 16 gets
 * kc 272, nc 480, mc 120 (within noise of the constants 256, 512, 72 tuned
 * there by hand); with 48 KB and 1 MB (Zen 5) the AVX-512 tile 8 x 32 gets
 * kc 224, nc 1152, mc 288; with 48 KB and 2 MB (Intel Sapphire Rapids)
 * kc 224, nc 2336, mc 584. */
#include "kernels/gemm_driver.h"

#define KC_MIN 128
#define KC_MAX 384
#define NC_MAX 4096

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }
static int64_t round_down(int64_t x, int64_t multiple) { return x / multiple * multiple; }

nnl_gemm_blocks nnl_gemm_blocks_for(int mr, int nr, const nnl_cpu_caches *caches)
{
    const int64_t bytes = (int64_t)sizeof(float);
    nnl_gemm_blocks b;
    b.kc = clamp64(round_down(caches->l1d * 3 / 4 / (bytes * (mr + nr)), 16), KC_MIN, KC_MAX);
    b.nc = clamp64(round_down(caches->l2 / (bytes * b.kc), nr), 4 * (int64_t)nr, round_down(NC_MAX, nr));
    b.mc = round_down(caches->l2 / 4 / (bytes * b.kc), mr);
    if (b.mc < mr)
        b.mc = mr;
    return b;
}
