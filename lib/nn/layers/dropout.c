/* Inverted dropout: in training y = x * mask with mask in {0, 1/(1-rate)};
 * at inference y = x. The mask is kept in the scratch tensor for backward.
 * The kernel (dropout_forward) draws it from two numbers of the model's
 * generator per call (a 64-bit seed), hashed with each element's index. */
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/kernels.h"
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
    uint64_t seed = (uint64_t)nnl_rng_u32(ctx->rng) << 32;
    seed |= nnl_rng_u32(ctx->rng); /* a call takes two numbers; the kernel hashes (seed, element) */
    nnl_kernels_active()->dropout_forward(x->size, seed, rate, x->data, buf->out->data, buf->scratch->data);
    return NNL_OK;
}

static nnl_status dropout_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                   int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    /* a training forward drew a mask unless rate is 0; an inference forward
     * (saliency) passed x through */
    if (!buf->training || rate_of(l) == 0.0f) {
        memmove(buf->dx->data, dy->data, (size_t)x->size * sizeof(float)); /* dx may be dy */
        return NNL_OK;
    }
    const float *mask = buf->scratch->data;
    for (int64_t i = 0; i < x->size; i++)
        buf->dx->data[i] = dy->data[i] * mask[i];
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
