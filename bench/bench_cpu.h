/* The CPU a benchmark ran on, for its key=value output: every bench names
 * the CPU model and the SIMD level beside its numbers, since figures from
 * different machines do not compare. */
#ifndef NNL_BENCH_CPU_H
#define NNL_BENCH_CPU_H

#include <string.h>

#include "nnlite.h"

/* The brand string ("unknown" where the CPU gives none); a static buffer. */
static inline const char *bench_cpu_model(void)
{
    static nnl_cpu_info info = NNL_CPU_INFO_INIT;
    if (!info.model[0] && (nnl_cpu_info_get(&info) != NNL_OK || !info.model[0]))
        strcpy(info.model, "unknown");
    return info.model;
}

#endif
