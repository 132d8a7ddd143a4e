/* Layer normalisation over the last dimension (Ba et al.), as GPT-2 uses it.
 *
 *   x {B, ..., C}  gamma {C}  beta {C}  ->  y {B, ..., C}
 *   rows = B * prod(leading per-sample dims); scratch keeps mean and 1/std per row. */
#include "core/error.h"
#include "kernels/kernels.h"
#include "nn/layer.h"

static nnl_status layernorm_build(nnl_layer *l, nnl_rng *init)
{
    int64_t c = l->in_dims[l->in_ndim - 1];
    l->out_ndim = l->in_ndim;
    for (int i = 0; i < l->in_ndim; i++)
        l->out_dims[i] = l->in_dims[i];
    NNL_TRY(nnl_layer_add_param(l, "gamma", 1, &c, 1, 0));
    NNL_TRY(nnl_layer_add_param(l, "beta", 1, &c, 1, 0));
    (void)init;
    return nnl_tensor_fill(l->params[0].value, 1.0f);
}

static nnl_status layernorm_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                    const nnl_forward_ctx *ctx)
{
    int64_t c = l->in_dims[l->in_ndim - 1], rows = x->size / c, stats = 2 * rows;
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, &stats, "layernorm"));
    nnl_kernels_active()->layernorm_forward(rows, c, x->data, l->params[0].value->data, l->params[1].value->data,
                                            l->config.epsilon, buf->out->data, buf->scratch->data,
                                            buf->scratch->data + rows);
    (void)ctx;
    return NNL_OK;
}

/* The kernel adds into dx, so dx is zeroed first; without need_dx the
 * input gradient still has to go somewhere: buf->pre. */
static nnl_status layernorm_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                     int need_dx)
{
    int64_t c = l->in_dims[l->in_ndim - 1], rows = x->size / c;
    nnl_tensor *dx = buf->dx;
    if (!need_dx) {
        NNL_TRY(nnl_tensor_ensure(&buf->pre, x->ndim, x->dims, "layernorm"));
        dx = buf->pre;
    }
    NNL_TRY(nnl_tensor_fill(dx, 0.0f));
    nnl_kernels_active()->layernorm_backward(rows, c, dy->data, x->data, l->params[0].value->data,
                                             buf->scratch->data, buf->scratch->data + rows, dx->data,
                                             l->params[0].grad->data, l->params[1].grad->data);
    return NNL_OK;
}

static void layernorm_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"epsilon\":%.9g", (double)l->config.epsilon);
}

static const nnl_layer_ops layernorm_ops = {"layernorm", layernorm_build, layernorm_forward, layernorm_backward,
                                            layernorm_write_config, NULL, NNL_LAYER_CAUSAL};

nnl_status nnl_layer_layernorm(nnl_layer **out, float epsilon)
{
    NNL_CHECK_PTR("nnl_layer_layernorm", out);
    if (!(epsilon > 0.0f && epsilon < 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_layernorm: epsilon=%g, expected (0, 1)", (double)epsilon);
    NNL_TRY(nnl_layer_new(out, &layernorm_ops, "nnl_layer_layernorm"));
    (*out)->config.epsilon = epsilon;
    return NNL_OK;
}
