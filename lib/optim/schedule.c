/* Learning-rate schedules: linear warm-up, then constant, step decay or
 * cosine decay to a floor. t counts optimizer steps from 0. */
#include <math.h>

#include "core/error.h"
#include "optim/optimizer.h"

float nnl_schedule_lr(const nnl_optimizer *opt, int64_t t)
{
    float base = opt->lr;
    if (t < opt->warmup_steps)
        return base * (float)(t + 1) / (float)opt->warmup_steps;
    int64_t after = t - opt->warmup_steps;
    switch (opt->schedule) {
    case NNL_SCHEDULE_STEP:
        return base * powf(opt->schedule_gamma, (float)(after / opt->schedule_steps));
    case NNL_SCHEDULE_COSINE: {
        float min_lr = opt->schedule_gamma;
        if (after >= opt->schedule_steps)
            return min_lr;
        double progress = (double)after / (double)opt->schedule_steps;
        return min_lr + (base - min_lr) * (float)(0.5 * (1.0 + cos(3.141592653589793 * progress)));
    }
    case NNL_SCHEDULE_CONSTANT:
        break;
    }
    return base;
}

nnl_status nnl_optimizer_set_warmup(nnl_optimizer *opt, int64_t warmup_steps)
{
    NNL_CHECK_PTR("nnl_optimizer_set_warmup", opt);
    if (warmup_steps < 0)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_optimizer_set_warmup: warmup_steps=%lld, expected >= 0",
                         (long long)warmup_steps);
    opt->warmup_steps = warmup_steps;
    return NNL_OK;
}

nnl_status nnl_optimizer_schedule_step(nnl_optimizer *opt, int64_t step_size, float gamma)
{
    NNL_CHECK_PTR("nnl_optimizer_schedule_step", opt);
    if (step_size < 1 || !(gamma > 0.0f && gamma <= 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_optimizer_schedule_step: step_size=%lld gamma=%g; need >= 1 and (0, 1]",
                         (long long)step_size, (double)gamma);
    opt->schedule = NNL_SCHEDULE_STEP;
    opt->schedule_steps = step_size;
    opt->schedule_gamma = gamma;
    return NNL_OK;
}

nnl_status nnl_optimizer_schedule_cosine(nnl_optimizer *opt, int64_t decay_steps, float min_lr)
{
    NNL_CHECK_PTR("nnl_optimizer_schedule_cosine", opt);
    if (decay_steps < 1 || !(min_lr >= 0.0f && min_lr <= opt->lr))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_optimizer_schedule_cosine: decay_steps=%lld min_lr=%g; need >= 1 "
                         "and [0, lr=%g]", (long long)decay_steps, (double)min_lr, (double)opt->lr);
    opt->schedule = NNL_SCHEDULE_COSINE;
    opt->schedule_steps = decay_steps;
    opt->schedule_gamma = min_lr;
    return NNL_OK;
}
