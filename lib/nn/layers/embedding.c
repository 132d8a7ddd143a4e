/* Embedding layer: token ids -> rows of a learned table.
 *
 *   x {B, ...} token ids stored as floats   table {vocab, dim}   ->   y {B, ..., dim}
 *
 * Tensors are float32, so ids arrive as floats; each must be an integer in
 * [0, vocab). The ids have no gradient: dx is zero. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct embedding_config {
    int64_t vocab, dim;
} embedding_config;

static nnl_status embedding_build(nnl_layer *l, nnl_rng *init)
{
    if (l->in_ndim >= NNL_MAX_DIMS)
        return nnl_error(NNL_E_SHAPE, "embedding: inputs of %d dimensions leave no room for the embedding",
                         l->in_ndim);
    const embedding_config *c = l->state;
    l->out_ndim = l->in_ndim + 1;
    memcpy(l->out_dims, l->in_dims, sizeof(int64_t) * (size_t)l->in_ndim);
    l->out_dims[l->in_ndim] = c->dim;
    int64_t dims[2] = {c->vocab, c->dim};
    NNL_TRY(nnl_layer_add_param(l, "embeddings", 2, dims, 1, 1));
    return nnl_tensor_init_normal(l->params[0].value, 0.0f, 0.02f, nnl_rng_u32(init));
}

/* y[i, :] = table[x[i], :] */
static nnl_status embedding_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                    const nnl_forward_ctx *ctx)
{
    const embedding_config *c = l->state;
    const int64_t dim = c->dim, vocab = c->vocab;
    const float *table = l->params[0].value->data;
    for (int64_t i = 0; i < x->size; i++) {
        float id = x->data[i];
        if (!(id >= 0.0f && id < (float)vocab) || id != floorf(id))
            return nnl_error(NNL_E_INVALID_ARG, "embedding: input[%lld]=%g is not a token id in [0, %lld)",
                             (long long)i, (double)id, (long long)vocab);
        memcpy(buf->out->data + i * dim, table + (int64_t)id * dim, sizeof(float) * (size_t)dim);
    }
    (void)ctx;
    return NNL_OK;
}

/* dtable[x[i], :] += dy[i, :]; dx = 0 */
static nnl_status embedding_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                     int need_dx)
{
    const int64_t dim = ((const embedding_config *)l->state)->dim;
    float *grad = l->params[0].grad->data;
    for (int64_t i = 0; i < x->size; i++) {
        float *row = grad + (int64_t)x->data[i] * dim;
        const float *src = dy->data + i * dim;
        for (int64_t c = 0; c < dim; c++)
            row[c] += src[c];
    }
    if (need_dx)
        memset(buf->dx->data, 0, sizeof(float) * (size_t)buf->dx->size);
    return NNL_OK;
}

static void embedding_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const embedding_config *c = l->state;
    nnl_strbuf_printf(json, ",\"vocab\":%lld,\"dim\":%lld", (long long)c->vocab, (long long)c->dim);
}

static nnl_status embedding_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t vocab = nnl_config_read_int(r, "vocab", 0), dim = nnl_config_read_int(r, "dim", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_embedding(out, vocab, dim);
}

const nnl_layer_ops nnl_layer_ops_embedding = {
    .type = "embedding", .from_config = embedding_from_config, .build = embedding_build,
    .forward = embedding_forward, .backward = embedding_backward, .write_config = embedding_write_config,
    .state_size = sizeof(embedding_config),
    .flags = NNL_LAYER_CAUSAL | NNL_LAYER_POSITIONWISE | NNL_LAYER_DISCRETE_INPUT | NNL_LAYER_TRIMMABLE};

nnl_status nnl_layer_embedding(nnl_layer **out, int64_t vocab, int64_t dim)
{
    NNL_CHECK_PTR("nnl_layer_embedding", out);
    if (vocab < 1 || vocab > ((int64_t)1 << 24) || dim < 1 || dim > ((int64_t)1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_embedding: vocab=%lld dim=%lld, expected 1..2^24 and 1..2^20",
                         (long long)vocab, (long long)dim);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_embedding, "nnl_layer_embedding"));
    embedding_config *c = (*out)->state;
    c->vocab = vocab;
    c->dim = dim;
    return NNL_OK;
}
