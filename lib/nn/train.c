/* The training loop: nnl_model_fit_with() by epochs or by steps, and
 * nnl_model_fit() on it.
 *
 * One step: gather a batch (with augmentation) -> forward (training) ->
 * loss and dL/dy -> zero grads -> backward -> optimizer step (clipping,
 * schedule) -> a history row (history.c, reserved before the first step)
 * -> the progress report. All batch buffers live in the model and are
 * reused; nothing is allocated per step. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/profile.h"
#include "core/threads.h"
#include "data/dataset.h"
#include "nn/f1.h"
#include "nn/model.h"

enum { LAST_KEY = NNL_PROGRESS_VAL_HAMMING_LOSS };

struct nnl_progress {
    double values[LAST_KEY + 1];
};

double nnl_progress_get(const nnl_progress *progress, nnl_progress_key key)
{
    if (!progress || (unsigned)key > LAST_KEY)
        return NAN;
    return progress->values[key];
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What a run has done so far, for its progress reports. */
typedef struct run_state {
    const nnl_fit_options *o;
    const char *who;               /* the public function, for messages */
    int64_t *indices;              /* batch_size (steps) or every sample (epochs) */
    double start, epoch_start;
    int64_t samples;               /* trained on in this call */
    nnl_loss_result epoch;         /* since the epoch started */
    double step_loss, grad_norm;   /* of the last step */
    nnl_loss_result step_result;   /* of the last step's batch alone */
    double tokens_per_sample;      /* T of a (T, classes) sequence output, else 0 */
    int64_t epoch_number, batch;   /* where the run is: epochs mode (0 in steps mode) */
    nnl_progress p;
} run_state;

static nnl_status run_step(nnl_model *m, const nnl_dataset *train, const int64_t *indices, int64_t batch,
                           nnl_rng *augment, nnl_rng *dropout, run_state *rs)
{
    const char *who = rs->who;
    const nnl_forward_ctx ctx = {.training = 1, .rng = dropout};
    nnl_loss_result r;
    NNL_TRY(nnl_model_batch_forward(m, train, indices, batch, &ctx, augment, who, &r));
    rs->step_loss = r.sum / (double)(r.count > 0 ? r.count : 1);
    rs->step_result = r;
    if (!isfinite(r.sum) && rs->epoch_number > 0)
        return nnl_error(NNL_E_NUMERIC, "%s: loss is %g at epoch %lld, batch %lld", who, r.sum,
                         (long long)rs->epoch_number, (long long)rs->batch);
    if (!isfinite(r.sum))
        return nnl_error(NNL_E_NUMERIC, "%s: loss is %g at step %lld", who, r.sum,
                         (long long)(m->optimizer->steps + 1));
    NNL_TRY(nnl_model_backward(m));
    NNL_TRY(nnl_optimizer_step(m->optimizer, m->param_ptrs, m->num_params, rs->o->clip_norm, &rs->grad_norm));
    nnl_loss_result_add(&rs->epoch, &r);
    rs->samples += batch;
    return NNL_OK;
}

/* One step, a "fit.step" event of the profiler when it runs (core/profile.h). */
static nnl_status train_step(nnl_model *m, const nnl_dataset *train, const int64_t *indices, int64_t batch,
                             nnl_rng *augment, nnl_rng *dropout, run_state *rs)
{
    if (!nnl_profile_on())
        return run_step(m, train, indices, batch, augment, dropout, rs);
    nnl_profile_begin(NNL_PROFILE_STEP, "fit.step", -1, NNL_PROFILE_NO_PHASE);
    nnl_status s = run_step(m, train, indices, batch, augment, dropout, rs);
    nnl_profile_end(0);
    return s;
}

/* Micro-F1 and Hamming loss of the counts of a sigmoid binary cross-entropy. */
static void put_multilabel(nnl_progress *p, const nnl_loss_result *r, nnl_progress_key f1, nnl_progress_key hamming)
{
    p->values[f1] = nnl_f1_from_counts(r->true_positives, r->false_positives, r->false_negatives);
    p->values[hamming] = r->labels > 0 ? (double)(r->false_positives + r->false_negatives) / (double)r->labels : NAN;
}

