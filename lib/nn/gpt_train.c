/* GPT training: the step (forward, backward, clip, AdamW), the learning
 * rate schedule, periodic validation, checkpoints and progress reports. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
#include "kernels/kernels.h"
#include "nn/gpt_internal.h"

struct nnl_gpt_progress {
    double values[NNL_GPT_PROGRESS_GRAD_NORM + 1];
};

double nnl_gpt_progress_get(const nnl_gpt_progress *progress, nnl_gpt_progress_key key)
{
    if (!progress || (int)key < 0 || key > NNL_GPT_PROGRESS_GRAD_NORM)
        return NAN;
    return progress->values[key];
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* nanoGPT's get_lr: linear warmup, cosine decay to min_lr, then min_lr. */
static float learning_rate(const nnl_gpt_train_options *o, int64_t it)
{
    int64_t decay_iters = o->lr_decay_iters > 0 ? o->lr_decay_iters : o->iters;
    if (it < o->warmup_iters)
        return o->learning_rate * (float)(it + 1) / (float)(o->warmup_iters + 1);
    if (it >= decay_iters)
        return o->min_lr;
    double ratio = (double)(it - o->warmup_iters) / (double)(decay_iters - o->warmup_iters);
    double coeff = 0.5 * (1.0 + cos(3.14159265358979323846 * ratio));
    return o->min_lr + (float)coeff * (o->learning_rate - o->min_lr);
}

/* Split drawn windows of T + 1 tokens into inputs and targets. */
static void load_batch(gpt_acts *a, const int32_t *windows, int64_t B, int64_t T)
{
    for (int64_t b = 0; b < B; b++) {
        memcpy(a->inputs + b * T, windows + b * (T + 1), sizeof(int32_t) * (size_t)T);
        memcpy(a->targets + b * T, windows + b * (T + 1) + 1, sizeof(int32_t) * (size_t)T);
    }
}

static void draw_batch(nnl_gpt *g, const nnl_text_dataset *data, nnl_text_split split, int64_t B,
                       nnl_rng *rng)
{
    nnl_text_dataset_draw(data, split, B, g->T, rng, g->acts.windows);
    load_batch(&g->acts, g->acts.windows, B, g->T);
}

/* One AdamW update of every tensor; weight decay only where t->decay. */
static void adamw_update(nnl_gpt *g, const nnl_kernels *k, const nnl_gpt_train_options *o, float lr,
                         float grad_scale)
{
    int64_t t = g->step + 1;
    float bc1 = 1.0f - powf(o->beta1, (float)t);
    float bc2 = 1.0f - powf(o->beta2, (float)t);
    for (int i = 0; i < g->num_tensors; i++) {
        const gpt_tensor_info *ti = &g->tensors[i];
        k->adam_update(ti->count, g->params + ti->offset, g->grads + ti->offset, g->adam_m + ti->offset,
                       g->adam_v + ti->offset, lr, o->beta1, o->beta2, 1e-8f, bc1, bc2,
                       ti->decay ? o->weight_decay : 0.0f, grad_scale);
    }
}

