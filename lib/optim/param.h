/* Internal: a parameter as the optimizers see it: a value tensor, its
 * gradient and whether weight decay applies. Layers (lib/nn/layer.h) hold
 * their parameters in this form; it lives at the optimizers' level so that
 * lib/optim does not depend on lib/nn (the dependency rule,
 * docs/architecture.md). */
#ifndef NNL_OPTIM_PARAM_H
#define NNL_OPTIM_PARAM_H

#include "core/tensor.h"

typedef struct nnl_param {
    const char *name;   /* static: "kernel", "bias", "gamma", ... */
    nnl_tensor *value;
    nnl_tensor *grad;   /* NULL for non-trainable state (batch-norm statistics) */
    int decay;          /* AdamW weight decay applies (weights, not biases) */
} nnl_param;

#endif
