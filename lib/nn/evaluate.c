/* The model's training buffers, the loss of a batch, and evaluation (over a
 * whole data set in order, or over random batches of it). */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/profile.h"
#include "data/dataset.h"
#include "kernels/parallel.h"
#include "nn/model.h"

/* layers[0 .. n) of the model on x, with its key padding. */
static nnl_status forward_layers(const nnl_model *m, int n, nnl_workspace *ws, const nnl_tensor *x,
                                 const nnl_forward_ctx *ctx, const nnl_tensor **y)
{
    nnl_forward_ctx padded = *ctx;
    ws->input = x;
    padded.trim = 0;
    if (m->has_padding) {
        NNL_TRY(nnl_model_key_lengths(m, ws, x, &padded.lengths));
        if (!ctx->full_length)
            NNL_TRY(nnl_model_trim_batch(m, ws, x, padded.lengths, &ws->input, &padded.trim));
    }
    return nnl_sequence_forward(m->layers, n, ws, ws->input, &padded, y);
}

nnl_status nnl_model_forward(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                             const nnl_forward_ctx *ctx, const nnl_tensor **y)
{
    return forward_layers(m, m->num_layers, ws, x, ctx, y);
}

/* Prediction rows per sample: the output's count over its last dimension. */
static int64_t rows_per_sample(const nnl_model *m, int64_t *cols)
{
    int ndim;
    const int64_t *dims;
    nnl_model_out_shape(m, &ndim, &dims);
    *cols = dims[ndim - 1];
    return nnl_dims_count(ndim - 1, dims);
}

/* Size the training buffers (batch_x, batch_y, loss_grad, labels) for `batch` samples of `data`. */
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
    int64_t cols, rows = batch * rows_per_sample(m, &cols);
    return nnl_scratch_reserve((void **)&m->batch_labels, &m->labels_capacity, rows, sizeof(int32_t), "fit");
}

/* The loss as a profiler event (core/profile.h). */
static nnl_status profiled_loss(nnl_loss loss, const nnl_loss_input *in, nnl_loss_result *result)
{
    nnl_profile_begin(NNL_PROFILE_LOSS, "loss", -1, NNL_PROFILE_NO_PHASE);
    nnl_status s = nnl_loss_compute(loss, in, result);
    nnl_profile_end(0);
    return s;
}

/* The loss of outputs y (rows, cols), made by a sequence whose last layer's
 * buffers are `last`, against `targets` of `batch` samples; with `grad`,
 * dL/dy (dL/dlogits for a fused softmax) goes to it. */
static nnl_status loss_of(nnl_model *m, nnl_layer_buffers *last, const nnl_tensor *y, const float *targets,
                          int64_t batch, nnl_tensor *grad, const char *who, nnl_loss_result *result)
{
    /* A softmax or sigmoid last layer keeps its logits: the loss that fuses
     * with it takes them and its gradient skips the activation (the layer
     * is told so). */
    const int fused = last->logits && last->logits_act == nnl_loss_fused_activation(m->loss);
    const int64_t cols = y->dims[y->ndim - 1];
    nnl_loss_input in = {y->data, fused ? last->logits->data : NULL, targets, batch, y->size / cols, cols,
                         grad ? grad->data : NULL, m->batch_labels, who};
    if (nnl_profile_on())
        NNL_TRY(profiled_loss(m->loss, &in, result));
    else
        NNL_TRY(nnl_loss_compute(m->loss, &in, result));
    last->dy_is_logit_grad = fused && grad;
    return NNL_OK;
}

/* The loss of the batch in m->batch_x / m->batch_y, whose body (the layers
 * before the counted head, or all of them) has output h in m->train_ws:
 * through the head on the counted rows when counted_head.c takes the batch,
 * as it is otherwise. */
static nnl_status batch_loss(nnl_model *m, const nnl_tensor *h, int64_t batch, const nnl_forward_ctx *ctx,
                             const char *who, nnl_loss_result *result)
{
    const int grad = ctx->training, body = m->head_kept > 0 ? nnl_counted_head_start(m) : m->num_layers;
    if (body == m->num_layers)
        return loss_of(m, &m->train_ws->buffers[body - 1], h, m->batch_y->data, batch, grad ? m->loss_grad : NULL,
                       who, result);
    const nnl_tensor *yk;
    NNL_TRY(nnl_counted_head_forward(m, h, ctx, &yk));
    NNL_TRY(nnl_tensor_ensure(&m->head_grad, yk->ndim, yk->dims, who));
    return loss_of(m, &m->head_ws->buffers[m->num_layers - body - 1], yk, m->head_y->data, m->head_kept,
                   grad ? m->head_grad : NULL, who, result);
}

