/* Internal: what SIMD the CPU and OS support (cpu.c), its name and its
 * caches (cpu_caches.c). */
#ifndef NNL_CORE_CPU_H
#define NNL_CORE_CPU_H

#include <stdint.h>

#include "nnlite/runtime.h"

/* Best level this machine can run (CPU has it and the OS saves its registers). */
nnl_simd nnl_cpu_best_simd(void);

/* Whether `level` can run here. */
int nnl_cpu_supports(nnl_simd level);

/* The data caches one core uses, in bytes. */
typedef struct nnl_cpu_caches {
    int64_t l1d; /* level-1 data cache of a core (32 KB when unknown) */
    int64_t l2;  /* level-2 cache of a core (256 KB when unknown) */
    int64_t l3;  /* level-3 cache, shared (0: none or unknown) */
} nnl_cpu_caches;

/* Read once, from cpuid or the C library (see cpu_caches.c); thread-safe. */
const nnl_cpu_caches *nnl_cpu_caches_get(void);

/* The CPU's brand string, "" where the CPU gives none. */
const char *nnl_cpu_model(void);

#endif
