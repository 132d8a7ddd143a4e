/* Internal: the dropout draw of one element, shared by the scalar oracle
 * (dropout.c) and the SIMD bodies (dropout_simd.h), which must agree bit
 * for bit.
 *
 * Element i of a call keyed by `seed` is dropped when the top 24 bits of
 * hash(seed, i) fall below rate * 2^24. The draw is a function of (seed, i),
 * not the next number of a generator, so that the mask does not depend on
 * the order elements are visited in: vector lanes, SIMD levels and any split
 * over threads give the same mask, and a call costs the model's generator
 * one 64-bit seed (two of its 32-bit numbers). The hash is two rounds of a 32-bit multiply-xorshift
 * mixer (the "lowbias32" constants of Wellons's hash search), the first on
 * the low word of i under the seed's low word, the second adding the high
 * word of i under the seed's high word. */
#ifndef NNL_KERNELS_DROPOUT_DRAW_H
#define NNL_KERNELS_DROPOUT_DRAW_H

#include <stdint.h>

#define NNL_DROPOUT_MUL1 0x7feb352du
#define NNL_DROPOUT_MUL2 0x846ca68bu

static inline uint32_t nnl_dropout_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= NNL_DROPOUT_MUL1;
    x ^= x >> 15;
    x *= NNL_DROPOUT_MUL2;
    x ^= x >> 16;
    return x;
}

/* The 24-bit draw of element i, uniform in [0, 2^24). */
static inline uint32_t nnl_dropout_draw(uint64_t seed, int64_t i)
{
    uint32_t h = nnl_dropout_mix((uint32_t)i ^ (uint32_t)seed);
    return nnl_dropout_mix(h ^ (uint32_t)((uint64_t)i >> 32) ^ (uint32_t)(seed >> 32)) >> 8;
}

/* Draws below this are dropped: rate * 2^24, rate in [0, 1). */
static inline uint32_t nnl_dropout_threshold(float rate) { return (uint32_t)((double)rate * 16777216.0); }

/* The kept elements' factor, 1 / (1 - rate) (inverted dropout). */
static inline float nnl_dropout_scale(float rate) { return 1.0f / (1.0f - rate); }

#endif
