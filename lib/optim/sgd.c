/* SGD with momentum, PyTorch's formulation:
 *   v = momentum * v + g
 *   w -= lr * (nesterov ? g + momentum * v : v)      (v = g when momentum is 0) */
#include "optim/optimizer.h"

void nnl_sgd_update(const nnl_optimizer *opt, float lr, float grad_scale, int64_t n, float *w, const float *g,
                    float *velocity)
{
    float mu = opt->momentum;
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i] * grad_scale;
        float v = mu * velocity[i] + gi;
        velocity[i] = v;
        w[i] -= lr * (opt->nesterov ? gi + mu * v : v);
    }
}