static void fill_progress(run_state *rs, const nnl_model *m, int64_t epoch, int64_t epochs, int64_t batch,
                          int64_t batches)
{
    nnl_progress *p = &rs->p;
    double now = now_seconds(), units = (double)rs->epoch.count, elapsed = now - rs->epoch_start;
    for (int i = 0; i <= LAST_KEY; i++)
        p->values[i] = NAN;
    p->values[NNL_PROGRESS_EPOCH] = (double)epoch;
    p->values[NNL_PROGRESS_EPOCHS] = (double)epochs;
    p->values[NNL_PROGRESS_BATCH] = (double)batch;
    p->values[NNL_PROGRESS_BATCHES] = (double)batches;
    p->values[NNL_PROGRESS_LOSS] = rs->epoch.sum / units;
    if (nnl_loss_has_accuracy(m->loss))
        p->values[NNL_PROGRESS_ACCURACY] = (double)rs->epoch.correct / units;
    p->values[NNL_PROGRESS_ELAPSED] = elapsed;
    p->values[NNL_PROGRESS_ETA] = elapsed / (double)batch * (double)(batches - batch);
    p->values[NNL_PROGRESS_EPOCH_END] = 0;
    p->values[NNL_PROGRESS_LEARNING_RATE] = nnl_schedule_lr(m->optimizer, m->optimizer->steps - 1);
    p->values[NNL_PROGRESS_STEP] = (double)m->optimizer->steps;
    p->values[NNL_PROGRESS_STEP_LOSS] = rs->step_loss;
    p->values[NNL_PROGRESS_SAMPLES_PER_S] = (double)rs->samples / (now - rs->start);
    p->values[NNL_PROGRESS_GRAD_NORM] = rs->grad_norm;
    p->values[NNL_PROGRESS_TOTAL_ELAPSED] = now - rs->start;
    if (m->loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY)
        put_multilabel(p, &rs->epoch, NNL_PROGRESS_MICRO_F1, NNL_PROGRESS_HAMMING_LOSS);
}

/* The metric of the history: accuracy, micro-F1 for sigmoid binary
 * cross-entropy (as the progress reports them), NaN for MSE. */
static double metric_of(nnl_loss loss, const nnl_loss_result *r)
{
    if (loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY)
        return nnl_f1_from_counts(r->true_positives, r->false_positives, r->false_negatives);
    return nnl_loss_has_accuracy(loss) && r->count > 0 ? (double)r->correct / (double)r->count : NAN;
}

/* A history row from the progress report just filled (nnlite/history.h
 * says what each kind holds): step rows take the last batch alone, the
 * others the training means since the epoch (or call) started. */
static void record(nnl_model *m, const run_state *rs, nnl_history_row_kind kind)
{
    const double *v = rs->p.values;
    const int bce = m->loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY, step = kind == NNL_HISTORY_ROW_STEP;
    double row[NNL_HISTORY_COLUMNS];
    row[NNL_HISTORY_KIND] = (double)kind;
    row[NNL_HISTORY_EPOCH] = v[NNL_PROGRESS_EPOCH];
    row[NNL_HISTORY_STEP] = v[NNL_PROGRESS_STEP];
    row[NNL_HISTORY_LOSS] = step ? v[NNL_PROGRESS_STEP_LOSS] : v[NNL_PROGRESS_LOSS];
    row[NNL_HISTORY_METRIC] = step ? metric_of(m->loss, &rs->step_result)
                                   : v[bce ? NNL_PROGRESS_MICRO_F1 : NNL_PROGRESS_ACCURACY];
    row[NNL_HISTORY_VAL_LOSS] = step ? NAN : v[NNL_PROGRESS_VAL_LOSS];
    row[NNL_HISTORY_VAL_METRIC] = step ? NAN : v[bce ? NNL_PROGRESS_VAL_MICRO_F1 : NNL_PROGRESS_VAL_ACCURACY];
    row[NNL_HISTORY_LEARNING_RATE] = v[NNL_PROGRESS_LEARNING_RATE];
    row[NNL_HISTORY_SAMPLES_PER_S] = v[NNL_PROGRESS_SAMPLES_PER_S];
    row[NNL_HISTORY_TOKENS_PER_S] =
        rs->tokens_per_sample > 0 ? v[NNL_PROGRESS_SAMPLES_PER_S] * rs->tokens_per_sample : NAN;
    row[NNL_HISTORY_ELAPSED] = v[NNL_PROGRESS_TOTAL_ELAPSED];
    nnl_history_append(&m->history, row);
}

/* A step row when the optimizer's step count is due (history_interval). */
static void record_step(nnl_model *m, const run_state *rs)
{
    const int64_t interval = rs->o->history_interval > 0 ? rs->o->history_interval : 1;
    if (rs->o->history_interval >= 0 && m->optimizer->steps % interval == 0)
        record(m, rs, NNL_HISTORY_ROW_STEP);
}

static nnl_status send_progress(const run_state *rs, const char *when, int64_t n)
{
    if (rs->o->progress && rs->o->progress(&rs->p, rs->o->user))
        return nnl_error(NNL_E_CANCELLED, "%s: stopped by the progress callback %s %lld", rs->who, when,
                         (long long)n);
    return NNL_OK;
}

