/* Optimizer objects: creation, clipping, state binding and the step. */
#include "optim/optimizer.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/profile.h"
#include "kernels/kernels.h"

static nnl_status new_optimizer(nnl_optimizer **out, const char *who, nnl_optimizer_kind kind, const char *name,
                                float lr)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    if (!(lr > 0.0f) || !isfinite(lr))
        return nnl_error(NNL_E_INVALID_ARG, "%s: lr=%g, expected > 0", who, (double)lr);
    nnl_optimizer *opt = nnl_alloc_zeroed(sizeof *opt);
    if (!opt)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    opt->kind = kind;
    opt->name = name;
    opt->lr = lr;
    *out = opt;
    return NNL_OK;
}

nnl_status nnl_optimizer_sgd(nnl_optimizer **out, float lr, float momentum, int nesterov)
{
    if (!(momentum >= 0.0f && momentum < 1.0f) || (nesterov && momentum == 0.0f))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_optimizer_sgd: momentum=%g nesterov=%d; momentum in [0,1), "
                         "and > 0 for Nesterov", (double)momentum, nesterov);
    NNL_TRY(new_optimizer(out, "nnl_optimizer_sgd", NNL_OPTIMIZER_SGD, "sgd", lr));
    (*out)->momentum = momentum;
    (*out)->nesterov = nesterov != 0;
    return NNL_OK;
}

static nnl_status check_adam(const char *who, float beta1, float beta2, float epsilon, float weight_decay)
{
    if (!(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) || !(epsilon > 0.0f) ||
        !(weight_decay >= 0.0f) || !isfinite(epsilon) || !isfinite(weight_decay))
        return nnl_error(NNL_E_INVALID_ARG, "%s: beta1=%g beta2=%g epsilon=%g weight_decay=%g out of range", who,
                         (double)beta1, (double)beta2, (double)epsilon, (double)weight_decay);
    return NNL_OK;
}

nnl_status nnl_optimizer_adam(nnl_optimizer **out, float lr, float beta1, float beta2, float epsilon)
{
    NNL_TRY(check_adam("nnl_optimizer_adam", beta1, beta2, epsilon, 0.0f));
    NNL_TRY(new_optimizer(out, "nnl_optimizer_adam", NNL_OPTIMIZER_ADAM, "adam", lr));
    (*out)->beta1 = beta1;
    (*out)->beta2 = beta2;
    (*out)->epsilon = epsilon;
    return NNL_OK;
}

nnl_status nnl_optimizer_adamw(nnl_optimizer **out, float lr, float beta1, float beta2, float epsilon,
                               float weight_decay)
{
    NNL_TRY(check_adam("nnl_optimizer_adamw", beta1, beta2, epsilon, weight_decay));
    NNL_TRY(new_optimizer(out, "nnl_optimizer_adamw", NNL_OPTIMIZER_ADAM, "adamw", lr));
    (*out)->beta1 = beta1;
    (*out)->beta2 = beta2;
    (*out)->epsilon = epsilon;
    (*out)->weight_decay = weight_decay;
    return NNL_OK;
}

nnl_status nnl_optimizer_set_clip_norm(nnl_optimizer *opt, float max_norm)
{
    NNL_CHECK_PTR("nnl_optimizer_set_clip_norm", opt);
    if (!(max_norm >= 0.0f) || !isfinite(max_norm))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_optimizer_set_clip_norm: max_norm=%g, expected >= 0",
                         (double)max_norm);
    opt->clip_norm = max_norm;
    return NNL_OK;
}

static void free_state(nnl_optimizer *opt)
{
    for (int i = 0; i < opt->num_slots; i++) {
        nnl_dealloc(opt->first[i]);
        if (opt->second)
            nnl_dealloc(opt->second[i]);
    }
    nnl_dealloc(opt->first);
    nnl_dealloc(opt->second);
    nnl_dealloc(opt->slot_sizes);
    opt->first = opt->second = NULL;
    opt->slot_sizes = NULL;
    opt->num_slots = 0;
}

void nnl_optimizer_free(nnl_optimizer *opt)
{
    if (!opt || opt->owned)
        return;
    free_state(opt);
    nnl_dealloc(opt);
}

void nnl_optimizer_free_owned(nnl_optimizer *opt)
{
    if (!opt)
        return;
    opt->owned = 0;
    nnl_optimizer_free(opt);
}

