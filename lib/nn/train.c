/* The training loop (fit) and evaluation.
 *
 * One step: gather a batch (with augmentation) -> forward (training) ->
 * loss and dL/dy -> zero grads -> backward -> optimizer step. All batch
 * buffers live in the model and are reused; nothing is allocated per step. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"
#include "kernels/kernels.h"
#include "nn/model.h"

struct nnl_progress {
    double values[NNL_PROGRESS_STEP + 1];
};

double nnl_progress_get(const nnl_progress *progress, nnl_progress_key key)
{
    if (!progress || (unsigned)key > NNL_PROGRESS_STEP)
        return NAN;
    return progress->values[key];
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Size the model's batch buffers for `batch` samples (grows only). */
static nnl_status ensure_batch(nnl_model *m, const nnl_dataset *data, int64_t batch)
{
    if (!m->train_ws)
        NNL_TRY(nnl_workspace_create(&m->train_ws, m->num_layers));
    int64_t dims[NNL_MAX_DIMS];
    nnl_batch_shape(batch, m->in_ndim, m->in_dims, dims);
    NNL_TRY(nnl_tensor_ensure(&m->batch_x, m->in_ndim + 1, dims, "fit"));
    int64_t target[2] = {batch, nnl_dataset_target_size(data)};
    NNL_TRY(nnl_tensor_ensure(&m->batch_y, 2, target, "fit"));
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(m, &out_ndim, &out_dims);
    nnl_batch_shape(batch, out_ndim, out_dims, dims);
    NNL_TRY(nnl_tensor_ensure(&m->loss_grad, out_ndim + 1, dims, "fit"));
    if (batch > m->batch_capacity) {
        int32_t *labels = nnl_alloc((size_t)batch * sizeof *labels);
        if (!labels)
            return nnl_error(NNL_E_NOMEM, "fit: out of memory for %lld labels", (long long)batch);
        nnl_dealloc(m->batch_labels);
        m->batch_labels = labels;
        m->batch_capacity = batch;
    }
    return NNL_OK;
}

static nnl_status labels_from_targets(nnl_model *m, int64_t batch, int64_t classes, const char *who)
{
    for (int64_t i = 0; i < batch; i++) {
        float t = m->batch_y->data[i];
        if (!(t >= 0.0f && t < (float)classes) || t != floorf(t))
            return nnl_error(NNL_E_INVALID_ARG, "%s: label %g is not a class index in [0, %lld)", who, (double)t,
                             (long long)classes);
        m->batch_labels[i] = (int32_t)t;
    }
    return NNL_OK;
}

static int64_t argmax_row(const float *row, int64_t n)
{
    int64_t best = 0;
    for (int64_t j = 1; j < n; j++)
        if (row[j] > row[best])
            best = j;
    return best;
}

/* Loss of the batch, dL/dy (or dL/dlogits for a fused softmax) into
 * m->loss_grad when `grad`, and the number of correct predictions. */
static nnl_status batch_loss(nnl_model *m, const nnl_tensor *y, int64_t batch, int grad, const char *who,
                             double *loss_sum, int64_t *correct)
{
    nnl_layer_buffers *last = &m->train_ws->buffers[m->num_layers - 1];
    int64_t cols = y->size / batch;
    float *dy = m->loss_grad->data;
    if (m->loss == NNL_LOSS_MSE) {
        double sum = 0;
        float scale = 2.0f / (float)y->size;
        for (int64_t i = 0; i < y->size; i++) {
            float d = y->data[i] - m->batch_y->data[i];
            sum += (double)d * d;
            dy[i] = scale * d;
        }
        *loss_sum = sum / (double)cols;
        *correct = 0;
        return NNL_OK;
    }
    NNL_TRY(labels_from_targets(m, batch, cols, who));
    const int32_t *labels = m->batch_labels;
    if (last->logits) {
        /* fused softmax + cross-entropy on the logits: exact gradient probs - onehot */
        *loss_sum = nnl_kernels_active()->softmax_xent(batch, cols, last->logits->data, labels,
                                                       1.0f / (float)batch, NULL, grad ? dy : NULL);
        last->dy_is_logit_grad = grad;
    } else {
        /* the outputs are probabilities already: -log p, clamped as Keras does */
        double sum = 0;
        memset(dy, 0, (size_t)y->size * sizeof(float));
        for (int64_t i = 0; i < batch; i++) {
            float p = y->data[i * cols + labels[i]];
            p = p < 1e-7f ? 1e-7f : p;
            sum -= log((double)p);
            dy[i * cols + labels[i]] = -1.0f / (p * (float)batch);
        }
        *loss_sum = sum;
    }
    int64_t hits = 0;
    for (int64_t i = 0; i < batch; i++)
        hits += argmax_row(y->data + i * cols, cols) == labels[i];
    *correct = hits;
    return NNL_OK;
}

