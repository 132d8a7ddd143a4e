/* Adam / AdamW step for one parameter tensor through the fused SIMD kernel.
 * Bias corrections use the step number t = steps (already incremented). */
#include <math.h>

#include "kernels/kernels.h"
#include "optim/optimizer.h"

void nnl_adam_update(const nnl_optimizer *opt, float lr, float grad_scale, int decay, int64_t n, float *w,
                     const float *g, float *m, float *v)
{
    double t = (double)opt->steps;
    float bc1 = (float)(1.0 - pow(opt->beta1, t));
    float bc2 = (float)(1.0 - pow(opt->beta2, t));
    float wd = decay ? opt->weight_decay : 0.0f;
    nnl_kernels_active()->adam_update(n, w, g, m, v, lr, opt->beta1, opt->beta2, opt->epsilon, bc1, bc2, wd,
                                      grad_scale);
}