static nnl_status validate(nnl_model *m, run_state *rs)
{
    const nnl_fit_options *o = rs->o;
    if (!o->validation)
        return NNL_OK;
    nnl_loss_result total;
    NNL_TRY(nnl_model_evaluate_totals(m, o->validation, o->validation_batches, o->batch_size, o->seed, rs->who,
                                      &total));
    double units = total.count > 0 ? (double)total.count : NAN;
    rs->p.values[NNL_PROGRESS_VAL_LOSS] = total.sum / units;
    if (nnl_loss_has_accuracy(m->loss))
        rs->p.values[NNL_PROGRESS_VAL_ACCURACY] = (double)total.correct / units;
    if (m->loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY)
        put_multilabel(&rs->p, &total, NNL_PROGRESS_VAL_MICRO_F1, NNL_PROGRESS_VAL_HAMMING_LOSS);
    return NNL_OK;
}

static void shuffle(int64_t *indices, int64_t n, nnl_rng *rng)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)nnl_rng_below(rng, (uint32_t)(i + 1));
        int64_t t = indices[i];
        indices[i] = indices[j];
        indices[j] = t;
    }
}

static nnl_status run_epochs(nnl_model *m, const nnl_dataset *train, run_state *rs)
{
    const nnl_fit_options *o = rs->o;
    int64_t n = nnl_dataset_size(train), batches = (n + o->batch_size - 1) / o->batch_size;
    nnl_rng order, augment, dropout;
    nnl_rng_seed(&order, o->seed, 1);
    nnl_dataset_seed_augment_rng(train, &augment);
    nnl_rng_seed(&dropout, o->seed, 3);
    for (int64_t i = 0; i < n; i++)
        rs->indices[i] = i;
    for (int64_t epoch = 1; epoch <= o->epochs; epoch++) {
        shuffle(rs->indices, n, &order);
        rs->epoch = (nnl_loss_result){0};
        rs->epoch_start = now_seconds();
        for (int64_t b = 0; b < batches; b++) {
            int64_t first = b * o->batch_size, count = n - first < o->batch_size ? n - first : o->batch_size;
            rs->epoch_number = epoch;
            rs->batch = b + 1;
            NNL_TRY(train_step(m, train, rs->indices + first, count, &augment, &dropout, rs));
            fill_progress(rs, m, epoch, o->epochs, b + 1, batches);
            record_step(m, rs);
            NNL_TRY(send_progress(rs, "at epoch", epoch));
        }
        rs->p.values[NNL_PROGRESS_EPOCH_END] = 1;
        NNL_TRY(validate(m, rs));
        record(m, rs, NNL_HISTORY_ROW_EPOCH);
        NNL_TRY(send_progress(rs, "after epoch", epoch));
    }
    return NNL_OK;
}

static int due(int64_t step, int64_t interval, int last) { return interval > 0 && (step % interval == 0 || last); }

/* Steps mode: each batch drawn at random by the model's own generator,
 * which also drives dropout and is saved with the optimizer state. */
static nnl_status run_steps(nnl_model *m, const nnl_dataset *train, run_state *rs)
{
    const nnl_fit_options *o = rs->o;
    if (!m->train_rng_seeded) {
        nnl_rng_seed(&m->train_rng, o->seed, 1);
        m->train_rng_seeded = 1;
    }
    nnl_rng augment;
    nnl_dataset_seed_augment_rng(train, &augment);
    rs->epoch_start = rs->start;
    for (int64_t step = 1; step <= o->steps; step++) {
        const int last = step == o->steps;
        nnl_model_draw_indices(&m->train_rng, nnl_dataset_size(train), rs->indices, o->batch_size);
        NNL_TRY(train_step(m, train, rs->indices, o->batch_size, &augment, &m->train_rng, rs));
        fill_progress(rs, m, 1, 1, step, o->steps);
        record_step(m, rs);
        /* Intervals count the optimizer's steps, so that a resumed run
         * validates and saves where the uninterrupted one would. */
        const int64_t taken = m->optimizer->steps;
        if (o->validation && (last || due(taken, o->validation_interval, 0))) {
            NNL_TRY(validate(m, rs));
            record(m, rs, NNL_HISTORY_ROW_VALIDATION);
        }
        if (due(taken, o->checkpoint_interval, last))
            NNL_TRY(nnl_model_save(m, o->checkpoint_path, NNL_SAVE_OPTIMIZER));
        NNL_TRY(send_progress(rs, "at step", taken));
    }
    rs->p.values[NNL_PROGRESS_EPOCH_END] = 1;
    return send_progress(rs, "after step", m->optimizer->steps);
}

