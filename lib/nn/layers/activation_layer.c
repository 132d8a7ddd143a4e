/* Standalone activation layer: y = act(x), same shape (softmax over the last dim). */
#include "core/error.h"
#include "nn/layer.h"

static nnl_status act_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    l->out_ndim = l->in_ndim;
    for (int i = 0; i < l->in_ndim; i++)
        l->out_dims[i] = l->in_dims[i];
    return NNL_OK;
}

static int64_t last_dim(const nnl_layer *l) { return l->in_dims[l->in_ndim - 1]; }

static nnl_status act_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                              const nnl_forward_ctx *ctx)
{
    (void)ctx;
    int64_t cols = last_dim(l);
    nnl_activation_apply(l->activation, x->size / cols, cols, x->data, buf->out->data);
    buf->logits = l->activation == NNL_ACT_SOFTMAX ? x : NULL;
    return NNL_OK;
}

static nnl_status act_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                               int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    int64_t cols = last_dim(l);
    if (!buf->dy_is_logit_grad)
        nnl_activation_grad(l->activation, x->size / cols, cols, x->data, buf->out->data, dy->data);
    for (int64_t i = 0; i < x->size; i++)
        buf->dx->data[i] = dy->data[i];
    return NNL_OK;
}

static void act_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"activation\":\"%s\"", nnl_activation_name(l->activation));
}

static const nnl_layer_ops activation_ops = {"activation", act_build, act_forward, act_backward, act_write_config,
                                             NULL, NNL_LAYER_CAUSAL};

nnl_status nnl_layer_activation(nnl_layer **out, nnl_activation activation)
{
    if (!nnl_activation_valid(activation) || activation == NNL_ACT_NONE)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_activation: activation=%d, expected relu..softmax",
                         (int)activation);
    NNL_TRY(nnl_layer_new(out, &activation_ops, "nnl_layer_activation"));
    (*out)->activation = activation;
    return NNL_OK;
}
