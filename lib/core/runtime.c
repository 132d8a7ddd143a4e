/* Process-wide settings: SIMD level (chosen once) and thread count. */
#include "nnlite/runtime.h"

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

/* NNL_SIMD lowers the level; an unknown name or a level the CPU lacks is ignored. */
static nnl_simd choose_level(void)
{
    nnl_simd best = nnl_cpu_best_simd();
    const char *forced = getenv("NNL_SIMD");
    if (!forced)
        return best;
    for (int level = 0; level <= NNL_SIMD_NEON; level++) {
        if (strcmp(forced, simd_names[level]) == 0 && nnl_cpu_supports((nnl_simd)level))
            return (nnl_simd)level;
    }
    nnl_log(NNL_LOG_WARN, "NNL_SIMD=%s is unknown or unsupported here; using %s", forced,
            simd_names[best]);
    return best;
}

nnl_simd nnl_simd_level(void)
{
    static int chosen = -1;
    if (chosen < 0)
        chosen = (int)choose_level(); /* idempotent: a race writes the same value */
    return (nnl_simd)chosen;
}

nnl_status nnl_set_num_threads(int n)
{
    if (n < 1 || n > 1024)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_set_num_threads: n=%d, expected 1..1024", n);
    nnl_threads_set(n);
    return NNL_OK;
}

int nnl_get_num_threads(void) { return nnl_threads_get(); }
