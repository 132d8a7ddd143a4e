/* Assembles one kernel table per SIMD level, once, and picks the active one.
 *
 * The tables follow from the list in ops.def: every entry starts as the
 * scalar oracle and a level replaces it with its own variant where the
 * list's flag for that level is 1. A level without its own variant thus
 * runs the scalar function (not, say, the AVX2 one on an AVX-512 level):
 * then NNL_SIMD=<level> tests exactly the code the list names.
 *
 * Thread-safety: the first kernel call may come from many threads at once
 * (8 threads predicting with a freshly loaded model). The tables are built
 * under pthread_once, and the active table is chosen under a second
 * pthread_once; both publish their writes to every later caller, so no
 * thread can see a half-filled table. */
#include "kernels/kernels.h"

#include <pthread.h>

#include "core/cpu.h"
#include "core/profile.h"
#include "kernels/isa.h"

#if NNL_HAVE_X86_KERNELS
#define NNL_ON_X86(...) __VA_ARGS__
#else
#define NNL_ON_X86(...)
#endif
#if NNL_HAVE_NEON_KERNELS
#define NNL_ON_NEON(...) __VA_ARGS__
#else
#define NNL_ON_NEON(...)
#endif

static nnl_kernels tables[NNL_SIMD_NEON + 1];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* Whether this build links the kernels of `level` (the CPU is asked apart). */
static int compiled_in(nnl_simd level)
{
    switch (level) {
    case NNL_SIMD_SCALAR: return 1;
    case NNL_SIMD_AVX2:
    case NNL_SIMD_AVX512: return NNL_HAVE_X86_KERNELS;
    case NNL_SIMD_NEON: return NNL_HAVE_NEON_KERNELS;
    }
    return 0;
}

static void fill(nnl_kernels *k, nnl_simd level)
{
    k->level = level;
#define NNL_KERNEL_OP(name, ret, params, avx2, avx512, neon)                                      \
    k->name = nnl_##name##_scalar;                                                            \
    NNL_ON_X86(NNL_KERNEL_IF(avx2, if (level == NNL_SIMD_AVX2) k->name = nnl_##name##_avx2;)) \
    NNL_ON_X86(NNL_KERNEL_IF(avx512, if (level == NNL_SIMD_AVX512) k->name = nnl_##name##_avx512;)) \
    NNL_ON_NEON(NNL_KERNEL_IF(neon, if (level == NNL_SIMD_NEON) k->name = nnl_##name##_neon;))
#include "kernels/ops.def"
#undef NNL_KERNEL_OP
}

static void build_tables(void)
{
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++)
        if (compiled_in((nnl_simd)level))
            fill(&tables[level], (nnl_simd)level);
}

const nnl_kernels *nnl_kernels_for(nnl_simd level)
{
    if ((int)level < 0 || level > NNL_SIMD_NEON || !compiled_in(level) || !nnl_cpu_supports(level))
        return NULL;
    pthread_once(&tables_once, build_tables);
    return &tables[level];
}

static const nnl_kernels *active;
static pthread_once_t active_once = PTHREAD_ONCE_INIT;

/* nnl_simd_level() only returns levels the CPU runs, but a build may lack
 * their kernels (an x86 CPU in a build without the x86 libraries). */
static void choose_active(void)
{
    active = nnl_kernels_for(nnl_simd_level());
    if (!active)
        active = nnl_kernels_for(NNL_SIMD_SCALAR);
}

/* While the profiler runs, every kernel call is recorded (profiled.c); the
 * test is the only cost the profiler adds to a kernel call when it is off. */
const nnl_kernels *nnl_kernels_active(void)
{
    pthread_once(&active_once, choose_active);
    if (nnl_profile_on())
        return nnl_kernels_profiled(active);
    return active;
}
