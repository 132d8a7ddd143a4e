/* Batch buffers of a layer sequence and the sequence's forward/backward. */
#include "nn/workspace.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/profile.h"

nnl_status nnl_workspace_create(nnl_workspace **out, int num_layers)
{
    nnl_workspace *ws = nnl_alloc_zeroed(sizeof *ws);
    nnl_layer_buffers *buffers = nnl_alloc_zeroed((size_t)(num_layers > 0 ? num_layers : 1) * sizeof *buffers);
    if (!ws || !buffers) {
        nnl_dealloc(ws);
        nnl_dealloc(buffers);
        return nnl_error(NNL_E_NOMEM, "workspace: out of memory for %d layers", num_layers);
    }
    ws->num_layers = num_layers;
    ws->buffers = buffers;
    *out = ws;
    return NNL_OK;
}

void nnl_layer_buffers_release(nnl_layer_buffers *buf)
{
    nnl_tensor_free(buf->out);
    nnl_tensor_free(buf->pre);
    nnl_tensor_free(buf->dx);
    nnl_tensor_free(buf->scratch);
    nnl_tensor_free(buf->cache);
    nnl_workspace_free(buf->inner);
    *buf = (nnl_layer_buffers){0};
}

void nnl_workspace_free(nnl_workspace *ws)
{
    if (!ws)
        return;
    for (int i = 0; i < ws->num_layers; i++)
        nnl_layer_buffers_release(&ws->buffers[i]);
    nnl_dealloc(ws->buffers);
    nnl_dealloc(ws->lengths);
    nnl_tensor_free(ws->trimmed);
    nnl_dealloc(ws);
}

/* x -> buf->out {dims}: a view of x for the types that only reshape
 * (NNL_LAYER_RESHAPES), else the type's forward into a buffer of its own. */
static nnl_status layer_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf, int ndim,
                                const int64_t *dims, const nnl_forward_ctx *ctx)
{
    if (l->ops->flags & NNL_LAYER_RESHAPES)
        return nnl_tensor_view(&buf->out, x, ndim, dims, l->ops->type);
    NNL_TRY(nnl_tensor_ensure(&buf->out, ndim, dims, l->ops->type));
    return l->ops->forward(l, x, buf, ctx);
}

/* dy -> param grads and, when need_dx, buf->dx with x's shape (a batch
 * trimmed to its longest line, a head on the counted rows): a view of dy for
 * the types that only reshape. */
static nnl_status layer_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                 int need_dx)
{
    if (l->ops->flags & NNL_LAYER_RESHAPES)
        return need_dx ? nnl_tensor_view(&buf->dx, dy, x->ndim, x->dims, l->ops->type) : NNL_OK;
    if (need_dx)
        NNL_TRY(nnl_tensor_ensure(&buf->dx, x->ndim, x->dims, l->ops->type));
    return l->ops->backward(l, x, dy, buf, need_dx);
}

/* The same as profiler events (core/profile.h), named by the layer's type
 * and its index in the sequence. */
static nnl_status profiled_forward(const nnl_layer *l, int i, const nnl_tensor *x, nnl_layer_buffers *buf, int ndim,
                                   const int64_t *dims, const nnl_forward_ctx *ctx)
{
    nnl_profile_begin(NNL_PROFILE_LAYER, l->ops->type, i, NNL_PROFILE_FORWARD);
    nnl_status s = layer_forward(l, x, buf, ndim, dims, ctx);
    nnl_profile_end(0);
    return s;
}

static nnl_status profiled_backward(nnl_layer *l, int i, const nnl_tensor *x, nnl_tensor *dy,
                                    nnl_layer_buffers *buf, int need_dx)
{
    nnl_profile_begin(NNL_PROFILE_LAYER, l->ops->type, i, NNL_PROFILE_BACKWARD);
    nnl_status s = layer_backward(l, x, dy, buf, need_dx);
    nnl_profile_end(0);
    return s;
}

/* The fused pass of layers[i] and layers[i + 1] on this batch, or NULL. */
static const nnl_layer_fusion *fusion_at(nnl_layer *const *layers, int n, int i, int64_t batch,
                                         const nnl_forward_ctx *ctx)
{
    const nnl_layer_fusion *f = layers[i]->ops->fusion;
    if (!f || i + 1 >= n || ctx->time > 0 || ctx->trim > 0)
        return NULL;
    return f->applies(layers[i], layers[i + 1], batch) ? f : NULL;
}

