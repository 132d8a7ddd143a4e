/* Dropout, scalar reference (the oracle of dropout_simd.h):
 *
 *   mask[n] = draw(seed, i) < rate * 2^24 ? 0 : 1 / (1 - rate)
 *   y[n]    = x[n] * mask[n]
 *
 * The draw is dropout_draw.h's hash of (seed, i). */
#include "kernels/dropout_draw.h"
#include "kernels/isa.h"

void nnl_dropout_forward_scalar(int64_t n, uint64_t seed, float rate, const float *x, float *y, float *mask)
{
    const uint32_t threshold = nnl_dropout_threshold(rate);
    const float scale = nnl_dropout_scale(rate);
    for (int64_t i = 0; i < n; i++) {
        mask[i] = nnl_dropout_draw(seed, i) < threshold ? 0.0f : scale;
        y[i] = x[i] * mask[i];
    }
}