static nnl_status check_options(const nnl_gpt_train_options *o, const char *who)
{
    if (o->iters < 0 || o->batch_size < 1 || o->batch_size > (1 << 20) || o->warmup_iters < 0 ||
        o->lr_decay_iters < 0 || o->eval_interval < 0 || o->eval_batches < 1 || o->checkpoint_interval < 0)
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: iters=%lld batch_size=%lld warmup_iters=%lld lr_decay_iters=%lld eval_interval=%lld "
                         "eval_batches=%lld checkpoint_interval=%lld out of range",
                         who, (long long)o->iters, (long long)o->batch_size, (long long)o->warmup_iters,
                         (long long)o->lr_decay_iters, (long long)o->eval_interval, (long long)o->eval_batches,
                         (long long)o->checkpoint_interval);
    int64_t decay = o->lr_decay_iters > 0 ? o->lr_decay_iters : o->iters;
    if (!(o->learning_rate > 0.0f) || !(o->min_lr >= 0.0f) || !(o->weight_decay >= 0.0f) ||
        !(o->beta1 >= 0.0f && o->beta1 < 1.0f) || !(o->beta2 >= 0.0f && o->beta2 < 1.0f) ||
        !(o->grad_clip >= 0.0f) || (decay > 0 && decay < o->warmup_iters))
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: learning_rate=%g min_lr=%g weight_decay=%g beta1=%g beta2=%g grad_clip=%g "
                         "(or lr_decay_iters < warmup_iters) out of range",
                         who, (double)o->learning_rate, (double)o->min_lr, (double)o->weight_decay,
                         (double)o->beta1, (double)o->beta2, (double)o->grad_clip);
    if (o->checkpoint_interval > 0 && !o->checkpoint_path)
        return nnl_error(NNL_E_INVALID_ARG, "%s: checkpoint_interval=%lld but checkpoint_path is NULL", who,
                         (long long)o->checkpoint_interval);
    return NNL_OK;
}

static nnl_status check_data(const nnl_gpt *g, const nnl_text_dataset *data, const char *who)
{
    int64_t v = nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(data));
    if (v != g->V)
        return nnl_error(NNL_E_SHAPE, "%s: the data's vocabulary has %lld tokens, the model's %lld", who,
                         (long long)v, (long long)g->V);
    for (int s = NNL_SPLIT_TRAIN; s <= NNL_SPLIT_VALIDATION; s++)
        if (nnl_text_dataset_length(data, (nnl_text_split)s) <= g->T)
            return nnl_error(NNL_E_SHAPE, "%s: the %s split has %lld tokens, need more than block_size=%lld",
                             who, s == NNL_SPLIT_TRAIN ? "training" : "validation",
                             (long long)nnl_text_dataset_length(data, (nnl_text_split)s), (long long)g->T);
    return NNL_OK;
}

/* Mean validation-style loss over `batches` batches drawn from a generator
 * seeded with `seed`, at the current activation shape (B = batch_size). */
static double evaluate_loss(nnl_gpt *g, const nnl_text_dataset *data, nnl_text_split split, int64_t batches,
                            int64_t B, uint64_t seed)
{
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 2);
    double total = 0.0;
    for (int64_t i = 0; i < batches; i++) {
        draw_batch(g, data, split, B, &rng);
        total += gpt_forward(g, B, g->T, 1, 0);
    }
    return total / (double)(batches * B * g->T);
}

nnl_status nnl_gpt_evaluate(nnl_gpt *gpt, const nnl_text_dataset *data, nnl_text_split split, int64_t batches,
                            int64_t batch_size, uint64_t seed, double *loss)
{
    static const char who[] = "nnl_gpt_evaluate";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, data);
    NNL_CHECK_PTR(who, loss);
    if (batches < 1 || batch_size < 1 || batch_size > (1 << 20) || (unsigned)split > NNL_SPLIT_VALIDATION)
        return nnl_error(NNL_E_INVALID_ARG, "%s: batches=%lld batch_size=%lld split=%d out of range", who,
                         (long long)batches, (long long)batch_size, (int)split);
    NNL_TRY(check_data(gpt, data, who));
    NNL_TRY(gpt_acts_ensure(gpt, batch_size, gpt->T, who));
    *loss = evaluate_loss(gpt, data, split, batches, batch_size, seed);
    if (!isfinite(*loss))
        return nnl_error(NNL_E_NUMERIC, "%s: the mean loss over %lld batches is %g", who, (long long)batches, *loss);
    return NNL_OK;
}

