/* Output projection tied to an embedding table (GPT-2's language-model head).
 *
 *   x {B, T, C}  table {V, C} (owned by an embedding layer earlier in the model)  ->  y {B, T, V}
 *   y = x table^T:  logits over the vocabulary, no bias
 *
 * The layer owns no parameter: it uses the embedding's table, so the
 * weight is counted, saved and updated once, and its gradient is the sum of
 * what the embedding and this layer add to the one gradient tensor. */
#include <string.h>

#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct tied_state {
    int64_t source;      /* index of the embedding layer in the model */
    nnl_param *table;    /* its table, set by build */
} tied_state;

static nnl_status tied_build(nnl_layer *l, nnl_rng *init)
{
    tied_state *st = l->state;
    (void)init;
    if (st->source >= l->num_siblings || strcmp(l->siblings[st->source]->ops->type, "embedding") != 0)
        return nnl_error(NNL_E_STATE, "tied_output: layer %lld of the model is not an embedding (the model has %d "
                         "layers before this one)", (long long)st->source, l->num_siblings);
    nnl_param *table = &l->siblings[st->source]->params[0];
    const int64_t C = table->value->dims[1];
    if (l->in_ndim < 1 || l->in_dims[l->in_ndim - 1] != C)
        return nnl_error(NNL_E_SHAPE, "tied_output: inputs end in %lld features, the embedding has %lld",
                         (long long)l->in_dims[l->in_ndim - 1], (long long)C);
    st->table = table;
    l->out_ndim = l->in_ndim;
    memcpy(l->out_dims, l->in_dims, sizeof(int64_t) * (size_t)l->in_ndim);
    l->out_dims[l->out_ndim - 1] = table->value->dims[0];
    return NNL_OK;
}

static nnl_status tied_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                               const nnl_forward_ctx *ctx)
{
    const tied_state *st = l->state;
    const nnl_kernels *k = nnl_kernels_active();
    const int64_t V = st->table->value->dims[0], C = st->table->value->dims[1], rows = x->size / C;
    const float *w = st->table->value->data;
    /* One row (a generation step) streams the table through dot products:
     * a GEMM would pack all of it for a single row of output. */
    if (rows == 1)
        k->matvec(V, C, w, x->data, NULL, buf->out->data);
    else
        k->sgemm(0, 1, rows, V, C, 1.0f, x->data, C, w, C, 0.0f, buf->out->data, V, nnl_threads_get());
    (void)ctx;
    return NNL_OK;
}

/* dtable += dy^T x;  dx = dy table */
static nnl_status tied_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                int need_dx)
{
    const tied_state *st = l->state;
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const int64_t V = st->table->value->dims[0], C = st->table->value->dims[1], rows = x->size / C;
    k->sgemm(1, 0, V, C, rows, 1.0f, dy->data, V, x->data, C, 1.0f, st->table->grad->data, C, threads);
    if (need_dx)
        k->sgemm(0, 0, rows, C, V, 1.0f, dy->data, V, st->table->value->data, C, 0.0f, buf->dx->data, C, threads);
    return NNL_OK;
}

static void tied_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"source\":%lld", (long long)((const tied_state *)l->state)->source);
}

static nnl_status tied_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t source = nnl_config_read_int(r, "source", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_tied_output(out, source);
}

const nnl_layer_ops nnl_layer_ops_tied_output = {
    .type = "tied_output", .from_config = tied_from_config, .build = tied_build, .forward = tied_forward,
    .backward = tied_backward, .write_config = tied_write_config, .state_size = sizeof(tied_state),
    .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE};

nnl_status nnl_layer_tied_output(nnl_layer **out, int64_t embedding_layer)
{
    static const char who[] = "nnl_layer_tied_output";
    NNL_CHECK_PTR(who, out);
    if (embedding_layer < 0 || embedding_layer >= 4096)
        return nnl_error(NNL_E_INVALID_ARG, "%s: embedding_layer=%lld, expected a layer index 0..4095", who,
                         (long long)embedding_layer);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_tied_output, who));
    ((tied_state *)(*out)->state)->source = embedding_layer;
    return NNL_OK;
}
