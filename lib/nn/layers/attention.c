/* Multi-head self-attention over a sequence: causal (GPT-2's attention) or
 * bidirectional (BERT's), one implementation with two layer types.
 *
 *   x {B, T, C}  qkv_kernel {C, 3C}  qkv_bias {3C}  proj_kernel {C, C}  proj_bias {C}
 *   qkv = x W_qkv + b (B, T, 3C: q | k | v);  heads of hs = C / n_head side by side
 *   att (B, T, C) = softmax(q k^T / sqrt(hs)) v per head;  y = att W_proj + b
 *   causal: query t sees keys 0..t;  bidirectional: every query of sample b
 *   sees keys 0 .. len_b - 1, len_b from the model's key padding (ctx->lengths)
 *   T is x's time axis: the built length, or fewer in a trimmed batch
 *
 * Kernels use Keras' (in, out) layout like dense. Scratch keeps qkv, att,
 * each query's log-sum-exp and (bidirectional) the B key counts for the
 * backward; pre holds the backward's dqkv and datt. In generation the keys
 * and values of the positions seen so far stay in buf->cache, so a new token
 * costs one position's work (causal only: generation runs causal layers). */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/attention_heads.h"
#include "nn/layer.h"
#include "nn/layer_config.h"
#include "nn/linear.h"

typedef struct attention_config {
    int64_t heads;
    int bidirectional;
} attention_config;

static int64_t heads_of(const nnl_layer *l) { return ((const attention_config *)l->state)->heads; }
static int is_bidirectional(const nnl_layer *l) { return ((const attention_config *)l->state)->bidirectional; }

static nnl_status attention_build(nnl_layer *l, nnl_rng *init)
{
    if (l->in_ndim != 2)
        return nnl_error(NNL_E_SHAPE, "%s: input must be (T, C) per sample, got %d dims", l->ops->type,
                         l->in_ndim);
    int64_t c = l->in_dims[1];
    if (c % heads_of(l) != 0)
        return nnl_error(NNL_E_SHAPE, "%s: %lld features do not split into %lld heads", l->ops->type,
                         (long long)c, (long long)heads_of(l));
    l->out_ndim = 2;
    l->out_dims[0] = l->in_dims[0];
    l->out_dims[1] = c;
    int64_t qkv_dims[2] = {c, 3 * c}, qkv_bias = 3 * c, proj_dims[2] = {c, c};
    NNL_TRY(nnl_layer_add_param(l, "qkv_kernel", 2, qkv_dims, 1, 1));
    NNL_TRY(nnl_layer_add_param(l, "qkv_bias", 1, &qkv_bias, 1, 0));
    NNL_TRY(nnl_layer_add_param(l, "proj_kernel", 2, proj_dims, 1, 1));
    NNL_TRY(nnl_layer_add_param(l, "proj_bias", 1, &c, 1, 0));
    NNL_TRY(nnl_tensor_init_normal(l->params[0].value, 0.0f, 0.02f, nnl_rng_u32(init)));
    return nnl_tensor_init_normal(l->params[2].value, 0.0f, 0.02f, nnl_rng_u32(init));
}

typedef struct attn_dims {
    int64_t B, T, C, NH, hs;
} attn_dims;

static attn_dims dims_of(const nnl_layer *l, const nnl_tensor *x)
{
    attn_dims d = {x->dims[0], x->dims[1], l->in_dims[1], heads_of(l), 0};
    d.hs = d.C / d.NH;
    return d;
}

/* Generation: x {B, t, C} holds positions pos .. pos + t - 1. Their keys and
 * values join buf->cache {B, T, 2C} (k | v per position, T the built length)
 * and query i attends over cached positions 0 .. pos + i. */
