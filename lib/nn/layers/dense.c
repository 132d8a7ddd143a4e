/* Dense (fully connected) layer over the last dimension.
 *
 *   x {B, ..., in}  kernel {in, units}  bias {units}  ->  y {B, ..., units}
 *   rows = B * prod(leading per-sample dims): every row is one GEMM row. */
#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"

static nnl_status dense_build(nnl_layer *l, nnl_rng *init)
{
    int64_t in = l->in_dims[l->in_ndim - 1], units = l->config.units;
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
    int64_t in = l->in_dims[l->in_ndim - 1], units = l->config.units;
    int64_t rows = x->size / in;
    nnl_tensor *z = buf->out;
    if (nnl_activation_keeps_input(l->activation)) {
        NNL_TRY(nnl_tensor_ensure(&buf->pre, buf->out->ndim, buf->out->dims, "dense"));
        z = buf->pre;
    }
    k->sgemm(0, 0, rows, units, in, 1.0f, x->data, in, l->params[0].value->data, units, 0.0f, z->data, units,
             nnl_threads_get());
    k->add_bias(rows, units, z->data, l->params[1].value->data);
    if (l->activation != NNL_ACT_NONE)
        nnl_activation_apply(l->activation, rows, units, z->data, buf->out->data);
    buf->logits = l->activation == NNL_ACT_SOFTMAX ? z : NULL;
    (void)ctx;
    return NNL_OK;
}

/* dz = act'(dy); dW += x^T dz; db += sum_rows dz; dx = dz W^T. */
static nnl_status dense_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                 int need_dx)
{
    const nnl_kernels *k = nnl_kernels_active();
    int threads = nnl_threads_get();
    int64_t in = l->in_dims[l->in_ndim - 1], units = l->config.units;
    int64_t rows = x->size / in;
    if (!buf->dy_is_logit_grad)
        nnl_activation_grad(l->activation, rows, units, nnl_activation_keeps_input(l->activation) ? buf->pre->data : NULL, buf->out->data,
                            dy->data);
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
    nnl_strbuf_printf(json, ",\"units\":%lld,\"activation\":\"%s\"", (long long)l->config.units,
                      nnl_activation_name(l->activation));
}

static const nnl_layer_ops dense_ops = {"dense", dense_build, dense_forward, dense_backward, dense_write_config,
                                        NULL, NNL_LAYER_CAUSAL};

nnl_status nnl_layer_dense(nnl_layer **out, int64_t units, nnl_activation activation)
{
    if (units < 1 || units > ((int64_t)1 << 24))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_dense: units=%lld, expected 1..2^24", (long long)units);
    if (!nnl_activation_valid(activation))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_dense: unknown activation %d", (int)activation);
    NNL_TRY(nnl_layer_new(out, &dense_ops, "nnl_layer_dense"));
    (*out)->config.units = units;
    (*out)->activation = activation;
    return NNL_OK;
}
