/* nnl_model_attention_weights(): run a token sequence through the model and
 * read each attention layer's softmax weights back from its buffers.
 *
 *   tokens (n)  ->  x (1, T) ids: the n tokens, then padding up to the
 *   model's T (the padding token when the model has one, else 0)
 *   weights (layers, heads, n, n): the top-left n x n of each head's T x T
 *
 * Causal layers: positions < n never see the padding after them, so their
 * weights are those of the n tokens alone. Bidirectional layers: the key
 * count is set to n (nnl_forward_ctx.lengths, or the model's own padding),
 * so they attend to the n tokens only. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "nn/model.h"
#include "nn/workspace.h"

/* Calls visit(l, buf, arg) for every attention layer of layers[0..n) in
 * stack order, depth first through composite layers (their children's
 * buffers are in buf->inner). Returns how many it visited. */
typedef void (*attention_visit)(const nnl_layer *l, const nnl_layer_buffers *buf, void *arg);

static int64_t each_attention(nnl_layer *const *layers, int n, const nnl_workspace *ws, attention_visit visit,
                              void *arg)
{
    int64_t count = 0;
    for (int i = 0; i < n; i++) {
        const nnl_layer *l = layers[i];
        const nnl_layer_buffers *buf = ws ? &ws->buffers[i] : NULL;
        if (l->ops->attention_weights) {
            visit(l, buf, arg);
            count++;
        }
        if (l->num_children > 0)
            count += each_attention(l->children, l->num_children, buf ? buf->inner : NULL, visit, arg);
    }
    return count;
}

typedef struct head_count {
    int64_t heads; /* of the first layer seen */
    int uneven;    /* a layer with another count */
} head_count;

static void count_heads(const nnl_layer *l, const nnl_layer_buffers *buf, void *arg)
{
    (void)buf;
    head_count *c = arg;
    int64_t h = l->ops->attention_weights(l, NULL, NULL);
    if (c->heads == 0)
        c->heads = h;
    c->uneven |= h != c->heads;
}

typedef struct weights_copy {
    float *full;    /* heads x T x T of one layer */
    int64_t T, n;
    float *out;     /* where the next layer's heads x n x n go */
} weights_copy;

static void copy_weights(const nnl_layer *l, const nnl_layer_buffers *buf, void *arg)
{
    weights_copy *w = arg;
    int64_t heads = l->ops->attention_weights(l, buf, w->full);
    for (int64_t h = 0; h < heads; h++)
        for (int64_t i = 0; i < w->n; i++) {
            memcpy(w->out, w->full + (h * w->T + i) * w->T, sizeof(float) * (size_t)w->n);
            w->out += w->n;
        }
}

static nnl_status check_tokens(const nnl_model *m, const int32_t *tokens, int64_t length, const char *who)
{
    if (m->num_layers == 0 || m->in_ndim != 1)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the model must take (T,) token ids", who);
    if (length < 1 || length > m->in_dims[0])
        return nnl_error(NNL_E_INVALID_ARG, "%s: length=%lld, expected 1..%lld (the model's context)", who,
                         (long long)length, (long long)m->in_dims[0]);
    /* The embedding checks ids against its vocabulary; floats hold ids exactly up to 2^24. */
    for (int64_t t = 0; t < length; t++)
        if (tokens[t] < 0 || tokens[t] > (1 << 24))
            return nnl_error(NNL_E_INVALID_ARG, "%s: token %lld is %d, not a token id", who, (long long)t,
                             (int)tokens[t]);
    return NNL_OK;
}

/* x (1, T): the tokens, then padding; lengths (1) = n. */
static nnl_status run_tokens(const nnl_model *m, nnl_workspace *ws, const int32_t *tokens, int64_t n, float *ids,
                             const char *who)
{
    const int64_t T = m->in_dims[0], dims[2] = {1, T};
    const float pad = m->has_padding ? (float)m->padding_token : 0.0f;
    for (int64_t t = 0; t < T; t++)
        ids[t] = t < n ? (float)tokens[t] : pad;
    nnl_tensor *x;
    NNL_TRY(nnl_tensor_wrap(&x, 2, dims, ids));
    const nnl_tensor *y;
    const nnl_forward_ctx ctx = {.lengths = &n, .full_length = 1}; /* the weights are read for T positions */
    nnl_status s = nnl_model_forward(m, ws, x, &ctx, &y);
    if (s == NNL_OK)
        s = nnl_check_finite(y->data, y->size, who, "output");
    nnl_tensor_free(x);
    return s;
}

static nnl_status attention_weights(const nnl_model *m, const int32_t *tokens, int64_t n, float *weights,
                                    int64_t capacity, int64_t layer_count, int64_t heads, const char *who)
{
    const int64_t T = m->in_dims[0], needed = layer_count * heads * n * n;
    if (capacity < needed)
        return nnl_error(NNL_E_INVALID_ARG, "%s: capacity=%lld floats, %lld needed (%lld layers x %lld heads x "
                         "%lld x %lld)", who, (long long)capacity, (long long)needed, (long long)layer_count,
                         (long long)heads, (long long)n, (long long)n);
    float *ids = nnl_alloc(sizeof(float) * (size_t)(T + heads * T * T));
    if (!ids)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld x %lld x %lld floats", who, (long long)heads,
                         (long long)T, (long long)T);
    nnl_workspace *ws;
    nnl_status s = nnl_model_workspace_acquire(m, &ws);
    if (s == NNL_OK) {
        s = run_tokens(m, ws, tokens, n, ids, who);
        weights_copy w = {ids + T, T, n, weights};
        if (s == NNL_OK)
            each_attention(m->layers, m->num_layers, ws, copy_weights, &w);
        nnl_model_workspace_release(m, ws);
    }
    nnl_dealloc(ids);
    return s;
}

nnl_status nnl_model_attention_weights(const nnl_model *model, const int32_t *tokens, int64_t length,
                                       float *weights, int64_t capacity, int64_t *layers, int64_t *heads)
{
    static const char who[] = "nnl_model_attention_weights";
    NNL_CHECK_PTR(who, model);
    NNL_CHECK_PTR(who, tokens);
    NNL_TRY(check_tokens(model, tokens, length, who));
    head_count c = {0, 0};
    int64_t layer_count = each_attention(model->layers, model->num_layers, NULL, count_heads, &c);
    if (layer_count == 0)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the model has no attention layer", who);
    if (c.uneven)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the attention layers have different head counts", who);
    if (layers)
        *layers = layer_count;
    if (heads)
        *heads = c.heads;
    if (!weights)
        return NNL_OK;
    return nnl_error_in(attention_weights(model, tokens, length, weights, capacity, layer_count, c.heads, who),
                        who);
}
