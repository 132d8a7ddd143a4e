/* GPT training and evaluation: nanoGPT's options mapped onto the one model
 * stack. The optimizer is the library's AdamW (decay on matrices and
 * embeddings only) with linear warmup and cosine decay, gradient clipping is
 * fit's, batches are random windows drawn by fit's steps mode, validation
 * is nnl_model_evaluate_sampled(). What is the GPT's own: its progress
 * report and its checkpoint files (nnl_gpt_save). */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
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
    if (v != nnl_tokenizer_vocab_size(g->tokenizer))
        return nnl_error(NNL_E_SHAPE, "%s: the data's vocabulary has %lld tokens, the model's %lld", who,
                         (long long)v, (long long)nnl_tokenizer_vocab_size(g->tokenizer));
    for (int s = NNL_SPLIT_TRAIN; s <= NNL_SPLIT_VALIDATION; s++)
        if (nnl_text_dataset_length(data, (nnl_text_split)s) <= g->config.block_size)
            return nnl_error(NNL_E_SHAPE, "%s: the %s split has %lld tokens, need more than block_size=%lld",
                             who, s == NNL_SPLIT_TRAIN ? "training" : "validation",
                             (long long)nnl_text_dataset_length(data, (nnl_text_split)s), (long long)g->config.block_size);
    return NNL_OK;
}

/* AdamW with nanoGPT's schedule: warmup to learning_rate, cosine decay to
 * min_lr at lr_decay_iters (iters when 0), then min_lr. A model trained
 * before (or loaded from a checkpoint) keeps its moments and step count. */
static nnl_status configure_optimizer(nnl_gpt *g, const nnl_gpt_train_options *o, const char *who)
{
    nnl_model *m = g->model;
    if (!m->optimizer) {
        nnl_optimizer *adamw;
        NNL_TRY(nnl_optimizer_adamw(&adamw, o->learning_rate, o->beta1, o->beta2, 1e-8f, o->weight_decay));
        nnl_status s = nnl_model_attach(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, adamw);
        if (s != NNL_OK) {
            nnl_optimizer_free(adamw);
            return nnl_error_in(s, who);
        }
    }
    nnl_optimizer *opt = m->optimizer;
    opt->lr = o->learning_rate;
    opt->beta1 = o->beta1;
    opt->beta2 = o->beta2;
    opt->weight_decay = o->weight_decay;
    int64_t decay_iters = o->lr_decay_iters > 0 ? o->lr_decay_iters : o->iters;
    int64_t decay_steps = decay_iters - o->warmup_iters > 1 ? decay_iters - o->warmup_iters : 1;
    NNL_TRY(nnl_optimizer_set_warmup(opt, o->warmup_iters));
    return nnl_error_in(nnl_optimizer_schedule_cosine(opt, decay_steps, o->min_lr), who);
}

typedef struct train_run {
    nnl_gpt *g;
    const nnl_gpt_train_options *o;
    int64_t first_step;
    nnl_status checkpoint_status;
} train_run;

static int is_due(int64_t step, int64_t interval, int last) { return interval > 0 && (step % interval == 0 || last); }