static nnl_status attention_forward_cached(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                           const nnl_forward_ctx *ctx)
{
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const attn_dims d = dims_of(l, x);
    const int64_t C = d.C, T = l->in_dims[0], pos = ctx->pos, t = d.T;
    if (pos < 0 || pos + t > T)
        return nnl_error(NNL_E_SHAPE, "causal_self_attention: positions %lld..%lld past the built length %lld",
                         (long long)pos, (long long)(pos + t - 1), (long long)T);
    int64_t cache_dims[3] = {d.B, T, 2 * C}, floats = d.B * t * 4 * C; /* qkv, att */
    NNL_TRY(nnl_tensor_ensure(&buf->cache, 3, cache_dims, "causal_self_attention"));
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, &floats, "causal_self_attention"));
    float *qkv = buf->scratch->data, *att = qkv + d.B * t * 3 * C;
    nnl_linear_forward(k, d.B * t, C, 3 * C, x->data, l->params[0].value->data, qkv, threads);
    k->add_bias(d.B * t, 3 * C, qkv, l->params[1].value->data);
    const nnl_attn_shape s = {t, pos + t, d.hs, 3 * C, 2 * C, C, 1.0f / sqrtf((float)d.hs), 0};
    for (int64_t b = 0; b < d.B; b++) {
        float *cache = buf->cache->data + b * T * 2 * C;
        for (int64_t i = 0; i < t; i++)
            memcpy(cache + (pos + i) * 2 * C, qkv + (b * t + i) * 3 * C + C, sizeof(float) * (size_t)(2 * C));
        for (int64_t h = 0; h < d.NH; h++)
            k->attention_forward(&s, qkv + b * t * 3 * C + h * d.hs, cache + h * d.hs, cache + C + h * d.hs,
                                 att + b * t * C + h * d.hs, NULL);
    }
    nnl_linear_forward(k, d.B * t, C, C, att, l->params[2].value->data, buf->out->data, threads);
    k->add_bias(d.B * t, C, buf->out->data, l->params[3].value->data);
    return NNL_OK;
}

static nnl_status attention_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                    const nnl_forward_ctx *ctx)
{
    if (ctx->time > 0)
        return attention_forward_cached(l, x, buf, ctx);
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const attn_dims d = dims_of(l, x);
    const int64_t BT = d.B * d.T, C = d.C;
    int64_t floats = BT * 3 * C + BT * C + BT * d.NH + d.B; /* qkv, att, lse, keys */
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, &floats, l->ops->type));
    float *qkv = buf->scratch->data, *att = qkv + BT * 3 * C, *lse = att + BT * C, *keys = lse + BT * d.NH;
    for (int64_t b = 0; b < d.B; b++) /* 1 <= lengths[b] <= T: the model's key padding */
        keys[b] = (float)(ctx->lengths ? ctx->lengths[b] : d.T);
    nnl_linear_forward(k, BT, C, 3 * C, x->data, l->params[0].value->data, qkv, threads);
    k->add_bias(BT, 3 * C, qkv, l->params[1].value->data);
    nnl_attention_heads_forward(k, d.B, d.T, C, d.NH, is_bidirectional(l) ? keys : NULL, qkv, att, lse, threads);
    nnl_linear_forward(k, BT, C, C, att, l->params[2].value->data, buf->out->data, threads);
    k->add_bias(BT, C, buf->out->data, l->params[3].value->data);
    return NNL_OK;
}

static nnl_status attention_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                     int need_dx)
{
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const attn_dims d = dims_of(l, x);
    const int64_t BT = d.B * d.T, C = d.C;
    const float *qkv = buf->scratch->data, *att = qkv + BT * 3 * C, *lse = att + BT * C, *keys = lse + BT * d.NH;
    int64_t floats = BT * 3 * C + BT * C;
    NNL_TRY(nnl_tensor_ensure(&buf->pre, 1, &floats, l->ops->type));
    float *dqkv = buf->pre->data, *datt = dqkv + BT * 3 * C;
    /* y = att W_proj + b */
    k->sgemm(1, 0, C, C, BT, 1.0f, att, C, dy->data, C, 1.0f, l->params[2].grad->data, C, threads);
    k->sum_rows(BT, C, dy->data, l->params[3].grad->data);
    k->sgemm(0, 1, BT, C, C, 1.0f, dy->data, C, l->params[2].value->data, C, 0.0f, datt, C, threads);
    /* att = attention(qkv) */
    nnl_attention_heads_backward(k, d.B, d.T, C, d.NH, is_bidirectional(l) ? keys : NULL, qkv, att, lse, datt,
                                 dqkv, threads);
    /* qkv = x W_qkv + b */
    k->sgemm(1, 0, C, 3 * C, BT, 1.0f, x->data, C, dqkv, 3 * C, 1.0f, l->params[0].grad->data, 3 * C, threads);
    k->sum_rows(BT, 3 * C, dqkv, l->params[1].grad->data);
    if (need_dx)
        k->sgemm(0, 1, BT, C, 3 * C, 1.0f, dqkv, 3 * C, l->params[0].value->data, 3 * C, 0.0f, buf->dx->data, C,
                 threads);
    return NNL_OK;
}

