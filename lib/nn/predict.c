/* Inference. Each call has its own workspace, so many threads can predict
 * with one model at once: layers are only read. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "data/dataset.h"
#include "nn/model.h"

/* Outputs must be finite. When one is not, the weights are searched (only
 * then: it costs a pass over all of them) to say where it came from. */
nnl_status nnl_model_check_outputs(const nnl_model *m, const nnl_tensor *y, const char *who)
{
    int64_t at = nnl_first_non_finite(y->data, y->size);
    if (at < 0)
        return NNL_OK;
    for (int i = 0; i < m->num_params; i++) {
        const nnl_tensor *w = m->params[i].param->value;
        int64_t bad = nnl_first_non_finite(w->data, w->size);
        if (bad >= 0)
            return nnl_error(NNL_E_NUMERIC, "%s: output element %lld is %g because weight '%s'[%lld] is %g", who,
                             (long long)at, (double)y->data[at], m->params[i].name, (long long)bad,
                             (double)w->data[bad]);
    }
    return nnl_error(NNL_E_NUMERIC, "%s: output element %lld is %g (finite inputs and weights overflowed)", who,
                     (long long)at, (double)y->data[at]);
}

/* Batch size of x: its first dim when x has one more dim than a sample, 1 when
 * it is a single sample; -1 when the shape does not fit. */
static int64_t batch_of(const nnl_model *m, const nnl_tensor *x)
{
    int offset = x->ndim == m->in_ndim + 1 ? 1 : x->ndim == m->in_ndim ? 0 : -1;
    if (offset < 0 || memcmp(x->dims + offset, m->in_dims, (size_t)m->in_ndim * sizeof x->dims[0]) != 0)
        return -1;
    return offset ? x->dims[0] : 1;
}

nnl_tensor nnl_model_batch_view(const nnl_model *m, const nnl_tensor *x, int64_t batch)
{
    nnl_tensor view = *x;
    view.owns_data = 0;
    nnl_batch_shape(batch, m->in_ndim, m->in_dims, view.dims);
    view.ndim = m->in_ndim + 1;
    return view;
}

nnl_status nnl_model_input_batch(const nnl_model *m, const nnl_tensor *x, int one, const char *who, int64_t *batch)
{
    *batch = batch_of(m, x);
    if (*batch == 1 || (*batch > 1 && !one))
        return NNL_OK;
    char got[128], want[128];
    return nnl_error(NNL_E_SHAPE, "%s: x has shape %s, expected %s%s", who,
                     nnl_shape_str(got, sizeof got, x->ndim, x->dims), one ? "one sample " : "[batch] + ",
                     nnl_shape_str(want, sizeof want, m->in_ndim, m->in_dims));
}

static nnl_status predict(const nnl_model *model, const nnl_tensor *x, nnl_tensor *y)
{
    NNL_CHECK_PTR("nnl_model_predict", model);
    NNL_CHECK_PTR("nnl_model_predict", x);
    NNL_CHECK_PTR("nnl_model_predict", y);
    int64_t batch;
    NNL_TRY(nnl_model_input_batch(model, x, 0, "nnl_model_predict", &batch));
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(model, &out_ndim, &out_dims);
    if (y->size != batch * nnl_dims_count(out_ndim, out_dims))
        return nnl_error(NNL_E_SHAPE, "nnl_model_predict: y has %lld elements, expected %lld x %lld",
                         (long long)y->size, (long long)batch, (long long)nnl_dims_count(out_ndim, out_dims));
    NNL_TRY(nnl_check_finite(x->data, x->size, "nnl_model_predict", "input"));
    nnl_tensor view = nnl_model_batch_view(model, x, batch);
    nnl_workspace *ws;
    NNL_TRY(nnl_model_workspace_acquire(model, &ws));
    const nnl_tensor *out;
    nnl_status s = nnl_model_forward(model, ws, &view, &(const nnl_forward_ctx){.training = 0}, &out);
    if (s == NNL_OK)
        s = nnl_model_check_outputs(model, out, "nnl_model_predict");
    if (s == NNL_OK)
        memcpy(y->data, out->data, (size_t)y->size * sizeof(float));
    nnl_model_workspace_release(model, ws);
    return s;
}