/* x -> buffers[i + 1].out through layers i and i + 1 as one pass. */
static nnl_status pair_forward(const nnl_layer_fusion *f, nnl_layer *const *layers, int i, nnl_workspace *ws,
                               const nnl_tensor *x, const nnl_forward_ctx *ctx)
{
    const nnl_layer *l = layers[i], *next = layers[i + 1];
    nnl_layer_buffers *buf = &ws->buffers[i], *next_buf = &ws->buffers[i + 1];
    int64_t dims[NNL_MAX_DIMS];
    nnl_batch_shape(x->dims[0], next->out_ndim, next->out_dims, dims);
    NNL_TRY(nnl_tensor_ensure(&next_buf->out, next->out_ndim + 1, dims, next->ops->type));
    buf->dy_is_logit_grad = next_buf->dy_is_logit_grad = next_buf->fused_with_next = 0;
    buf->fused_with_next = 1;
    buf->training = next_buf->training = ctx->training;
    if (!nnl_profile_on())
        return f->forward(l, next, x, buf, next_buf);
    nnl_profile_begin(NNL_PROFILE_LAYER, f->name, i, NNL_PROFILE_FORWARD);
    nnl_status s = f->forward(l, next, x, buf, next_buf);
    nnl_profile_end(0);
    return s;
}

/* dy of layers[i + 1] -> layers[i]'s param grads and, when need_dx,
 * buffers[i].dx with x's shape: the backward of a pair that ran fused. */
static nnl_status pair_backward(nnl_layer *const *layers, int i, nnl_workspace *ws, const nnl_tensor *x,
                                nnl_tensor *dy, int need_dx)
{
    nnl_layer *l = layers[i];
    const nnl_layer_fusion *f = l->ops->fusion;
    nnl_layer_buffers *buf = &ws->buffers[i];
    if (need_dx)
        NNL_TRY(nnl_tensor_ensure(&buf->dx, x->ndim, x->dims, l->ops->type));
    if (!nnl_profile_on())
        return f->backward(l, layers[i + 1], x, dy, buf, buf + 1, need_dx);
    nnl_profile_begin(NNL_PROFILE_LAYER, f->name, i, NNL_PROFILE_BACKWARD);
    nnl_status s = f->backward(l, layers[i + 1], x, dy, buf, buf + 1, need_dx);
    nnl_profile_end(0);
    return s;
}

nnl_status nnl_sequence_forward(nnl_layer *const *layers, int n, nnl_workspace *ws, const nnl_tensor *x,
                                const nnl_forward_ctx *ctx, const nnl_tensor **y)
{
    const nnl_tensor *input = x;
    int64_t batch = x->dims[0];
    nnl_forward_ctx after_time = *ctx; /* for the layers after one that ends a trimmed time axis */
    after_time.trim = 0;
    for (int i = 0; i < n; i++) {
        const nnl_layer *l = layers[i];
        nnl_layer_buffers *buf = &ws->buffers[i];
        const nnl_layer_fusion *fusion = fusion_at(layers, n, i, batch, ctx);
        if (fusion) {
            NNL_TRY(pair_forward(fusion, layers, i, ws, input, ctx));
            input = ws->buffers[++i].out;
            continue;
        }
        int64_t dims[NNL_MAX_DIMS];
        nnl_batch_shape(batch, l->out_ndim, l->out_dims, dims);
        if (ctx->time > 0)
            dims[1] = ctx->time; /* generation: only the new positions (causal layers keep the time axis) */
        const int ends_time = (l->ops->flags & NNL_LAYER_ENDS_TIME) != 0;
        if (ctx->trim > 0 && !ends_time)
            dims[1] = ctx->trim; /* a trimmed batch: its first trim positions (trim.c) */
        buf->dy_is_logit_grad = buf->fused_with_next = 0;
        buf->training = ctx->training;
        if (nnl_profile_on())
            NNL_TRY(profiled_forward(l, i, input, buf, l->out_ndim + 1, dims, ctx));
        else
            NNL_TRY(layer_forward(l, input, buf, l->out_ndim + 1, dims, ctx));
        input = buf->out;
        if (ctx->trim > 0 && ends_time)
            ctx = &after_time;
    }
    *y = input;
    return NNL_OK;
}

nnl_status nnl_sequence_backward(nnl_layer *const *layers, int n, nnl_workspace *ws, const nnl_tensor *x,
                                 nnl_tensor *dy, int need_dx, nnl_tensor **dx)
{
    nnl_tensor *grad = dy;
    for (int i = n - 1; i >= 0; i--) {
        if (i > 0 && ws->buffers[i - 1].fused_with_next)
            i--; /* layers i and i + 1 ran as one pass */
        nnl_layer *l = layers[i];
        nnl_layer_buffers *buf = &ws->buffers[i];
        const nnl_tensor *input = i > 0 ? ws->buffers[i - 1].out : x;
        int want_dx = i > 0 || need_dx;
        if (buf->fused_with_next)
            NNL_TRY(pair_backward(layers, i, ws, input, grad, want_dx));
        else if (nnl_profile_on())
            NNL_TRY(profiled_backward(l, i, input, grad, buf, want_dx));
        else
            NNL_TRY(layer_backward(l, input, grad, buf, want_dx));
        grad = buf->dx;
    }
    if (dx)
        *dx = need_dx ? grad : NULL;
    return NNL_OK;
}
