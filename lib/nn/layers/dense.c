/* Dense (fully connected) layer over the last dimension.
 *
 *   x {B, ..., in}  kernel {in, units}  bias {units}  ->  y {B, ..., units}
 *   rows = B * prod(leading per-sample dims): every row is one GEMM row. */
#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/layer_config.h"
#include "nn/linear.h"

typedef struct dense_config {
    int64_t units;
    nnl_activation activation; /* fused: y = act(x W + b) */
} dense_config;

static nnl_status dense_build(nnl_layer *l, nnl_rng *init)
{
    int64_t in = l->in_dims[l->in_ndim - 1], units = ((const dense_config *)l->state)->units;
    l->out_ndim = l->in_ndim;
    for (int i = 0; i < l->in_ndim - 1; i++)
        l->out_dims[i] = l->in_dims[i];
    l->out_dims[l->out_ndim - 1] = units;
    int64_t kernel_dims[2] = {in, units};
    NNL_TRY(nnl_layer_add_param(l, "kernel", 2, kernel_dims, 1, 1));
    NNL_TRY(nnl_layer_add_param(l, "bias", 1, &units, 1, 0));
    return nnl_tensor_init_glorot(l->params[0].value, in, units, nnl_rng_u32(init));
}

/* z[rows, units] = x[rows, in] * W[in, units] + b; y = act(z). */
static nnl_status dense_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                const nnl_forward_ctx *ctx)
{
    const nnl_kernels *k = nnl_kernels_active();
    const dense_config *c = l->state;
    int64_t in = l->in_dims[l->in_ndim - 1], units = c->units;
    int64_t rows = x->size / in;
    nnl_tensor *z = buf->out;
    if (nnl_activation_keeps_input(c->activation)) {
        NNL_TRY(nnl_tensor_ensure(&buf->pre, buf->out->ndim, buf->out->dims, "dense"));
        z = buf->pre;
    }
    nnl_linear_forward(k, rows, in, units, x->data, l->params[0].value->data, z->data, nnl_threads_get());
    k->add_bias(rows, units, z->data, l->params[1].value->data);
    if (c->activation != NNL_ACT_NONE)
        nnl_activation_apply(c->activation, rows, units, z->data, buf->out->data);
    nnl_activation_note_logits(buf, c->activation, z);
    (void)ctx;
    return NNL_OK;
}

/* dz = act'(dy); dW += x^T dz; db += sum_rows dz; dx = dz W^T. */
static nnl_status dense_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                 int need_dx)
{
    const nnl_kernels *k = nnl_kernels_active();
    int threads = nnl_threads_get();
    const dense_config *c = l->state;
    int64_t in = l->in_dims[l->in_ndim - 1], units = c->units;
    int64_t rows = x->size / in;
    if (!buf->dy_is_logit_grad) {
        const float *z = nnl_activation_keeps_input(c->activation) ? buf->pre->data : NULL;
        nnl_activation_grad(c->activation, rows, units, z, buf->out->data, dy->data);
    }
    k->sgemm(1, 0, in, units, rows, 1.0f, x->data, in, dy->data, units, 1.0f, l->params[0].grad->data, units,
             threads);
    k->sum_rows(rows, units, dy->data, l->params[1].grad->data);
    if (need_dx)
        k->sgemm(0, 1, rows, in, units, 1.0f, dy->data, units, l->params[0].value->data, units, 0.0f,
                 buf->dx->data, in, threads);
    return NNL_OK;
}

static void dense_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const dense_config *c = l->state;
    nnl_strbuf_printf(json, ",\"units\":%lld,\"activation\":\"%s\"", (long long)c->units,
                      nnl_activation_name(c->activation));
}

static nnl_status dense_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t units = nnl_config_read_int(r, "units", 0);
    nnl_activation act = nnl_config_read_activation(r);
    return r->status != NNL_OK ? r->status : nnl_layer_dense(out, units, act);
}

const nnl_layer_ops nnl_layer_ops_dense = {
    .type = "dense", .from_config = dense_from_config, .build = dense_build, .forward = dense_forward,
    .backward = dense_backward, .write_config = dense_write_config, .state_size = sizeof(dense_config),
    .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE | NNL_LAYER_TRIMMABLE};

nnl_status nnl_layer_dense(nnl_layer **out, int64_t units, nnl_activation activation)
{
    if (units < 1 || units > ((int64_t)1 << 24))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_dense: units=%lld, expected 1..2^24", (long long)units);
    if (!nnl_activation_valid(activation))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_dense: unknown activation %d", (int)activation);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_dense, "nnl_layer_dense"));
    dense_config *c = (*out)->state;
    c->units = units;
    c->activation = activation;
    return NNL_OK;
}