/* One optimizer step on a fresh batch; returns the batch's mean loss. */
static nnl_status train_step(nnl_gpt *g, const nnl_text_dataset *data, const nnl_gpt_train_options *o,
                             const nnl_kernels *k, float lr, double *loss, double *grad_norm)
{
    const int64_t B = o->batch_size, T = g->T;
    draw_batch(g, data, NNL_SPLIT_TRAIN, B, &g->rng);
    *loss = gpt_forward(g, B, T, 1, 1) / (double)(B * T);
    if (!isfinite(*loss))
        return nnl_error(NNL_E_NUMERIC, "nnl_gpt_train: loss is %g at step %lld", *loss, (long long)(g->step + 1));
    memset(g->grads, 0, sizeof(float) * (size_t)g->num_params);
    gpt_backward(g, B, T);
    *grad_norm = sqrt(k->sum_squares(g->num_params, g->grads)); /* alignment padding is 0 */
    if (!isfinite(*grad_norm))
        return nnl_error(NNL_E_NUMERIC, "nnl_gpt_train: gradient norm is %g at step %lld", *grad_norm,
                         (long long)(g->step + 1));
    float scale = o->grad_clip > 0.0f && *grad_norm > o->grad_clip ? o->grad_clip / (float)*grad_norm : 1.0f;
    adamw_update(g, k, o, lr, scale);
    g->step++;
    return NNL_OK;
}

static int is_multiple(int64_t step, int64_t interval) { return interval > 0 && step % interval == 0; }

nnl_status nnl_gpt_train(nnl_gpt *gpt, const nnl_text_dataset *data, const nnl_gpt_train_options *options)
{
    static const char who[] = "nnl_gpt_train";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, data);
    NNL_CHECK_PTR(who, options);
    nnl_gpt_train_options full; /* the caller's options at today's size (core/options.h) */
    NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_train_options, NNL_GPT_TRAIN_OPTIONS_INIT, NNL_GPT_TRAIN_OPTIONS_MIN_SIZE, &full,
                             options, who));
    options = &full;
    NNL_TRY(check_options(options, who));
    NNL_TRY(check_data(gpt, data, who));
    NNL_TRY(gpt_ensure_training_state(gpt, who));
    NNL_TRY(gpt_acts_ensure(gpt, options->batch_size, gpt->T, who));

    const nnl_kernels *k = nnl_kernels_active();
    const int64_t first = gpt->step, tokens_per_step = options->batch_size * gpt->T;
    const double start = now_seconds();
    nnl_gpt_progress report;
    while (gpt->step < options->iters) {
        float lr = learning_rate(options, gpt->step);
        double loss = 0.0, grad_norm = 0.0;
        NNL_TRY(train_step(gpt, data, options, k, lr, &loss, &grad_norm));
        int64_t step = gpt->step;
        double val_loss = NAN;
        if (is_multiple(step, options->eval_interval) || step == options->iters)
            val_loss = evaluate_loss(gpt, data, NNL_SPLIT_VALIDATION, options->eval_batches, options->batch_size,
                                     gpt->config.seed);
        if (is_multiple(step, options->checkpoint_interval) || (options->checkpoint_interval > 0 && step == options->iters))
            NNL_TRY(nnl_gpt_save(gpt, options->checkpoint_path, NNL_GPT_SAVE_TRAINING));
        if (options->progress) {
            double elapsed = now_seconds() - start;
            double done = (double)(step - first);
            report.values[NNL_GPT_PROGRESS_STEP] = (double)step;
            report.values[NNL_GPT_PROGRESS_STEPS] = (double)options->iters;
            report.values[NNL_GPT_PROGRESS_LOSS] = loss;
            report.values[NNL_GPT_PROGRESS_VAL_LOSS] = val_loss;
            report.values[NNL_GPT_PROGRESS_TOKENS_PER_S] = elapsed > 0 ? done * (double)tokens_per_step / elapsed : 0.0;
            report.values[NNL_GPT_PROGRESS_ELAPSED] = elapsed;
            report.values[NNL_GPT_PROGRESS_ETA] = elapsed / done * (double)(options->iters - step);
            report.values[NNL_GPT_PROGRESS_LEARNING_RATE] = lr;
            report.values[NNL_GPT_PROGRESS_GRAD_NORM] = grad_norm;
            if (options->progress(&report, options->user) != 0)
                return nnl_error(NNL_E_CANCELLED, "%s: stopped by the progress callback at step %lld", who,
                                 (long long)step);
        }
    }
    return NNL_OK;
}