static nnl_status check_evaluate(nnl_model *model, const nnl_dataset *data, int64_t batch_size, const char *who)
{
    NNL_CHECK_PTR(who, model);
    if (!model->has_loss)
        return nnl_error(NNL_E_STATE, "%s: the model has no loss: it is not compiled (nnl_model_compile first) "
                         "nor loaded from a file that names one", who);
    if (batch_size < 1 || batch_size > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "%s: batch_size=%lld", who, (long long)batch_size);
    NNL_TRY(nnl_model_check_data(model, data, 1, who));
    return nnl_dataset_check_finite(data, who, "data");
}

nnl_status nnl_model_batch_forward(nnl_model *m, const nnl_dataset *data, const int64_t *indices, int64_t count,
                                   const nnl_forward_ctx *ctx, nnl_rng *augment, const char *who,
                                   nnl_loss_result *result)
{
    NNL_TRY(ensure_batch(m, data, count));
    NNL_TRY(nnl_dataset_fill_batch(data, indices, count, m->batch_x->data, m->batch_y->data, augment));
    int64_t cols;
    m->head_kept = nnl_counted_head_rows(m, count * rows_per_sample(m, &cols));
    const int body = m->head_kept > 0 ? nnl_counted_head_start(m) : m->num_layers;
    const nnl_tensor *h;
    NNL_TRY(forward_layers(m, body, m->train_ws, m->batch_x, ctx, &h));
    return batch_loss(m, h, count, ctx, who, result);
}

/* A part's share of every gradient, cache lines apart from the others'. */
static void zero_grads_part(void *arg, int part, int parts)
{
    const nnl_model *m = arg;
    for (int i = 0; i < m->num_params; i++) {
        const nnl_tensor *g = m->param_ptrs[i]->grad;
        int64_t begin, end;
        if (!g)
            continue;
        nnl_parallel_share(g->size, 16, part, parts, &begin, &end);
        if (end > begin)
            memset(g->data + begin, 0, (size_t)(end - begin) * sizeof(float));
    }
}

/* On the kernels' threads (an "optimizer.zero_grad" event of the
 * profiler): a CNN's dense layer has megabytes of gradient,
 * which one core took 25-60 us to clear (step traces of the CNN and the multi-label model), and the pool's workers, idle
 * meanwhile, fell asleep before the backward pass needed them. */
void nnl_model_zero_grads(nnl_model *m)
{
    int64_t floats = 0;
    for (int i = 0; i < m->num_params; i++)
        floats += m->param_ptrs[i]->grad ? m->param_ptrs[i]->grad->size : 0;
    const int team = kernel_team(floats, floats / 16);
    if (!nnl_profile_on()) {
        nnl_parallel_run(team, zero_grads_part, m);
        return;
    }
    nnl_profile_begin(NNL_PROFILE_OPTIMIZER, "optimizer.zero_grad", -1, NNL_PROFILE_NO_PHASE);
    nnl_parallel_run(team, zero_grads_part, m);
    nnl_profile_end(0);
}

nnl_status nnl_model_backward(nnl_model *m)
{
    nnl_model_zero_grads(m);
    /* the input the forward ran on: m->batch_x, or the batch trimmed */
    if (m->head_kept <= 0)
        return nnl_sequence_backward(m->layers, m->num_layers, m->train_ws, m->train_ws->input, m->loss_grad, 0,
                                     NULL);
    nnl_tensor *dh;
    NNL_TRY(nnl_counted_head_backward(m, m->head_grad, &dh));
    return nnl_sequence_backward(m->layers, nnl_counted_head_start(m), m->train_ws, m->train_ws->input, dh, 0, NULL);
}

