/* CPU feature detection: cpuid for what the CPU has, xgetbv for what the OS
 * saves on a context switch (a CPU with AVX-512 under an OS that does not
 * enable the ZMM state must not run AVX-512 code). */
#include "core/cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stdatomic.h>
#include <stdint.h>

static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

#define XCR0_SSE_AVX 0x6u        /* XMM and YMM state */
#define XCR0_AVX512 0xe6u        /* plus opmask, ZMM_Hi256, Hi16_ZMM */
#define LEAF1_ECX_FMA (1u << 12)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_AVX (1u << 28)
#define LEAF7_EBX_AVX2 (1u << 5)
#define LEAF7_EBX_AVX512F (1u << 16)
#define LEAF7_EBX_AVX512DQ (1u << 17)
#define LEAF7_EBX_AVX512BW (1u << 30)
#define LEAF7_EBX_AVX512VL (1u << 31)

static nnl_simd detect(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return NNL_SIMD_SCALAR;
    unsigned need1 = LEAF1_ECX_FMA | LEAF1_ECX_OSXSAVE | LEAF1_ECX_AVX;
    if ((ecx & need1) != need1)
        return NNL_SIMD_SCALAR;
    uint64_t xcr0 = read_xcr0();
    if ((xcr0 & XCR0_SSE_AVX) != XCR0_SSE_AVX)
        return NNL_SIMD_SCALAR;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & LEAF7_EBX_AVX2))
        return NNL_SIMD_SCALAR;
    unsigned need512 = LEAF7_EBX_AVX512F | LEAF7_EBX_AVX512DQ | LEAF7_EBX_AVX512BW | LEAF7_EBX_AVX512VL;
    if ((ebx & need512) == need512 && (xcr0 & XCR0_AVX512) == XCR0_AVX512)
        return NNL_SIMD_AVX512;
    return NNL_SIMD_AVX2;
}

/* Detected on first use, possibly by several threads at once: each writes
 * the same value, and an atomic makes that race well defined (a plain
 * static would be a data race, undefined behaviour that ThreadSanitizer
 * reports). Relaxed order suffices: the value carries no other data. */
static atomic_int best_level = -1;

nnl_simd nnl_cpu_best_simd(void)
{
    int best = atomic_load_explicit(&best_level, memory_order_relaxed);
    if (best < 0) {
        best = (int)detect();
        atomic_store_explicit(&best_level, best, memory_order_relaxed);
    }
    return (nnl_simd)best;
}

int nnl_cpu_supports(nnl_simd level)
{
    return level != NNL_SIMD_NEON && level <= nnl_cpu_best_simd();
}

#elif defined(__aarch64__)

nnl_simd nnl_cpu_best_simd(void) { return NNL_SIMD_NEON; } /* NEON is mandatory on AArch64 */
int nnl_cpu_supports(nnl_simd level) { return level == NNL_SIMD_SCALAR || level == NNL_SIMD_NEON; }

#else

nnl_simd nnl_cpu_best_simd(void) { return NNL_SIMD_SCALAR; }
int nnl_cpu_supports(nnl_simd level) { return level == NNL_SIMD_SCALAR; }

#endif
