/* Internal: PCG32 (O'Neill, pcg-random.org), the project's one random number
 * generator, so the same seed gives the same numbers on every platform. */
#ifndef NNL_CORE_RNG_H
#define NNL_CORE_RNG_H

#include <stdint.h>

typedef struct nnl_rng {
    uint64_t state;
    uint64_t increment; /* odd: selects the stream */
} nnl_rng;

void nnl_rng_seed(nnl_rng *rng, uint64_t seed, uint64_t stream);
uint32_t nnl_rng_u32(nnl_rng *rng);
/* Uniform in [0, 1) with 24 random bits (exact in float). */
float nnl_rng_uniform(nnl_rng *rng);
/* Uniform integer in [0, bound) without modulo bias; bound >= 1. */
uint32_t nnl_rng_below(nnl_rng *rng, uint32_t bound);
/* Standard normal by Box-Muller (uses two uniforms per call, no caching, so
 * that the stream position is a simple function of the call count). */
float nnl_rng_normal(nnl_rng *rng);

#endif
