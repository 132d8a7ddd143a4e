/* Residual block: y = x + f(x), f a sequence of inner layers that keeps the
 * shape (He et al., "Deep Residual Learning"). The inner layers' batch
 * buffers live in buf->inner. */
#include <string.h>

#include "core/error.h"
#include "nn/layer_config.h"
#include "nn/workspace.h"

static nnl_status residual_build(nnl_layer *l, nnl_rng *init)
{
    if (l->num_children == 0)
        return nnl_error(NNL_E_STATE, "residual: the block has no inner layers (nnl_layer_residual_add)");
    int ndim = l->in_ndim;
    const int64_t *dims = l->in_dims;
    for (int i = 0; i < l->num_children; i++) {
        l->children[i]->param_budget = l->param_budget; /* the block's budget covers its inner layers */
        NNL_TRY(nnl_layer_build_internal(l->children[i], ndim, dims, init));
        l->param_budget = l->children[i]->param_budget;
        ndim = l->children[i]->out_ndim;
        dims = l->children[i]->out_dims;
    }
    if (ndim != l->in_ndim || memcmp(dims, l->in_dims, (size_t)ndim * sizeof dims[0]) != 0) {
        char got[160], want[160];
        return nnl_error(NNL_E_SHAPE, "residual: inner layers map %s to %s; the shape must be kept",
                         nnl_shape_str(want, sizeof want, l->in_ndim, l->in_dims),
                         nnl_shape_str(got, sizeof got, ndim, dims));
    }
    l->out_ndim = ndim;
    memcpy(l->out_dims, dims, (size_t)ndim * sizeof dims[0]);
    return NNL_OK;
}

static nnl_status residual_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                   const nnl_forward_ctx *ctx)
{
    if (!buf->inner)
        NNL_TRY(nnl_workspace_create(&buf->inner, l->num_children));
    const nnl_tensor *fx;
    NNL_TRY(nnl_sequence_forward(l->children, l->num_children, buf->inner, x, ctx, &fx));
    for (int64_t i = 0; i < x->size; i++)
        buf->out->data[i] = x->data[i] + fx->data[i];
    return NNL_OK;
}

/* dx = dy + f'(x)^T dy; dy is copied first because the inner pass overwrites it. */
static nnl_status residual_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                    int need_dx)
{
    if (need_dx)
        memcpy(buf->dx->data, dy->data, (size_t)dy->size * sizeof(float));
    nnl_tensor *inner_dx;
    NNL_TRY(nnl_sequence_backward(l->children, l->num_children, buf->inner, x, dy, need_dx, &inner_dx));
    if (need_dx)
        for (int64_t i = 0; i < x->size; i++)
            buf->dx->data[i] += inner_dx->data[i];
    return NNL_OK;
}

static void residual_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_puts(json, ",\"layers\":[");
    for (int i = 0; i < l->num_children; i++) {
        nnl_strbuf_puts(json, i ? "," : "");
        nnl_layer_write_json(l->children[i], json);
    }
    nnl_strbuf_puts(json, "]");
}

/* Each entry of "layers" loads as a layer of its own, one level deeper. */
static nnl_status residual_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    const nnl_json *inner = nnl_json_get(r->object, "layers");
    if (!inner || inner->kind != NNL_JSON_ARRAY)
        return nnl_error(NNL_E_FORMAT, "%s: residual layer: 'layers' must be an array", r->label);
    NNL_TRY(nnl_layer_residual(out));
    for (size_t i = 0; i < inner->count; i++) {
        nnl_layer *child = NULL;
        nnl_status s = nnl_layer_from_config(&child, &inner->items[i], r->label, r->depth + 1);
        if (s == NNL_OK)
            s = nnl_layer_residual_add(*out, child);
        if (s != NNL_OK) {
            nnl_layer_free(child);
            nnl_layer_free(*out);
            *out = NULL;
            return s == NNL_E_FORMAT || s == NNL_E_NOMEM ? s : nnl_error_rethrow(NNL_E_FORMAT, r->label);
        }
    }
    return NNL_OK;
}

const nnl_layer_ops nnl_layer_ops_residual = {
    .type = "residual", .from_config = residual_from_config, .build = residual_build, .forward = residual_forward,
    .backward = residual_backward, .write_config = residual_write_config,
    .flags = NNL_LAYER_CAUSAL | NNL_LAYER_TRIMMABLE}; /* when its inner layers are (trim.c checks them) */

nnl_status nnl_layer_residual(nnl_layer **out)
{
    return nnl_layer_new(out, &nnl_layer_ops_residual, "nnl_layer_residual");
}

nnl_status nnl_layer_residual_add(nnl_layer *block, nnl_layer *inner)
{
    NNL_CHECK_PTR("nnl_layer_residual_add", block);
    NNL_CHECK_PTR("nnl_layer_residual_add", inner);
    if (block->ops != &nnl_layer_ops_residual)
        return nnl_error(NNL_E_UNSUPPORTED, "nnl_layer_residual_add: block is a %s layer, not residual",
                         block->ops->type);
    if (block->built || block->owned)
        return nnl_error(NNL_E_STATE, "nnl_layer_residual_add: the block is already built or in a model");
    if (inner->owned || inner->built || inner == block)
        return nnl_error(NNL_E_STATE, "nnl_layer_residual_add: the inner %s layer is built or belongs to something",
                         inner->ops->type);
    if (block->num_children >= 1024)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_residual_add: more than 1024 inner layers");
    return nnl_layer_add_child(block, inner, "nnl_layer_residual_add");
}
