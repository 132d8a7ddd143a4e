/* Adam/AdamW step and sum of squares, scalar reference (the oracle of
 * adam_simd.h).
 *
 *   adam_update: w[n], m[n], v[n] updated in place from g[n] (read only):
 *     g' = g * grad_scale
 *     m  = b1 m + (1 - b1) g'          v = b2 v + (1 - b2) g'^2
 *     w -= lr * ((m / bc1) / (sqrt(v / bc2) + eps) + wd * w)
 *   sum_squares: sum of x[n]^2 accumulated in double. */
#include <math.h>

#include "kernels/isa.h"

void nnl_adam_update_scalar(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                            float b1, float b2, float eps, float bc1, float bc2, float wd,
                            float grad_scale)
{
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * grad_scale;
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
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
