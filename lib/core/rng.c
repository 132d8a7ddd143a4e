/* PCG32: 64-bit LCG state, XSH-RR output. */
#include "core/rng.h"

#include <math.h>

void nnl_rng_seed(nnl_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->state = 0;
    rng->increment = (stream << 1u) | 1u;
    nnl_rng_u32(rng);
    rng->state += seed;
    nnl_rng_u32(rng);
}

uint32_t nnl_rng_u32(nnl_rng *rng)
{
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->increment;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

float nnl_rng_uniform(nnl_rng *rng) { return (float)(nnl_rng_u32(rng) >> 8) * (1.0f / 16777216.0f); }

uint32_t nnl_rng_below(nnl_rng *rng, uint32_t bound)
{
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = nnl_rng_u32(rng);
        if (r >= threshold)
            return r % bound;
    }
}

float nnl_rng_normal(nnl_rng *rng)
{
    /* 1 - u is in (0, 1], so the log is finite. */
    double u1 = 1.0 - (double)nnl_rng_uniform(rng);
    double u2 = (double)nnl_rng_uniform(rng);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
