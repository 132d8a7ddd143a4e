/* Transformer block (GPT-2, pre-LayerNorm), and the encoder block that is
 * the same with bidirectional attention (BERT's reading, GPT-2's layout):
 *
 *   x {B, T, C} -> h = x + attention(layernorm(x))
 *               -> y = h + dense_C(gelu(dense_4C(layernorm(h))))
 *
 * With dropout, each branch ends in a dropout layer (GPT-2's residual dropout).
 *
 * Built from the public layers: two residual blocks, run in sequence with
 * their buffers in buf->inner. The constructor makes the children (dim is
 * needed for the MLP's widths), so a saved block's config is just heads and
 * dim and its parameters are its children's, depth first. */
#include <string.h>

#include "core/error.h"
#include "nn/layer_config.h"
#include "nn/workspace.h"

typedef struct block_config {
    int64_t heads, dim;
    float dropout;     /* of each branch's output; 0 = none */
} block_config;

/* The two types: the attention inside is what differs. */
typedef nnl_status (*attention_ctor)(nnl_layer **out, int64_t heads);

static nnl_status transformer_build(nnl_layer *l, nnl_rng *init)
{
    const int64_t dim = ((const block_config *)l->state)->dim;
    if (l->in_ndim != 2 || l->in_dims[1] != dim)
        return nnl_error(NNL_E_SHAPE, "%s: input must be (T, %lld) per sample", l->ops->type, (long long)dim);
    for (int i = 0; i < l->num_children; i++) {
        l->children[i]->param_budget = l->param_budget;
        NNL_TRY(nnl_layer_build_internal(l->children[i], l->in_ndim, l->in_dims, init));
        l->param_budget = l->children[i]->param_budget;
    }
    l->out_ndim = 2;
    l->out_dims[0] = l->in_dims[0];
    l->out_dims[1] = l->in_dims[1];
    return NNL_OK;
}

static nnl_status transformer_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                      const nnl_forward_ctx *ctx)
{
    if (!buf->inner)
        NNL_TRY(nnl_workspace_create(&buf->inner, l->num_children));
    const nnl_tensor *y;
    NNL_TRY(nnl_sequence_forward(l->children, l->num_children, buf->inner, x, ctx, &y));
    memcpy(buf->out->data, y->data, sizeof(float) * (size_t)y->size);
    return NNL_OK;
}

static nnl_status transformer_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                       int need_dx)
{
    nnl_tensor *dx;
    NNL_TRY(nnl_sequence_backward(l->children, l->num_children, buf->inner, x, dy, need_dx, &dx));
    if (need_dx)
        memcpy(buf->dx->data, dx->data, sizeof(float) * (size_t)dx->size);
    return NNL_OK;
}

static void transformer_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const block_config *c = l->state;
    nnl_strbuf_printf(json, ",\"heads\":%lld,\"dim\":%lld", (long long)c->heads, (long long)c->dim);
    if (c->dropout > 0.0f) /* written only when set: files without it load as before */
        nnl_strbuf_printf(json, ",\"dropout\":%.9g", (double)c->dropout);
}

/* The children are not in the config: the constructor makes them. */
static nnl_status transformer_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t heads = nnl_config_read_int(r, "heads", 0), dim = nnl_config_read_int(r, "dim", 0);
    float dropout = nnl_config_read_float_or(r, "dropout", 0.0f);
    return r->status != NNL_OK ? r->status : nnl_layer_transformer_block_dropout(out, heads, dim, dropout);
}

static nnl_status encoder_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t heads = nnl_config_read_int(r, "heads", 0), dim = nnl_config_read_int(r, "dim", 0);
    float dropout = nnl_config_read_float_or(r, "dropout", 0.0f);
    return r->status != NNL_OK ? r->status : nnl_layer_encoder_block(out, heads, dim, dropout);
}

const nnl_layer_ops nnl_layer_ops_transformer_block = {
    .type = "transformer_block", .from_config = transformer_from_config, .build = transformer_build,
    .forward = transformer_forward, .backward = transformer_backward, .write_config = transformer_write_config,
    .state_size = sizeof(block_config), .flags = NNL_LAYER_CAUSAL | NNL_LAYER_TRIMMABLE};

const nnl_layer_ops nnl_layer_ops_encoder_block = {
    .type = "encoder_block", .from_config = encoder_from_config, .build = transformer_build,
    .forward = transformer_forward, .backward = transformer_backward, .write_config = transformer_write_config,
    .state_size = sizeof(block_config), .flags = NNL_LAYER_TRIMMABLE};

/* residual(inner[0], ..., inner[n-1]); on failure every layer is freed. */
static nnl_status make_residual(nnl_layer **out, nnl_layer **inner, int n)
{
    nnl_status st = nnl_layer_residual(out);
    int i = 0;
    for (; st == NNL_OK && i < n; i++)
        st = nnl_layer_residual_add(*out, inner[i]);
    if (st != NNL_OK) {
        for (int j = i > 0 ? i - 1 : 0; j < n; j++)
            nnl_layer_free(inner[j]);
        nnl_layer_free(*out);
        *out = NULL;
    }
    return st;
}