/* p_ij = exp(scale q_i . k_j - lse_i), the forward's softmax recomputed
 * from its saved log-sum-exp, for sample 0 of the scratch layout above. */
static int64_t attention_weights(const nnl_layer *l, const nnl_layer_buffers *buf, float *out)
{
    const int64_t NH = heads_of(l);
    if (!out)
        return NH;
    const int64_t B = buf->out->dims[0], T = buf->out->dims[1], C = l->in_dims[1], hs = C / NH;
    const float *qkv = buf->scratch->data, *lse = qkv + B * T * 4 * C, *keys = lse + B * T * NH;
    const int64_t seen = is_bidirectional(l) ? (int64_t)keys[0] : T;
    const float scale = 1.0f / sqrtf((float)hs);
    for (int64_t h = 0; h < NH; h++)
        for (int64_t i = 0; i < T; i++) {
            const float *q = qkv + i * 3 * C + h * hs;
            float *row = out + (h * T + i) * T;
            const int64_t last = is_bidirectional(l) ? seen - 1 : i;
            for (int64_t j = 0; j <= last; j++) {
                const float *key = qkv + j * 3 * C + C + h * hs;
                float dot = 0.0f;
                for (int64_t e = 0; e < hs; e++)
                    dot += q[e] * key[e];
                row[j] = expf(scale * dot - lse[h * T + i]);
            }
            for (int64_t j = last + 1; j < T; j++)
                row[j] = 0.0f;
        }
    return NH;
}

static void attention_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"heads\":%lld", (long long)heads_of(l));
}

static nnl_status causal_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t heads = nnl_config_read_int(r, "heads", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_causal_self_attention(out, heads);
}

static nnl_status bidirectional_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t heads = nnl_config_read_int(r, "heads", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_self_attention(out, heads);
}

const nnl_layer_ops nnl_layer_ops_causal_self_attention = {
    .type = "causal_self_attention", .from_config = causal_from_config, .build = attention_build,
    .forward = attention_forward, .backward = attention_backward, .write_config = attention_write_config,
    .state_size = sizeof(attention_config), .flags = NNL_LAYER_CAUSAL | NNL_LAYER_TRIMMABLE,
    .attention_weights = attention_weights};

/* Not causal: generation refuses a stack with it. */
const nnl_layer_ops nnl_layer_ops_self_attention = {
    .type = "self_attention", .from_config = bidirectional_from_config, .build = attention_build,
    .forward = attention_forward, .backward = attention_backward, .write_config = attention_write_config,
    .state_size = sizeof(attention_config), .flags = NNL_LAYER_TRIMMABLE, .attention_weights = attention_weights};

static nnl_status make_attention(nnl_layer **out, int64_t heads, const nnl_layer_ops *ops, const char *who)
{
    NNL_CHECK_PTR(who, out);
    if (heads < 1 || heads > 4096)
        return nnl_error(NNL_E_INVALID_ARG, "%s: heads=%lld, expected 1..4096", who, (long long)heads);
    NNL_TRY(nnl_layer_new(out, ops, who));
    attention_config *c = (*out)->state;
    c->heads = heads;
    c->bidirectional = ops == &nnl_layer_ops_self_attention;
    return NNL_OK;
}

nnl_status nnl_layer_causal_self_attention(nnl_layer **out, int64_t heads)
{
    return make_attention(out, heads, &nnl_layer_ops_causal_self_attention, "nnl_layer_causal_self_attention");
}

nnl_status nnl_layer_self_attention(nnl_layer **out, int64_t heads)
{
    return make_attention(out, heads, &nnl_layer_ops_self_attention, "nnl_layer_self_attention");
}
