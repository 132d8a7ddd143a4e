/* Learned position embedding (GPT-2's wpe): adds a learned vector per position.
 *
 *   x {B, T, C}  table {T, C}  ->  y {B, T, C},  y[b, t, :] = x[b, t, :] + table[t, :]
 *
 * In generation the input holds positions pos .. pos + time - 1, which take
 * rows pos .. of the table; a trimmed batch (T = L < the built length)
 * takes rows 0 .. L - 1. */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct position_config {
    int64_t positions; /* rows of the table: the longest sequence */
} position_config;

static int64_t positions_of(const nnl_layer *l) { return ((const position_config *)l->state)->positions; }

static nnl_status position_build(nnl_layer *l, nnl_rng *init)
{
    if (l->in_ndim != 2)
        return nnl_error(NNL_E_SHAPE, "position_embedding: input must be (T, C) per sample, got %d dims",
                         l->in_ndim);
    if (l->in_dims[0] > positions_of(l))
        return nnl_error(NNL_E_SHAPE, "position_embedding: %lld positions, the table has %lld",
                         (long long)l->in_dims[0], (long long)positions_of(l));
    l->out_ndim = 2;
    memcpy(l->out_dims, l->in_dims, sizeof(int64_t) * 2);
    int64_t dims[2] = {positions_of(l), l->in_dims[1]};
    NNL_TRY(nnl_layer_add_param(l, "embeddings", 2, dims, 1, 1));
    return nnl_tensor_init_normal(l->params[0].value, 0.0f, 0.02f, nnl_rng_u32(init));
}

static nnl_status position_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                   const nnl_forward_ctx *ctx)
{
    const int64_t B = x->dims[0], T = x->dims[1], C = x->dims[2], first = ctx->time > 0 ? ctx->pos : 0;
    if (first + T > positions_of(l))
        return nnl_error(NNL_E_SHAPE, "position_embedding: positions %lld..%lld past the table's %lld",
                         (long long)first, (long long)(first + T - 1), (long long)positions_of(l));
    const float *table = l->params[0].value->data + first * C;
    for (int64_t b = 0; b < B; b++)
        for (int64_t i = 0; i < T * C; i++)
            buf->out->data[b * T * C + i] = x->data[b * T * C + i] + table[i];
    return NNL_OK;
}

/* dtable[t, :] += sum_b dy[b, t, :];  dx = dy */
static nnl_status position_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                    int need_dx)
{
    const int64_t B = x->dims[0], TC = x->dims[1] * x->dims[2];
    float *grad = l->params[0].grad->data;
    for (int64_t b = 0; b < B; b++)
        for (int64_t i = 0; i < TC; i++)
            grad[i] += dy->data[b * TC + i];
    if (need_dx)
        memcpy(buf->dx->data, dy->data, sizeof(float) * (size_t)dy->size);
    return NNL_OK;
}

static void position_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"positions\":%lld", (long long)positions_of(l));
}

static nnl_status position_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t positions = nnl_config_read_int(r, "positions", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_position_embedding(out, positions);
}

const nnl_layer_ops nnl_layer_ops_position_embedding = {
    .type = "position_embedding", .from_config = position_from_config, .build = position_build,
    .forward = position_forward, .backward = position_backward, .write_config = position_write_config,
    .state_size = sizeof(position_config), .flags = NNL_LAYER_CAUSAL | NNL_LAYER_TRIMMABLE};

nnl_status nnl_layer_position_embedding(nnl_layer **out, int64_t positions)
{
    NNL_CHECK_PTR("nnl_layer_position_embedding", out);
    if (positions < 1 || positions > ((int64_t)1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_position_embedding: positions=%lld, expected 1..2^20",
                         (long long)positions);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_position_embedding, "nnl_layer_position_embedding"));
    ((position_config *)(*out)->state)->positions = positions;
    return NNL_OK;
}