/* On failure the child is freed. */
static nnl_status add_child(nnl_layer *block, nnl_layer *child)
{
    nnl_status st = nnl_layer_add_child(block, child, "nnl_layer_transformer_block");
    if (st != NNL_OK)
        nnl_layer_free(child);
    return st;
}

/* Frees the layers of a failed construction (NULL entries are skipped). */
static void free_all(nnl_layer **layers, int n)
{
    for (int i = 0; i < n; i++)
        nnl_layer_free(layers[i]);
}

/* residual(layernorm, attention [, dropout]) and residual(layernorm,
 * dense 4C gelu, dense C [, dropout]): GPT-2's two branches. */
static nnl_status make_branches(nnl_layer **res_attn, nnl_layer **res_mlp, int64_t heads, int64_t dim,
                                float dropout, attention_ctor attention)
{
    nnl_layer *attn[3] = {NULL, NULL, NULL}, *mlp[4] = {NULL, NULL, NULL, NULL};
    const int n_attn = dropout > 0.0f ? 3 : 2, n_mlp = dropout > 0.0f ? 4 : 3;
    nnl_status st = nnl_layer_layernorm(&attn[0], 1e-5f);
    if (st == NNL_OK)
        st = attention(&attn[1], heads);
    if (st == NNL_OK)
        st = nnl_layer_layernorm(&mlp[0], 1e-5f);
    if (st == NNL_OK)
        st = nnl_layer_dense(&mlp[1], 4 * dim, NNL_ACT_GELU);
    if (st == NNL_OK)
        st = nnl_layer_dense(&mlp[2], dim, NNL_ACT_NONE);
    if (st == NNL_OK && dropout > 0.0f)
        st = nnl_layer_dropout(&attn[2], dropout);
    if (st == NNL_OK && dropout > 0.0f)
        st = nnl_layer_dropout(&mlp[3], dropout);
    if (st != NNL_OK) {
        free_all(attn, 3);
        free_all(mlp, 4);
        return st;
    }
    st = make_residual(res_attn, attn, n_attn);
    if (st != NNL_OK) {
        free_all(mlp, 4);
        return st;
    }
    st = make_residual(res_mlp, mlp, n_mlp);
    if (st != NNL_OK)
        nnl_layer_free(*res_attn);
    return st;
}

static nnl_status make_block(nnl_layer **out, int64_t heads, int64_t dim, float dropout, const nnl_layer_ops *ops,
                             const char *who)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    if (heads < 1 || dim < 1 || dim > ((int64_t)1 << 20) || dim % heads != 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: heads=%lld dim=%lld, need dim in 1..2^20 divisible by heads", who,
                         (long long)heads, (long long)dim);
    if (!(dropout >= 0.0f && dropout < 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "%s: dropout=%g, expected [0, 1)", who, (double)dropout);
    nnl_layer *res_attn = NULL, *res_mlp = NULL;
    attention_ctor attention =
        ops == &nnl_layer_ops_encoder_block ? nnl_layer_self_attention : nnl_layer_causal_self_attention;
    NNL_TRY(make_branches(&res_attn, &res_mlp, heads, dim, dropout, attention));
    nnl_status st = nnl_layer_new(out, ops, who);
    if (st != NNL_OK) {
        nnl_layer_free(res_attn);
        nnl_layer_free(res_mlp);
        return st;
    }
    block_config *c = (*out)->state;
    c->heads = heads;
    c->dim = dim;
    c->dropout = dropout;
    if ((st = add_child(*out, res_attn)) != NNL_OK) {
        nnl_layer_free(res_mlp);
        nnl_layer_free(*out);
        *out = NULL;
        return st;
    }
    if ((st = add_child(*out, res_mlp)) != NNL_OK) {
        nnl_layer_free(*out);
        *out = NULL;
    }
    return st;
}

nnl_status nnl_layer_transformer_block_dropout(nnl_layer **out, int64_t heads, int64_t dim, float dropout)
{
    return make_block(out, heads, dim, dropout, &nnl_layer_ops_transformer_block,
                      "nnl_layer_transformer_block_dropout");
}

nnl_status nnl_layer_transformer_block(nnl_layer **out, int64_t heads, int64_t dim)
{
    return make_block(out, heads, dim, 0.0f, &nnl_layer_ops_transformer_block, "nnl_layer_transformer_block");
}

nnl_status nnl_layer_encoder_block(nnl_layer **out, int64_t heads, int64_t dim, float dropout)
{
    return make_block(out, heads, dim, dropout, &nnl_layer_ops_encoder_block, "nnl_layer_encoder_block");
}
