/* LayerNorm over the last axis: the scalar reference (the oracle).
 *
 *   forward   x (rows, cols) -> out (rows, cols), mean (rows), rstd (rows)
 *             out[r,c] = (x[r,c] - mean[r]) * rstd[r] * weight[c] + bias[c]
 *   backward  dout (rows, cols) -> dx += , dweight += , dbias +=
 *
 * Mean and variance are computed in two passes (not E[x^2] - E[x]^2) so that
 * rows with a large mean keep their precision. */
#include <math.h>

#include "kernels/isa.h"

void nnl_layernorm_forward_scalar(int64_t rows, int64_t cols, const float *x, const float *weight,
                                  const float *bias, float eps, float *out, float *mean,
                                  float *rstd)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = out + r * cols;
        float sum = 0.0f;
        for (int64_t c = 0; c < cols; c++)
            sum += xr[c];
        float m = sum / (float)cols;
        float var = 0.0f;
        for (int64_t c = 0; c < cols; c++) {
            float d = xr[c] - m;
            var += d * d;
        }
        float s = 1.0f / sqrtf(var / (float)cols + eps);
        for (int64_t c = 0; c < cols; c++)
            yr[c] = (xr[c] - m) * s * weight[c] + bias[c];
        if (mean)
            mean[r] = m;
        if (rstd)
            rstd[r] = s;
    }
}

/* With xhat = (x - mean) * rstd and g = dout * weight:
 *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat))
 * (llm.c's layernorm_backward). Gradients are added, not assigned, so that
 * the residual stream's gradient can flow straight into dx. */
void nnl_layernorm_backward_scalar(int64_t rows, int64_t cols, const float *dout, const float *x,
                                   const float *weight, const float *mean, const float *rstd,
                                   float *dx, float *dweight, float *dbias)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *dyr = dout + r * cols;
        const float *xr = x + r * cols;
        float *dxr = dx + r * cols;
        float m = mean[r], s = rstd[r];
        float g_mean = 0.0f, gx_mean = 0.0f;
        for (int64_t c = 0; c < cols; c++) {
            float xhat = (xr[c] - m) * s;
            float g = dyr[c] * weight[c];
            g_mean += g;
            gx_mean += g * xhat;
        }
        g_mean /= (float)cols;
        gx_mean /= (float)cols;
        for (int64_t c = 0; c < cols; c++) {
            float xhat = (xr[c] - m) * s;
            float g = dyr[c] * weight[c];
            dbias[c] += dyr[c];
            dweight[c] += xhat * dyr[c];
            dxr[c] += s * (g - g_mean - xhat * gx_mean);
        }
    }
}