static nnl_status check_options(const nnl_fit_options *o, const char *who)
{
    if (o->epochs < 1 || o->epochs > 1000000 || o->steps < 0 || o->batch_size < 1 || o->batch_size > (1 << 20) ||
        o->validation_interval < 0 || o->validation_batches < 0 || o->checkpoint_interval < 0 || o->threads < 0 ||
        o->threads > 4096)
        return nnl_error(NNL_E_INVALID_ARG, "%s: epochs=%lld steps=%lld batch_size=%lld validation_interval=%lld "
                         "validation_batches=%lld checkpoint_interval=%lld threads=%d out of range", who,
                         (long long)o->epochs, (long long)o->steps, (long long)o->batch_size,
                         (long long)o->validation_interval, (long long)o->validation_batches,
                         (long long)o->checkpoint_interval, o->threads);
    if (!(o->clip_norm >= 0.0f) || !isfinite(o->clip_norm))
        return nnl_error(NNL_E_INVALID_ARG, "%s: clip_norm=%g, expected >= 0", who, (double)o->clip_norm);
    if (o->checkpoint_interval > 0 && (!o->checkpoint_path || o->steps == 0))
        return nnl_error(NNL_E_INVALID_ARG, "%s: checkpoint_interval=%lld needs a checkpoint_path and steps > 0", who,
                         (long long)o->checkpoint_interval);
    return NNL_OK;
}

static nnl_status check_fit(nnl_model *m, const nnl_dataset *train, const nnl_fit_options *o, const char *who)
{
    NNL_CHECK_PTR(who, m);
    NNL_CHECK_PTR(who, train);
    if (!m->compiled)
        return nnl_error(NNL_E_STATE, "%s: the model is not compiled (nnl_model_compile first)", who);
    NNL_TRY(check_options(o, who));
    if (nnl_dataset_size(train) > (int64_t)UINT32_MAX)
        return nnl_error(NNL_E_INVALID_ARG, "%s: more than 2^32 samples", who);
    NNL_TRY(nnl_model_check_data(m, train, 1, who));
    NNL_TRY(nnl_dataset_check_finite(train, who, "training data"));
    if (o->validation) {
        NNL_TRY(nnl_model_check_data(m, o->validation, 1, who));
        NNL_TRY(nnl_dataset_check_finite(o->validation, who, "validation data"));
    }
    return NNL_OK;
}

/* T when the model's output is a sequence (T, classes) of token
 * predictions, so that tokens/s = samples/s x T (the GPT's report); else 0. */
static double tokens_per_sample(const nnl_model *m)
{
    int ndim;
    const int64_t *dims;
    nnl_model_out_shape(m, &ndim, &dims);
    return m->loss == NNL_LOSS_SOFTMAX_CROSSENTROPY && ndim == 2 ? (double)dims[0] : 0.0;
}

/* The rows a fit will record, to reserve them before the first step. */
static int64_t expected_rows(const nnl_fit_options *o, int64_t train_size)
{
    int64_t steps = o->steps > 0 ? o->steps : o->epochs * ((train_size + o->batch_size - 1) / o->batch_size);
    int64_t rows = o->history_interval < 0 ? 0 : steps / (o->history_interval > 0 ? o->history_interval : 1) + 1;
    if (o->steps == 0)
        return rows + o->epochs;
    if (o->validation)
        rows += o->validation_interval > 0 ? o->steps / o->validation_interval + 1 : 1;
    return rows;
}

static nnl_status fit(nnl_model *m, const nnl_dataset *train, const nnl_fit_options *o, const char *who)
{
    NNL_TRY(check_fit(m, train, o, who));
    int64_t slots = o->steps > 0 ? o->batch_size : nnl_dataset_size(train);
    run_state rs = {.o = o, .who = who, .indices = nnl_alloc((size_t)slots * sizeof(int64_t)),
                    .start = now_seconds(), .step_loss = NAN, .grad_norm = NAN,
                    .tokens_per_sample = tokens_per_sample(m)};
    if (!rs.indices)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for the sample order", who);
    nnl_history_restart(&m->history, m->loss, expected_rows(o, nnl_dataset_size(train)));
    int saved_threads = nnl_threads_override(o->threads);
    nnl_status s = o->steps > 0 ? run_steps(m, train, &rs) : run_epochs(m, train, &rs);
    nnl_threads_override(saved_threads);
    nnl_dealloc(rs.indices);
    return nnl_error_in(s, who);
}

nnl_status nnl_model_fit_with(nnl_model *model, const nnl_dataset *train, const nnl_fit_options *options)
{
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_fit_options, NNL_FIT_OPTIONS_INIT, NNL_FIT_OPTIONS_MIN_SIZE, &o, options,
                                 "nnl_model_fit_with"));
    return fit(model, train, &o, "nnl_model_fit_with");
}

nnl_status nnl_model_fit(nnl_model *model, const nnl_dataset *train, const nnl_dataset *validation, int64_t epochs,
                         int64_t batch_size, uint64_t seed, nnl_progress_fn progress, void *user)
{
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.validation = validation;
    o.seed = seed;
    o.progress = progress;
    o.user = user;
    return fit(model, train, &o, "nnl_model_fit");
}