nnl_status nnl_model_forward(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x, int training,
                             nnl_rng *rng, const nnl_tensor **y)
{
    nnl_forward_ctx ctx = {training, rng};
    return nnl_sequence_forward(m->layers, m->num_layers, ws, x, &ctx, y);
}

typedef struct epoch_stats {
    double loss_sum;
    int64_t correct, seen;
} epoch_stats;

static nnl_status train_step(nnl_model *m, const nnl_dataset *train, const int64_t *indices, int64_t batch,
                             nnl_rng *augment, nnl_rng *dropout, epoch_stats *st, int64_t epoch, int64_t step)
{
    NNL_TRY(ensure_batch(m, train, batch));
    NNL_TRY(nnl_dataset_fill_batch(train, indices, batch, m->batch_x->data, m->batch_y->data, augment));
    const nnl_tensor *y;
    NNL_TRY(nnl_model_forward(m, m->train_ws, m->batch_x, 1, dropout, &y));
    double loss;
    int64_t correct;
    NNL_TRY(batch_loss(m, y, batch, 1, "nnl_model_fit", &loss, &correct));
    if (!isfinite(loss))
        return nnl_error(NNL_E_NUMERIC, "nnl_model_fit: loss is %g at epoch %lld, batch %lld", loss,
                         (long long)epoch, (long long)step);
    for (int i = 0; i < m->num_params; i++)
        if (m->param_ptrs[i]->grad)
            memset(m->param_ptrs[i]->grad->data, 0, (size_t)m->param_ptrs[i]->grad->size * sizeof(float));
    NNL_TRY(nnl_sequence_backward(m->layers, m->num_layers, m->train_ws, m->batch_x, m->loss_grad, 0, NULL));
    NNL_TRY(nnl_optimizer_step(m->optimizer, m->param_ptrs, m->num_params));
    st->loss_sum += loss;
    st->correct += correct;
    st->seen += batch;
    return NNL_OK;
}

