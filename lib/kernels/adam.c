/* Adam/AdamW step and sum of squares, scalar reference (the oracle of
 * adam_simd.h).
 *
 *   adam_update: w[n], m[n], v[n] updated in place from g[n] (read only):
 *     g' = g * grad_scale
 *     m  = b1 m + (1 - b1) g'          v = b2 v + (1 - b2) g'^2
 *     w -= lr * ((m / bc1) / (sqrt(v / bc2) + eps) + wd * w)
 *   m and v below FLT_MIN in magnitude are stored as 0 (see flush_tiny).
 *   sum_squares: sum of x[n]^2 accumulated in double. */
#include <float.h>
#include <math.h>

#include "kernels/isa.h"

/* A weight whose gradient stays 0 (a dead ReLU unit, a digit's blank
 * border pixel) has moments that decay by b1 and b2 every step until they
 * become subnormal, and x86 cores take a microcode assist of ~100 cycles on
 * every subnormal operand: on Fashion-MNIST that made Adam 55% of the
 * training time. A moment below FLT_MIN moves its weight by less than
 * 1e-30 lr, so storing it as 0 changes nothing that a float can show. */
static float flush_tiny(float x) { return fabsf(x) < FLT_MIN ? 0.0f : x; }

void nnl_adam_update_scalar(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                            float b1, float b2, float eps, float bc1, float bc2, float wd,
                            float grad_scale)
{
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * grad_scale;
        float mi = flush_tiny(b1 * m[i] + (1.0f - b1) * gi);
        float vi = flush_tiny(b2 * v[i] + (1.0f - b2) * gi * gi);
        m[i] = mi;
        v[i] = vi;
        w[i] -= lr * ((mi / bc1) / (sqrtf(vi / bc2) + eps) + wd * w[i]);
    }
}

double nnl_sum_squares_scalar(int64_t n, const float *x)
{
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += (double)x[i] * x[i];
    return sum;
}