/* Fit's report after each step becomes the GPT's; checkpoints are GPT files. */
static int on_step(const nnl_progress *p, void *user)
{
    train_run *run = user;
    const nnl_gpt_train_options *o = run->o;
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) != 0)
        return 0; /* fit's closing report repeats the last step's */
    int64_t step = (int64_t)nnl_progress_get(p, NNL_PROGRESS_STEP);
    if (is_due(step, o->checkpoint_interval, step == o->iters)) {
        run->checkpoint_status = nnl_gpt_save(run->g, o->checkpoint_path, NNL_GPT_SAVE_TRAINING);
        if (run->checkpoint_status != NNL_OK)
            return 1;
    }
    if (!o->progress)
        return 0;
    double elapsed = nnl_progress_get(p, NNL_PROGRESS_TOTAL_ELAPSED), done = (double)(step - run->first_step);
    nnl_gpt_progress r;
    r.values[NNL_GPT_PROGRESS_STEP] = (double)step;
    r.values[NNL_GPT_PROGRESS_STEPS] = (double)o->iters;
    r.values[NNL_GPT_PROGRESS_LOSS] = nnl_progress_get(p, NNL_PROGRESS_STEP_LOSS);
    r.values[NNL_GPT_PROGRESS_VAL_LOSS] = nnl_progress_get(p, NNL_PROGRESS_VAL_LOSS);
    r.values[NNL_GPT_PROGRESS_TOKENS_PER_S] =
        nnl_progress_get(p, NNL_PROGRESS_SAMPLES_PER_S) * (double)run->g->config.block_size;
    r.values[NNL_GPT_PROGRESS_ELAPSED] = elapsed;
    r.values[NNL_GPT_PROGRESS_ETA] = elapsed / done * (double)(o->iters - step);
    r.values[NNL_GPT_PROGRESS_LEARNING_RATE] = nnl_progress_get(p, NNL_PROGRESS_LEARNING_RATE);
    r.values[NNL_GPT_PROGRESS_GRAD_NORM] = nnl_progress_get(p, NNL_PROGRESS_GRAD_NORM);
    return o->progress(&r, o->user);
}

static nnl_status train(nnl_gpt *g, const nnl_text_dataset *data, const nnl_gpt_train_options *o, const char *who)
{
    NNL_TRY(configure_optimizer(g, o, who));
    train_run run = {g, o, nnl_gpt_step(g), NNL_OK};
    if (run.first_step >= o->iters)
        return NNL_OK;
    nnl_dataset *train = NULL, *validation = NULL;
    nnl_status s = nnl_dataset_from_text(&train, data, NNL_SPLIT_TRAIN, g->config.block_size);
    if (s == NNL_OK)
        s = nnl_dataset_from_text(&validation, data, NNL_SPLIT_VALIDATION, g->config.block_size);
    nnl_fit_options fit = NNL_FIT_OPTIONS_INIT;
    fit.steps = o->iters - run.first_step;
    fit.batch_size = o->batch_size;
    fit.validation = validation;
    fit.validation_interval = o->eval_interval;
    fit.validation_batches = o->eval_batches;
    fit.clip_norm = o->grad_clip;
    fit.seed = g->config.seed;
    fit.progress = on_step;
    fit.user = &run;
    if (s == NNL_OK)
        s = nnl_model_fit_with(g->model, train, &fit);
    nnl_dataset_free(train);
    nnl_dataset_free(validation);
    if (run.checkpoint_status != NNL_OK)
        return run.checkpoint_status;
    if (s == NNL_E_CANCELLED)
        return nnl_error(NNL_E_CANCELLED, "%s: stopped by the progress callback at step %lld", who,
                         (long long)nnl_gpt_step(g));
    return nnl_error_in(s, who);
}

nnl_status nnl_gpt_train(nnl_gpt *gpt, const nnl_text_dataset *data, const nnl_gpt_train_options *options)
{
    static const char who[] = "nnl_gpt_train";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, data);
    NNL_CHECK_PTR(who, options);
    nnl_gpt_train_options full; /* the caller's options at today's size (core/options.h) */
    NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_train_options, NNL_GPT_TRAIN_OPTIONS_INIT, NNL_GPT_TRAIN_OPTIONS_MIN_SIZE, &full,
                             options, who));
    NNL_TRY(check_options(&full, who));
    NNL_TRY(check_data(gpt, data, who));
    return train(gpt, data, &full, who);
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
    nnl_dataset *windows;
    NNL_TRY(nnl_error_in(nnl_dataset_from_text(&windows, data, split, gpt->config.block_size), who));
    nnl_status s = nnl_model_evaluate_sampled(gpt->model, windows, batches, batch_size, seed, loss, NULL);
    nnl_dataset_free(windows);
    if (s == NNL_E_NUMERIC) /* a batch's loss was NaN or infinite: so is the mean */
        *loss = NAN, s = NNL_OK;
    if (s == NNL_OK && !isfinite(*loss))
        return nnl_error(NNL_E_NUMERIC, "%s: the mean loss over %lld batches is %g", who, (long long)batches, *loss);
    return nnl_error_in(s, who);
}
