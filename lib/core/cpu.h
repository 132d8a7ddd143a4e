/* Internal: what SIMD the CPU and OS support. */
#ifndef NNL_CORE_CPU_H
#define NNL_CORE_CPU_H

#include "nnlite/runtime.h"

/* Best level this machine can run (CPU has it and the OS saves its registers). */
nnl_simd nnl_cpu_best_simd(void);

/* Whether `level` can run here. */
int nnl_cpu_supports(nnl_simd level);

#endif
