/**
 * @file nnlite/optim.h
 * @brief Optimizers (SGD, Adam, AdamW), learning-rate schedules and gradient clipping.
 *
 * @defgroup optim Optimizers
 * An optimizer is handed to a model by nnl_model_compile(), which then owns
 * it. Steps are counted in batches. Thread-safety: one thread at a time.
 * @{
 */
#ifndef NNLITE_OPTIM_H
#define NNLITE_OPTIM_H

#include <stdint.h>

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Opaque optimizer handle. */
typedef struct nnl_optimizer nnl_optimizer;

/**
 * @brief Stochastic gradient descent with optional (Nesterov) momentum.
 * @param out      receives the optimizer (caller owns it until nnl_model_compile()).
 * @param lr       learning rate, > 0.
 * @param momentum in [0, 1); 0 is plain SGD.
 * @param nesterov nonzero for Nesterov momentum (needs momentum > 0).
 * @return ::NNL_E_INVALID_ARG for out-of-range values.
 */
NNL_API nnl_status nnl_optimizer_sgd(nnl_optimizer **out, float lr, float momentum, int nesterov);

/**
 * @brief Adam (Kingma & Ba) with bias correction.
 * @param out     receives the optimizer (caller owns it until nnl_model_compile()).
 * @param lr      learning rate, > 0 (Keras default 1e-3).
 * @param beta1   in [0, 1) (0.9).
 * @param beta2   in [0, 1) (0.999).
 * @param epsilon > 0 (Keras 1e-7, PyTorch 1e-8).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or out-of-range values; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_optimizer_adam(nnl_optimizer **out, float lr, float beta1, float beta2, float epsilon);

/**
 * @brief AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), applied
 *        to weights but not to biases and normalisation parameters.
 * @param out          receives the optimizer (caller owns it until nnl_model_compile()).
 * @param lr           learning rate, > 0.
 * @param beta1        in [0, 1).
 * @param beta2        in [0, 1).
 * @param epsilon      > 0.
 * @param weight_decay >= 0 (e.g. 0.01 or 0.1).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or out-of-range values; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_optimizer_adamw(nnl_optimizer **out, float lr, float beta1, float beta2,
                                       float epsilon, float weight_decay);

/**
 * @brief Clip the global gradient norm to @p max_norm before each step.
 * @param opt      the optimizer (before or after nnl_model_compile()).
 * @param max_norm the largest L2 norm of all gradients together, >= 0; 0 disables.
 * @return ::NNL_E_INVALID_ARG for a NULL @p opt or when max_norm is negative or not finite.
 */
NNL_API nnl_status nnl_optimizer_set_clip_norm(nnl_optimizer *opt, float max_norm);

/**
 * @brief Linear warm-up from 0 to the base rate over the first @p warmup_steps steps;
 *        combines with a step or cosine schedule.
 * @param opt          the optimizer.
 * @param warmup_steps steps of warm-up, >= 0; 0 disables.
 * @return ::NNL_E_INVALID_ARG for a NULL @p opt or a negative count.
 */
NNL_API nnl_status nnl_optimizer_set_warmup(nnl_optimizer *opt, int64_t warmup_steps);

/**
 * @brief Step decay: the rate is multiplied by @p gamma every @p step_size steps.
 *        Replaces a cosine schedule set before.
 * @param opt       the optimizer.
 * @param step_size >= 1 steps.
 * @param gamma     in (0, 1].
 * @return ::NNL_E_INVALID_ARG for a NULL @p opt or out-of-range values.
 */
NNL_API nnl_status nnl_optimizer_schedule_step(nnl_optimizer *opt, int64_t step_size, float gamma);

/**
 * @brief Cosine decay from the base rate to @p min_lr over @p decay_steps steps
 *        (counted after warm-up), then constant at @p min_lr. Replaces a step
 *        schedule set before.
 * @param opt         the optimizer.
 * @param decay_steps >= 1.
 * @param min_lr      in [0, base rate].
 * @return ::NNL_E_INVALID_ARG for a NULL @p opt or out-of-range values.
 */
NNL_API nnl_status nnl_optimizer_schedule_cosine(nnl_optimizer *opt, int64_t decay_steps, float min_lr);

/**
 * @brief Learning rate of the next step, with warm-up and schedule applied.
 * @param opt the optimizer.
 * @return the rate, or -1 for NULL.
 */
NNL_API float nnl_optimizer_learning_rate(const nnl_optimizer *opt);

/**
 * @brief Steps taken so far (restored by nnl_model_load() with the optimizer state).
 * @param opt the optimizer.
 * @return the count, or -1 for NULL.
 */
NNL_API int64_t nnl_optimizer_steps(const nnl_optimizer *opt);

/**
 * @brief Free an optimizer that no model owns.
 * @param opt the optimizer, or NULL (a no-op). An optimizer handed to
 *            nnl_model_compile() is left alone: the model frees it.
 */
NNL_API void nnl_optimizer_free(nnl_optimizer *opt);

NNL_END_DECLS

#endif
/** @} */
