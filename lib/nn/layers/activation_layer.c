/* Standalone activation layer: y = act(x), same shape (softmax over the last dim). */
#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct act_config {
    nnl_activation activation;
} act_config;

static nnl_activation act_of(const nnl_layer *l) { return ((const act_config *)l->state)->activation; }

static int64_t last_dim(const nnl_layer *l) { return l->in_dims[l->in_ndim - 1]; }

static nnl_status act_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                              const nnl_forward_ctx *ctx)
{
    (void)ctx;
    int64_t cols = last_dim(l);
    nnl_activation_apply(act_of(l), x->size / cols, cols, x->data, buf->out->data);
    nnl_activation_note_logits(buf, act_of(l), x);
    return NNL_OK;
}

static nnl_status act_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                               int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    int64_t cols = last_dim(l);
    if (!buf->dy_is_logit_grad)
        nnl_activation_grad(act_of(l), x->size / cols, cols, x->data, buf->out->data, dy->data);
    for (int64_t i = 0; i < x->size; i++)
        buf->dx->data[i] = dy->data[i];
    return NNL_OK;
}

static void act_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"activation\":\"%s\"", nnl_activation_name(act_of(l)));
}

static nnl_status act_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    nnl_activation act = nnl_config_read_activation(r);
    return r->status != NNL_OK ? r->status : nnl_layer_activation(out, act);
}

const nnl_layer_ops nnl_layer_ops_activation = {
    .type = "activation", .from_config = act_from_config, .build = nnl_layer_build_same_shape,
    .forward = act_forward, .backward = act_backward, .write_config = act_write_config,
    .state_size = sizeof(act_config), .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE};

nnl_status nnl_layer_activation(nnl_layer **out, nnl_activation activation)
{
    if (!nnl_activation_valid(activation) || activation == NNL_ACT_NONE)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_activation: activation=%d, expected relu..softmax",
                         (int)activation);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_activation, "nnl_layer_activation"));
    ((act_config *)(*out)->state)->activation = activation;
    return NNL_OK;
}
