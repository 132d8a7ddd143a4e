/* Process-wide settings: SIMD level (chosen once) and thread count. */
#include "nnlite/runtime.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/error.h"
#include "core/threads.h"

static const char *const simd_names[] = {"scalar", "avx2", "avx512", "neon"};

const char *nnl_simd_name(nnl_simd level)
{
    if ((int)level < 0 || (int)level > NNL_SIMD_NEON)
        return "unknown";
    return simd_names[level];
}

/* NNL_SIMD lowers the level; an unknown name or a level the CPU lacks is
 * ignored, and *ignored is set so that the caller can say so. */
static nnl_simd choose_level(int *ignored)
{
    nnl_simd best = nnl_cpu_best_simd();
    const char *forced = getenv("NNL_SIMD");
    *ignored = 0;
    if (!forced)
        return best;
    for (int level = 0; level <= NNL_SIMD_NEON; level++) {
        if (strcmp(forced, simd_names[level]) == 0 && nnl_cpu_supports((nnl_simd)level))
            return (nnl_simd)level;
    }
    *ignored = 1;
    return best;
}

/* Chosen on first use, which may happen in many threads at once: each
 * computes the same level, the first compare-and-swap publishes it, and only
 * that thread logs a warning (after publishing, so that a log callback that
 * asks for the level gets it instead of recursing). An atomic rather than
 * pthread_once for that reason: no lock is held while the callback runs. */
static atomic_int chosen_level = -1;

nnl_simd nnl_simd_level(void)
{
    int level = atomic_load_explicit(&chosen_level, memory_order_acquire);
    if (level >= 0)
        return (nnl_simd)level;
    int ignored;
    int mine = (int)choose_level(&ignored);
    int expected = -1;
    if (atomic_compare_exchange_strong_explicit(&chosen_level, &expected, mine, memory_order_acq_rel,
                                                memory_order_acquire)) {
        if (ignored)
            nnl_log(NNL_LOG_WARN, "NNL_SIMD=%s is unknown or unsupported here; using %s",
                    getenv("NNL_SIMD"), simd_names[mine]);
        return (nnl_simd)mine;
    }
    return (nnl_simd)expected; /* another thread was first; same value */
}

nnl_status nnl_set_num_threads(int n)
{
    if (n < 1 || n > 1024)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_set_num_threads: n=%d, expected 1..1024", n);
    nnl_threads_set(n);
    return NNL_OK;
}

int nnl_get_num_threads(void) { return nnl_threads_get(); }
