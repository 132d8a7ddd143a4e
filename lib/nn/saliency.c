/* nnl_model_saliency(): d score_c / d x by one backward pass of the stack.
 *
 *   x {B, in...} --inference forward--> y {B, out...}
 *   dy {B, out...} = one-hot(classes[b])       seed of the backward
 *   dx {B, in...}  = nnl_sequence_backward(..., need_dx = 1)
 *
 * The score is the logit: when the last layer ends in a softmax or sigmoid,
 * it noted its input (buf->logits), and telling it dy_is_logit_grad makes
 * its backward take dy as d/dz, exactly as the fused losses do. Training
 * never asks the first layer for dx (need_dx = 0 in nnl_model_backward), so
 * this costs fit nothing. Why the logit and not the probability:
 * include/nnlite/saliency.h. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "nn/model.h"
#include "nnlite/saliency.h"

static const char who[] = "nnl_model_saliency";

static nnl_status check_model(const nnl_model *m)
{
    if (m->num_layers == 0)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the model has no layers", who);
    const nnl_layer *first = m->layers[0];
    if (first->ops->flags & NNL_LAYER_DISCRETE_INPUT)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the model takes token ids (its first layer is %s): an id has no "
                         "gradient; saliency needs float inputs such as images", who, first->ops->type);
    return NNL_OK;
}

/* The class of each sample: the caller's, or the argmax of its outputs. */
static nnl_status choose_classes(const int32_t *classes, const float *y, int64_t batch, int64_t out_size,
                                 int32_t *chosen)
{
    for (int64_t b = 0; b < batch; b++) {
        int32_t c = classes ? classes[b] : NNL_SALIENCY_PREDICTED_CLASS;
        if (c == NNL_SALIENCY_PREDICTED_CLASS) {
            const float *row = y + b * out_size;
            c = 0;
            for (int64_t j = 1; j < out_size; j++)
                c = row[j] > row[c] ? (int32_t)j : c;
        } else if (c < 0 || c >= out_size) {
            return nnl_error(NNL_E_INVALID_ARG, "%s: classes[%lld]=%d, expected 0..%lld or "
                             "NNL_SALIENCY_PREDICTED_CLASS", who, (long long)b, (int)c, (long long)out_size - 1);
        }
        chosen[b] = c;
    }
    return NNL_OK;
}

/* Forward x, seed dy with the chosen classes, backward to dx, copy it out. */
static nnl_status saliency_in(nnl_model *m, nnl_workspace *ws, const nnl_tensor *x, const int32_t *classes,
                              nnl_tensor **dy, int32_t *chosen, float *out)
{
    int64_t batch = x->dims[0];
    const nnl_tensor *y;
    NNL_TRY(nnl_model_forward(m, ws, x, &(const nnl_forward_ctx){.full_length = 1}, &y));
    NNL_TRY(nnl_model_check_outputs(m, y, who));
    int64_t out_size = y->size / batch;
    NNL_TRY(choose_classes(classes, y->data, batch, out_size, chosen));
    NNL_TRY(nnl_tensor_ensure(dy, y->ndim, y->dims, who));
    memset((*dy)->data, 0, (size_t)(*dy)->size * sizeof(float));
    for (int64_t b = 0; b < batch; b++)
        (*dy)->data[b * out_size + chosen[b]] = 1.0f;
    nnl_layer_buffers *last = &ws->buffers[m->num_layers - 1];
    last->dy_is_logit_grad = last->logits != NULL;
    nnl_model_zero_grads(m);
    nnl_tensor *dx;
    NNL_TRY(nnl_sequence_backward(m->layers, m->num_layers, ws, x, *dy, 1, &dx));
    memcpy(out, dx->data, (size_t)dx->size * sizeof(float));
    return NNL_OK;
}

nnl_status nnl_model_saliency(nnl_model *model, const nnl_tensor *x, const int32_t *classes, nnl_tensor *saliency)
{
    NNL_CHECK_PTR(who, model);
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, saliency);
    NNL_TRY(check_model(model));
    int64_t batch;
    NNL_TRY(nnl_model_input_batch(model, x, 0, who, &batch));
    if (saliency->size != x->size)
        return nnl_error(NNL_E_SHAPE, "%s: saliency has %lld elements, x has %lld", who, (long long)saliency->size,
                         (long long)x->size);
    NNL_TRY(nnl_check_finite(x->data, x->size, who, "input"));
    nnl_tensor view = nnl_model_batch_view(model, x, batch);
    int32_t *chosen = nnl_alloc((size_t)batch * sizeof *chosen);
    if (!chosen)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for %lld classes", who, (long long)batch);
    nnl_workspace *ws;
    nnl_status s = nnl_error_in(nnl_model_workspace_acquire(model, &ws), who);
    nnl_tensor *dy = NULL;
    if (s == NNL_OK) {
        s = saliency_in(model, ws, &view, classes, &dy, chosen, saliency->data);
        nnl_model_workspace_release(model, ws);
    }
    nnl_tensor_free(dy);
    nnl_dealloc(chosen);
    return nnl_error_in(s, who);
}
