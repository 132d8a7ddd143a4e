/* Inverted dropout: in training y = x * mask with mask in {0, 1/(1-rate)};
 * at inference y = x. The mask is kept in the scratch tensor for backward. */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct dropout_config {
    float rate;
} dropout_config;

static float rate_of(const nnl_layer *l) { return ((const dropout_config *)l->state)->rate; }

static nnl_status dropout_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                  const nnl_forward_ctx *ctx)
{
    float rate = rate_of(l);
    if (!ctx->training || rate == 0.0f) {
        memcpy(buf->out->data, x->data, (size_t)x->size * sizeof(float));
        return NNL_OK;
    }
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, x->ndim, x->dims, "dropout"));
    float keep_scale = 1.0f / (1.0f - rate);
    for (int64_t i = 0; i < x->size; i++) {
        float m = nnl_rng_uniform(ctx->rng) < rate ? 0.0f : keep_scale;
        buf->scratch->data[i] = m;
        buf->out->data[i] = x->data[i] * m;
    }
    return NNL_OK;
}

static nnl_status dropout_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                   int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    /* a training forward drew a mask unless rate is 0; an inference forward
     * (saliency) passed x through */
    int masked = buf->training && rate_of(l) != 0.0f;
    for (int64_t i = 0; i < x->size; i++)
        buf->dx->data[i] = masked ? dy->data[i] * buf->scratch->data[i] : dy->data[i];
    return NNL_OK;
}

static void dropout_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"rate\":%.9g", (double)rate_of(l));
}

static nnl_status dropout_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    float rate = nnl_config_read_float(r, "rate");
    return r->status != NNL_OK ? r->status : nnl_layer_dropout(out, rate);
}

const nnl_layer_ops nnl_layer_ops_dropout = {
    .type = "dropout", .from_config = dropout_from_config, .build = nnl_layer_build_same_shape,
    .forward = dropout_forward, .backward = dropout_backward, .write_config = dropout_write_config,
    .state_size = sizeof(dropout_config), .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE | NNL_LAYER_TRIMMABLE};

nnl_status nnl_layer_dropout(nnl_layer **out, float rate)
{
    if (!(rate >= 0.0f && rate < 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_dropout: rate=%g, expected [0, 1)", (double)rate);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_dropout, "nnl_layer_dropout"));
    ((dropout_config *)(*out)->state)->rate = rate;
    return NNL_OK;
}
