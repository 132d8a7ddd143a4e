/* Internal: optimizer state and the step that the training loop calls. */
#ifndef NNL_OPTIM_OPTIMIZER_H
#define NNL_OPTIM_OPTIMIZER_H

#include "nnlite/optim.h"
#include "optim/param.h"

typedef enum nnl_optimizer_kind { NNL_OPTIMIZER_SGD, NNL_OPTIMIZER_ADAM } nnl_optimizer_kind;
typedef enum nnl_schedule_kind { NNL_SCHEDULE_CONSTANT, NNL_SCHEDULE_STEP, NNL_SCHEDULE_COSINE } nnl_schedule_kind;

struct nnl_optimizer {
    nnl_optimizer_kind kind;
    const char *name;           /* "sgd", "adam", "adamw" */
    float lr, beta1, beta2, epsilon, weight_decay, momentum;
    int nesterov;
    float clip_norm;            /* 0 = off */
    int64_t warmup_steps;
    nnl_schedule_kind schedule;
    int64_t schedule_steps;     /* step: step_size; cosine: decay_steps */
    float schedule_gamma;       /* step: gamma; cosine: min_lr */
    int64_t steps;
    int owned;
    /* per-parameter state, bound to a model's parameter list */
    int num_slots;
    float **first;              /* Adam m, SGD velocity */
    float **second;             /* Adam v (NULL for SGD) */
    int64_t *slot_sizes;
};

/* Allocate zeroed state for `n` parameters (trainable ones get slots). */
nnl_status nnl_optimizer_bind(nnl_optimizer *opt, nnl_param *const *params, int n);
/* One step over all trainable params with their accumulated gradients
 * (already averaged over the batch). Clips the global norm to clip_norm when
 * > 0, else to the optimizer's own setting when set; *grad_norm receives the
 * norm before clipping, NaN when nothing clips. */
nnl_status nnl_optimizer_step(nnl_optimizer *opt, nnl_param *const *params, int n, float clip_norm,
                              double *grad_norm);
/* Learning rate at step t (warm-up and schedule applied). */
float nnl_schedule_lr(const nnl_optimizer *opt, int64_t t);

/* For the model that owns the optimizer. */
void nnl_optimizer_free_owned(nnl_optimizer *opt);

/* Per-kind updates of one parameter tensor (sgd.c, adam.c). */
void nnl_sgd_update(const nnl_optimizer *opt, float lr, float grad_scale, int64_t n, float *w, const float *g,
                    float *velocity);
void nnl_adam_update(const nnl_optimizer *opt, float lr, float grad_scale, int decay, int64_t n, float *w,
                     const float *g, float *m, float *v);

#endif