/* Forward and loss of samples indices[0..count) added to *total. */
static nnl_status evaluate_batch(nnl_model *m, const nnl_dataset *data, const int64_t *indices, int64_t count,
                                 const char *who, nnl_loss_result *total)
{
    const nnl_forward_ctx inference = {.training = 0};
    nnl_loss_result r;
    NNL_TRY(nnl_model_batch_forward(m, data, indices, count, &inference, NULL, who, &r));
    if (!isfinite(r.sum))
        return nnl_error(NNL_E_NUMERIC, "%s: loss is %g at the batch of sample %lld", who, r.sum,
                         (long long)indices[0]);
    nnl_loss_result_add(total, &r);
    return NNL_OK;
}

static void report(const nnl_model *m, const nnl_loss_result *total, double *loss, double *accuracy)
{
    double units = total->count > 0 ? (double)total->count : NAN;
    if (loss)
        *loss = total->sum / units;
    if (accuracy)
        *accuracy = nnl_loss_has_accuracy(m->loss) ? (double)total->correct / units : NAN;
}

static nnl_status evaluate_in_order(nnl_model *m, const nnl_dataset *data, int64_t batch_size, const char *who,
                                    int64_t *indices, nnl_loss_result *total)
{
    nnl_status s = NNL_OK;
    const int64_t n = nnl_dataset_size(data);
    for (int64_t first = 0; first < n && s == NNL_OK; first += batch_size) {
        int64_t count = n - first < batch_size ? n - first : batch_size;
        for (int64_t i = 0; i < count; i++)
            indices[i] = first + i;
        s = evaluate_batch(m, data, indices, count, who, total);
    }
    return s;
}

void nnl_model_draw_indices(nnl_rng *rng, int64_t n, int64_t *indices, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        indices[i] = (int64_t)nnl_rng_below(rng, (uint32_t)n);
}

static nnl_status evaluate_sampled(nnl_model *m, const nnl_dataset *data, int64_t batches, int64_t batch_size,
                                   uint64_t seed, const char *who, int64_t *indices, nnl_loss_result *total)
{
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 2);
    nnl_status s = NNL_OK;
    for (int64_t b = 0; b < batches && s == NNL_OK; b++) {
        nnl_model_draw_indices(&rng, nnl_dataset_size(data), indices, batch_size);
        s = evaluate_batch(m, data, indices, batch_size, who, total);
    }
    return s;
}

nnl_status nnl_model_evaluate_totals(nnl_model *m, const nnl_dataset *data, int64_t batches, int64_t batch_size,
                                     uint64_t seed, const char *who, nnl_loss_result *total)
{
    *total = (nnl_loss_result){0};
    NNL_TRY(check_evaluate(m, data, batch_size, who));
    if (batches < 0 || batches > ((int64_t)1 << 30))
        return nnl_error(NNL_E_INVALID_ARG, "%s: batches=%lld, expected >= 1", who, (long long)batches);
    if (batches > 0 && nnl_dataset_size(data) > (int64_t)UINT32_MAX)
        return nnl_error(NNL_E_INVALID_ARG, "%s: more than 2^32 samples", who);
    int64_t *indices = nnl_alloc((size_t)batch_size * sizeof *indices);
    if (!indices)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for %lld indices", who, (long long)batch_size);
    nnl_status s = batches > 0 ? evaluate_sampled(m, data, batches, batch_size, seed, who, indices, total)
                               : evaluate_in_order(m, data, batch_size, who, indices, total);
    nnl_dealloc(indices);
    return s;
}

nnl_status nnl_model_evaluate(nnl_model *model, const nnl_dataset *data, int64_t batch_size, double *loss,
                              double *accuracy)
{
    static const char who[] = "nnl_model_evaluate";
    nnl_loss_result total;
    NNL_TRY(nnl_error_in(nnl_model_evaluate_totals(model, data, 0, batch_size, 0, who, &total), who));
    report(model, &total, loss, accuracy);
    return NNL_OK;
}

nnl_status nnl_model_evaluate_sampled(nnl_model *model, const nnl_dataset *data, int64_t batches,
                                      int64_t batch_size, uint64_t seed, double *loss, double *accuracy)
{
    static const char who[] = "nnl_model_evaluate_sampled";
    if (batches < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: batches=%lld, expected >= 1", who, (long long)batches);
    nnl_loss_result total;
    NNL_TRY(nnl_error_in(nnl_model_evaluate_totals(model, data, batches, batch_size, seed, who, &total), who));
    report(model, &total, loss, accuracy);
    return NNL_OK;
}