static void fill_progress(nnl_progress *p, const nnl_model *m, int64_t epoch, int64_t epochs, int64_t batch,
                          int64_t batches, const epoch_stats *st, double elapsed)
{
    for (int i = 0; i <= NNL_PROGRESS_STEP; i++)
        p->values[i] = NAN;
    p->values[NNL_PROGRESS_EPOCH] = (double)epoch;
    p->values[NNL_PROGRESS_EPOCHS] = (double)epochs;
    p->values[NNL_PROGRESS_BATCH] = (double)batch;
    p->values[NNL_PROGRESS_BATCHES] = (double)batches;
    p->values[NNL_PROGRESS_LOSS] = st->loss_sum / (double)st->seen;
    if (m->loss == NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
        p->values[NNL_PROGRESS_ACCURACY] = (double)st->correct / (double)st->seen;
    p->values[NNL_PROGRESS_ELAPSED] = elapsed;
    p->values[NNL_PROGRESS_ETA] = elapsed / (double)batch * (double)(batches - batch);
    p->values[NNL_PROGRESS_EPOCH_END] = 0;
    p->values[NNL_PROGRESS_LEARNING_RATE] = nnl_schedule_lr(m->optimizer, m->optimizer->steps - 1);
    p->values[NNL_PROGRESS_STEP] = (double)m->optimizer->steps;
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

static nnl_status check_fit_args(nnl_model *m, const nnl_dataset *train, const nnl_dataset *validation,
                                 int64_t epochs, int64_t batch_size)
{
    NNL_CHECK_PTR("nnl_model_fit", m);
    NNL_CHECK_PTR("nnl_model_fit", train);
    if (!m->compiled)
        return nnl_error(NNL_E_STATE, "nnl_model_fit: the model is not compiled (nnl_model_compile first)");
    if (epochs < 1 || epochs > 1000000 || batch_size < 1 || batch_size > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_fit: epochs=%lld batch_size=%lld out of range",
                         (long long)epochs, (long long)batch_size);
    if (nnl_dataset_size(train) > (int64_t)UINT32_MAX)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_fit: more than 2^32 samples");
    NNL_TRY(nnl_model_check_data(m, train, 1, "nnl_model_fit"));
    NNL_TRY(nnl_dataset_check_finite(train, "nnl_model_fit", "training data"));
    if (validation) {
        NNL_TRY(nnl_model_check_data(m, validation, 1, "nnl_model_fit (validation)"));
        NNL_TRY(nnl_dataset_check_finite(validation, "nnl_model_fit", "validation data"));
    }
    return NNL_OK;
}

static nnl_status run_epochs(nnl_model *m, const nnl_dataset *train, const nnl_dataset *validation, int64_t epochs,
                             int64_t batch_size, uint64_t seed, nnl_progress_fn progress, void *user,
                             int64_t *indices)
{
    int64_t n = nnl_dataset_size(train), batches = (n + batch_size - 1) / batch_size;
    nnl_rng order, augment, dropout;
    nnl_rng_seed(&order, seed, 1);
    nnl_dataset_seed_augment_rng(train, &augment);
    nnl_rng_seed(&dropout, seed, 3);
    for (int64_t i = 0; i < n; i++)
        indices[i] = i;
    for (int64_t epoch = 1; epoch <= epochs; epoch++) {
        shuffle(indices, n, &order);
        epoch_stats st = {0, 0, 0};
        double start = now_seconds();
        nnl_progress p;
        for (int64_t b = 0; b < batches; b++) {
            int64_t first = b * batch_size, count = n - first < batch_size ? n - first : batch_size;
            NNL_TRY(train_step(m, train, indices + first, count, &augment, &dropout, &st, epoch, b + 1));
            fill_progress(&p, m, epoch, epochs, b + 1, batches, &st, now_seconds() - start);
            if (progress && progress(&p, user))
                return nnl_error(NNL_E_CANCELLED, "nnl_model_fit: stopped by the progress callback at epoch %lld",
                                 (long long)epoch);
        }
        p.values[NNL_PROGRESS_EPOCH_END] = 1;
        if (validation)
            NNL_TRY(nnl_model_evaluate(m, validation, batch_size, &p.values[NNL_PROGRESS_VAL_LOSS],
                                       &p.values[NNL_PROGRESS_VAL_ACCURACY]));
        if (progress && progress(&p, user))
            return nnl_error(NNL_E_CANCELLED, "nnl_model_fit: stopped by the progress callback after epoch %lld",
                             (long long)epoch);
    }
    return NNL_OK;
}

nnl_status nnl_model_fit(nnl_model *model, const nnl_dataset *train, const nnl_dataset *validation, int64_t epochs,
                         int64_t batch_size, uint64_t seed, nnl_progress_fn progress, void *user)
{
    NNL_TRY(check_fit_args(model, train, validation, epochs, batch_size));
    int64_t *indices = nnl_alloc((size_t)nnl_dataset_size(train) * sizeof *indices);
    if (!indices)
        return nnl_error(NNL_E_NOMEM, "nnl_model_fit: out of memory for the sample order");
    nnl_status s = run_epochs(model, train, validation, epochs, batch_size, seed, progress, user, indices);
    nnl_dealloc(indices);
    return nnl_error_in(s, "nnl_model_fit");
}

static nnl_status evaluate(nnl_model *model, const nnl_dataset *data, int64_t batch_size, double *loss,
                           double *accuracy)
{
    NNL_CHECK_PTR("nnl_model_evaluate", model);
    if (!model->compiled)
        return nnl_error(NNL_E_STATE, "nnl_model_evaluate: the model is not compiled (nnl_model_compile first)");
    if (batch_size < 1 || batch_size > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_evaluate: batch_size=%lld", (long long)batch_size);
    NNL_TRY(nnl_model_check_data(model, data, 1, "nnl_model_evaluate"));
    NNL_TRY(nnl_dataset_check_finite(data, "nnl_model_evaluate", "data"));
    int64_t n = nnl_dataset_size(data);
    double loss_sum = 0;
    int64_t correct = 0;
    int64_t indices[256];
    for (int64_t first = 0; first < n; first += batch_size) {
        int64_t count = n - first < batch_size ? n - first : batch_size;
        NNL_TRY(ensure_batch(model, data, count));
        for (int64_t done = 0; done < count; done += 256) {
            int64_t part = count - done < 256 ? count - done : 256;
            for (int64_t i = 0; i < part; i++)
                indices[i] = first + done + i;
            int64_t stride = nnl_dims_count(model->in_ndim, model->in_dims);
            NNL_TRY(nnl_dataset_fill_batch(data, indices, part, model->batch_x->data + done * stride,
                                           model->batch_y->data + done * nnl_dataset_target_size(data), NULL));
        }
        const nnl_tensor *y;
        NNL_TRY(nnl_model_forward(model, model->train_ws, model->batch_x, 0, NULL, &y));
        double l;
        int64_t c;
        NNL_TRY(batch_loss(model, y, count, 0, "nnl_model_evaluate", &l, &c));
        if (!isfinite(l))
            return nnl_error(NNL_E_NUMERIC, "nnl_model_evaluate: loss is %g at the batch of samples %lld..%lld", l,
                             (long long)first, (long long)(first + count - 1));
        loss_sum += l;
        correct += c;
    }
    if (loss)
        *loss = loss_sum / (double)n;
    if (accuracy)
        *accuracy = model->loss == NNL_LOSS_MSE ? NAN : (double)correct / (double)n;
    return NNL_OK;
}

nnl_status nnl_model_evaluate(nnl_model *model, const nnl_dataset *data, int64_t batch_size, double *loss,
                              double *accuracy)
{
    return nnl_error_in(evaluate(model, data, batch_size, loss, accuracy), "nnl_model_evaluate");
}
