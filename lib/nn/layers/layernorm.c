/* Layer normalisation over the last dimension (Ba et al.), as GPT-2 uses it.
 *
 *   x {B, ..., C}  gamma {C}  beta {C}  ->  y {B, ..., C}
 *   rows = B * prod(leading per-sample dims); scratch keeps mean and 1/std per row. */
#include "core/error.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct layernorm_config {
    float epsilon;
} layernorm_config;

static nnl_status layernorm_build(nnl_layer *l, nnl_rng *init)
{
    int64_t c = l->in_dims[l->in_ndim - 1];
    nnl_layer_keep_shape(l);
    NNL_TRY(nnl_layer_add_param(l, "gamma", 1, &c, 1, 0));
    NNL_TRY(nnl_layer_add_param(l, "beta", 1, &c, 1, 0));
    (void)init;
    return nnl_tensor_fill(l->params[0].value, 1.0f);
}

static nnl_status layernorm_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                    const nnl_forward_ctx *ctx)
{
    int64_t c = l->in_dims[l->in_ndim - 1], rows = x->size / c, stats = 2 * rows;
    const float eps = ((const layernorm_config *)l->state)->epsilon;
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, &stats, "layernorm"));
    nnl_kernels_active()->layernorm_forward(rows, c, x->data, l->params[0].value->data, l->params[1].value->data, eps,
                                            buf->out->data, buf->scratch->data, buf->scratch->data + rows);
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
    nnl_strbuf_printf(json, ",\"epsilon\":%.9g", (double)((const layernorm_config *)l->state)->epsilon);
}

static nnl_status layernorm_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    float eps = nnl_config_read_float(r, "epsilon");
    return r->status != NNL_OK ? r->status : nnl_layer_layernorm(out, eps);
}

const nnl_layer_ops nnl_layer_ops_layernorm = {
    .type = "layernorm", .from_config = layernorm_from_config, .build = layernorm_build,
    .forward = layernorm_forward, .backward = layernorm_backward, .write_config = layernorm_write_config,
    .state_size = sizeof(layernorm_config),
    .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE | NNL_LAYER_TRIMMABLE};

nnl_status nnl_layer_layernorm(nnl_layer **out, float epsilon)
{
    NNL_CHECK_PTR("nnl_layer_layernorm", out);
    if (!(epsilon > 0.0f && epsilon < 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_layernorm: epsilon=%g, expected (0, 1)", (double)epsilon);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_layernorm, "nnl_layer_layernorm"));
    ((layernorm_config *)(*out)->state)->epsilon = epsilon;
    return NNL_OK;
}