nnl_status nnl_model_predict(const nnl_model *model, const nnl_tensor *x, nnl_tensor *y)
{
    return nnl_error_in(predict(model, x, y), "nnl_model_predict");
}

static nnl_status predict_batches(const nnl_model *m, const nnl_dataset *data, int64_t batch_size,
                                  const nnl_predict_sink *sink, nnl_workspace *ws, nnl_tensor **x, int64_t *indices)
{
    int64_t n = nnl_dataset_size(data), in_size = nnl_dims_count(m->in_ndim, m->in_dims);
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(m, &out_ndim, &out_dims);
    int64_t out_size = nnl_dims_count(out_ndim, out_dims);
    for (int64_t first = 0; first < n; first += batch_size) {
        int64_t count = n - first < batch_size ? n - first : batch_size;
        for (int64_t i = 0; i < count; i++)
            indices[i] = first + i;
        int64_t dims[NNL_MAX_DIMS];
        nnl_batch_shape(count, m->in_ndim, m->in_dims, dims);
        NNL_TRY(nnl_tensor_ensure(x, m->in_ndim + 1, dims, sink->who));
        NNL_TRY(nnl_dataset_fill_batch(data, indices, count, (*x)->data, NULL, NULL));
        NNL_TRY(nnl_check_finite((*x)->data, count * in_size, sink->who, "input"));
        const nnl_tensor *y;
        NNL_TRY(nnl_model_forward(m, ws, *x, &(const nnl_forward_ctx){.training = 0}, &y));
        NNL_TRY(nnl_model_check_outputs(m, y, sink->who));
        NNL_TRY(sink->take(sink->ctx, first, count, out_size, y->data, &ws->buffers[m->num_layers - 1]));
    }
    return NNL_OK;
}

nnl_status nnl_model_predict_batches(const nnl_model *model, const nnl_dataset *data, int64_t batch_size,
                                     const nnl_predict_sink *sink)
{
    const char *who = sink->who;
    NNL_CHECK_PTR(who, model);
    if (batch_size < 1 || batch_size > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "%s: batch_size=%lld", who, (long long)batch_size);
    NNL_TRY(nnl_model_check_data(model, data, 0, who));
    nnl_workspace *ws;
    NNL_TRY(nnl_error_in(nnl_model_workspace_acquire(model, &ws), who));
    int64_t dims[NNL_MAX_DIMS];
    nnl_batch_shape(batch_size, model->in_ndim, model->in_dims, dims);
    nnl_tensor *x = NULL;
    int64_t *indices = nnl_alloc((size_t)batch_size * sizeof *indices);
    nnl_status s = indices ? nnl_tensor_create(&x, model->in_ndim + 1, dims)
                           : nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    if (s == NNL_OK)
        s = predict_batches(model, data, batch_size, sink, ws, &x, indices);
    nnl_tensor_free(x);
    nnl_dealloc(indices);
    nnl_model_workspace_release(model, ws);
    return nnl_error_in(s, who);
}

typedef struct outputs_and_classes {
    float *outputs;
    int32_t *classes;
} outputs_and_classes;

/* The outputs as they are and the argmax of each. */
static nnl_status take_outputs_and_classes(void *ctx, int64_t first, int64_t count, int64_t out_size,
                                           const float *y, const nnl_layer_buffers *last)
{
    (void)last;
    const outputs_and_classes *o = ctx;
    if (o->outputs)
        memcpy(o->outputs + first * out_size, y, (size_t)(count * out_size) * sizeof(float));
    for (int64_t i = 0; o->classes && i < count; i++) {
        const float *row = y + i * out_size;
        int32_t best = 0;
        for (int64_t j = 1; j < out_size; j++)
            if (row[j] > row[best])
                best = (int32_t)j;
        o->classes[first + i] = best;
    }
    return NNL_OK;
}

nnl_status nnl_model_predict_dataset(const nnl_model *model, const nnl_dataset *data, int64_t batch_size,
                                     float *outputs, int32_t *classes)
{
    outputs_and_classes o = {outputs, classes};
    const nnl_predict_sink sink = {take_outputs_and_classes, &o, "nnl_model_predict_dataset"};
    return nnl_model_predict_batches(model, data, batch_size, &sink);
}