float nnl_optimizer_learning_rate(const nnl_optimizer *opt)
{
    return opt ? nnl_schedule_lr(opt, opt->steps) : -1.0f;
}

int64_t nnl_optimizer_steps(const nnl_optimizer *opt) { return opt ? opt->steps : -1; }

nnl_status nnl_optimizer_bind(nnl_optimizer *opt, nnl_param *const *params, int n)
{
    free_state(opt);
    size_t ptrs = (size_t)(n > 0 ? n : 1) * sizeof(float *);
    opt->first = nnl_alloc_zeroed(ptrs);
    opt->second = opt->kind == NNL_OPTIMIZER_ADAM ? nnl_alloc_zeroed(ptrs) : NULL;
    opt->slot_sizes = nnl_alloc_zeroed((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
    if (!opt->first || !opt->slot_sizes || (opt->kind == NNL_OPTIMIZER_ADAM && !opt->second)) {
        free_state(opt);
        return nnl_error(NNL_E_NOMEM, "optimizer: out of memory for %d parameter slots", n);
    }
    opt->num_slots = n;
    for (int i = 0; i < n; i++) {
        if (!params[i]->grad)
            continue;
        int64_t size = params[i]->value->size;
        opt->slot_sizes[i] = size;
        nnl_status s = nnl_alloc_floats(&opt->first[i], size, "optimizer");
        if (s == NNL_OK && opt->second)
            s = nnl_alloc_floats(&opt->second[i], size, "optimizer");
        if (s != NNL_OK) {
            free_state(opt);
            return s;
        }
    }
    return NNL_OK;
}

/* 1 / max(1, norm / clip): the factor that brings the global norm to clip.
 * The norm is computed only when clipping asks for it (a pass over every
 * gradient); *norm is NaN otherwise. */
static nnl_status clip_scale(const nnl_optimizer *opt, nnl_param *const *params, int n, float clip, float *scale,
                             double *norm)
{
    *scale = 1.0f;
    *norm = NAN;
    if (clip == 0.0f)
        return NNL_OK;
    double sq = 0;
    const nnl_kernels *k = nnl_kernels_active();
    for (int i = 0; i < n; i++)
        if (params[i]->grad)
            sq += k->sum_squares(params[i]->grad->size, params[i]->grad->data);
    *norm = sqrt(sq);
    if (!isfinite(*norm))
        return nnl_error(NNL_E_NUMERIC, "optimizer: gradient norm is %g at step %lld", *norm,
                         (long long)(opt->steps + 1));
    if (*norm > clip)
        *scale = (float)(clip / *norm);
    return NNL_OK;
}

static nnl_status update_parameters(nnl_optimizer *opt, nnl_param *const *params, int n, float clip_norm,
                                    double *grad_norm)
{
    if (opt->num_slots != n)
        return nnl_error(NNL_E_INTERNAL, "optimizer: bound to %d parameters, stepped with %d", opt->num_slots, n);
    float scale;
    NNL_TRY(clip_scale(opt, params, n, clip_norm > 0.0f ? clip_norm : opt->clip_norm, &scale, grad_norm));
    float lr = nnl_schedule_lr(opt, opt->steps);
    opt->steps++;
    for (int i = 0; i < n; i++) {
        const nnl_param *p = params[i];
        if (!p->grad)
            continue;
        if (opt->kind == NNL_OPTIMIZER_SGD)
            nnl_sgd_update(opt, lr, scale, p->value->size, p->value->data, p->grad->data, opt->first[i]);
        else
            nnl_adam_update(opt, lr, scale, p->decay, p->value->size, p->value->data, p->grad->data, opt->first[i],
                            opt->second[i]);
    }
    return NNL_OK;
}

/* The step, an "optimizer.step" event of the profiler when it runs (core/profile.h). */
nnl_status nnl_optimizer_step(nnl_optimizer *opt, nnl_param *const *params, int n, float clip_norm,
                              double *grad_norm)
{
    if (!nnl_profile_on())
        return update_parameters(opt, params, n, clip_norm, grad_norm);
    nnl_profile_begin(NNL_PROFILE_OPTIMIZER, "optimizer.step", -1, NNL_PROFILE_NO_PHASE);
    nnl_status s = update_parameters(opt, params, n, clip_norm, grad_norm);
    nnl_profile_end(0);
    return s;
}
