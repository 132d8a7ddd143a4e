/* What every layer shares: creation, building, parameters, freeing, and the
 * public standalone forward/backward. */
#include "nn/layer.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "nn/workspace.h"

int64_t nnl_dims_count(int ndim, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    return n;
}

void nnl_batch_shape(int64_t batch, int ndim, const int64_t *dims, int64_t *out)
{
    out[0] = batch;
    memcpy(out + 1, dims, (size_t)ndim * sizeof dims[0]);
}

nnl_status nnl_layer_new(nnl_layer **out, const nnl_layer_ops *ops, const char *who)
{
    NNL_CHECK_PTR(who, out);
    *out = nnl_alloc_zeroed(sizeof **out);
    if (!*out)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    (*out)->ops = ops;
    (*out)->param_budget = -1;
    if (ops->state_size && !((*out)->state = nnl_alloc_zeroed(ops->state_size))) {
        nnl_dealloc(*out);
        *out = NULL;
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    }
    return NNL_OK;
}

nnl_status nnl_layer_add_child(nnl_layer *parent, nnl_layer *child, const char *who)
{
    nnl_layer **children = nnl_alloc((size_t)(parent->num_children + 1) * sizeof *children);
    if (!children)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    if (parent->num_children)
        memcpy(children, parent->children, (size_t)parent->num_children * sizeof *children);
    nnl_dealloc(parent->children);
    parent->children = children;
    parent->children[parent->num_children++] = child;
    child->owned = 1;
    return NNL_OK;
}

void nnl_layer_keep_shape(nnl_layer *l)
{
    l->out_ndim = l->in_ndim;
    memcpy(l->out_dims, l->in_dims, (size_t)l->in_ndim * sizeof l->in_dims[0]);
}

nnl_status nnl_layer_build_same_shape(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    nnl_layer_keep_shape(l);
    return NNL_OK;
}

/* Charge `count` floats to the layer's parameter budget (see layer.h). */
static nnl_status spend_budget(nnl_layer *l, const char *name, int ndim, const int64_t *dims)
{
    if (l->param_budget < 0)
        return NNL_OK;
    int64_t count;
    NNL_TRY(nnl_shape_check(l->ops->type, ndim, dims, &count));
    if (count > l->param_budget)
        return nnl_error(NNL_E_FORMAT, "%s: its %s needs %lld floats, more than the %lld left in the file",
                         l->ops->type, name, (long long)count, (long long)l->param_budget);
    l->param_budget -= count;
    return NNL_OK;
}

nnl_status nnl_layer_add_param(nnl_layer *l, const char *name, int ndim, const int64_t *dims, int trainable,
                               int decay)
{
    if (l->num_params == NNL_LAYER_MAX_PARAMS)
        return nnl_error(NNL_E_INTERNAL, "%s: more than %d parameters", l->ops->type, NNL_LAYER_MAX_PARAMS);
    NNL_TRY(spend_budget(l, name, ndim, dims));
    nnl_param *p = &l->params[l->num_params];
    p->name = name;
    p->decay = decay;
    NNL_TRY(nnl_tensor_ensure(&p->value, ndim, dims, l->ops->type));
    memset(p->value->data, 0, (size_t)p->value->size * sizeof(float));
    l->num_params++; /* counted now so that a failure below frees the value */
    if (trainable)
        NNL_TRY(nnl_tensor_ensure(&p->grad, ndim, dims, l->ops->type));
    if (p->grad)
        memset(p->grad->data, 0, (size_t)p->grad->size * sizeof(float));
    return NNL_OK;
}

static void free_params(nnl_layer *l)
{
    for (int i = 0; i < l->num_params; i++) {
        nnl_tensor_free(l->params[i].value);
        nnl_tensor_free(l->params[i].grad);
    }
    memset(l->params, 0, sizeof l->params);
    l->num_params = 0;
}

void nnl_layer_unbuild(nnl_layer *l)
{
    free_params(l);
    l->built = 0;
    for (int i = 0; i < l->num_children; i++)
        nnl_layer_unbuild(l->children[i]);
}

nnl_status nnl_layer_build_internal(nnl_layer *l, int ndim, const int64_t *in_dims, nnl_rng *init)
{
    if (l->built)
        return nnl_error(NNL_E_STATE, "%s: layer is already built", l->ops->type);
    if (ndim < 1 || ndim >= NNL_MAX_DIMS)
        return nnl_error(NNL_E_SHAPE, "%s: input has %d dims, expected 1..%d", l->ops->type, ndim,
                         NNL_MAX_DIMS - 1);
    l->in_ndim = ndim;
    memcpy(l->in_dims, in_dims, (size_t)ndim * sizeof in_dims[0]);
    nnl_status s = l->ops->build(l, init);
    if (s != NNL_OK) {
        nnl_layer_unbuild(l); /* a residual block may have built some inner layers */
        return s;
    }
    l->built = 1;
    return NNL_OK;
}

/* Frees a layer regardless of ownership (used by its owner). */
static void layer_destroy(nnl_layer *l)
{
    if (l->ops->destroy)
        l->ops->destroy(l);
    for (int i = 0; i < l->num_children; i++)
        layer_destroy(l->children[i]);
    nnl_dealloc(l->children);
    nnl_dealloc(l->state);
    free_params(l);
    nnl_workspace_free(l->standalone);
    nnl_dealloc(l);
}

void nnl_layer_free(nnl_layer *layer)
{
    if (layer && !layer->owned)
        layer_destroy(layer);
}

void nnl_layer_free_owned(nnl_layer *layer)
{
    if (layer)
        layer_destroy(layer);
}

const char *nnl_layer_type(const nnl_layer *layer) { return layer ? layer->ops->type : ""; }

nnl_status nnl_layer_build(nnl_layer *layer, int ndim, const int64_t *input_dims, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_layer_build", layer);
    NNL_CHECK_PTR("nnl_layer_build", input_dims);
    if (layer->owned)
        return nnl_error(NNL_E_STATE, "nnl_layer_build: the %s layer belongs to a model", layer->ops->type);
    int64_t count;
    NNL_TRY(nnl_shape_check("nnl_layer_build", ndim, input_dims, &count));
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 0);
    return nnl_error_in(nnl_layer_build_internal(layer, ndim, input_dims, &rng), "nnl_layer_build");
}

nnl_status nnl_layer_output_shape(const nnl_layer *layer, int64_t *dims, int capacity, int *ndim)
{
    NNL_CHECK_PTR("nnl_layer_output_shape", layer);
    NNL_CHECK_PTR("nnl_layer_output_shape", dims);
    NNL_CHECK_PTR("nnl_layer_output_shape", ndim);
    if (!layer->built)
        return nnl_error(NNL_E_STATE, "nnl_layer_output_shape: the %s layer is not built", layer->ops->type);
    if (capacity < layer->out_ndim)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_output_shape: capacity=%d, need %d", capacity,
                         layer->out_ndim);
    memcpy(dims, layer->out_dims, (size_t)layer->out_ndim * sizeof dims[0]);
    *ndim = layer->out_ndim;
    return NNL_OK;
}

int nnl_layer_num_params(const nnl_layer *layer)
{
    if (!layer)
        return -1;
    int n = layer->num_params;
    for (int i = 0; i < layer->num_children; i++)
        n += nnl_layer_num_params(layer->children[i]);
    return n;
}

int64_t nnl_layer_param_count(const nnl_layer *layer)
{
    if (!layer)
        return -1;
    int64_t n = 0;
    for (int i = 0; i < layer->num_params; i++)
        if (layer->params[i].grad)
            n += layer->params[i].value->size;
    for (int i = 0; i < layer->num_children; i++)
        n += nnl_layer_param_count(layer->children[i]);
    return n;
}

/* Parameter `index` in depth-first order: own params, then children's. */
static nnl_param *find_param(nnl_layer *l, int *index)
{
    if (*index < l->num_params)
        return &l->params[*index];
    *index -= l->num_params;
    for (int i = 0; i < l->num_children; i++) {
        nnl_param *p = find_param(l->children[i], index);
        if (p)
            return p;
    }
    return NULL;
}

nnl_status nnl_layer_param(nnl_layer *layer, int index, const char **name, nnl_tensor **value,
                           nnl_tensor **grad)
{
    NNL_CHECK_PTR("nnl_layer_param", layer);
    int i = index;
    nnl_param *p = index >= 0 ? find_param(layer, &i) : NULL;
    if (!p)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_param: index=%d, the %s layer has %d", index,
                         layer->ops->type, nnl_layer_num_params(layer));
    if (name)
        *name = p->name;
    if (value)
        *value = p->value;
    if (grad)
        *grad = p->grad;
    return NNL_OK;
}

nnl_status nnl_layer_zero_grad(nnl_layer *layer)
{
    NNL_CHECK_PTR("nnl_layer_zero_grad", layer);
    for (int i = 0; i < layer->num_params; i++)
        if (layer->params[i].grad)
            NNL_TRY(nnl_tensor_fill(layer->params[i].grad, 0.0f));
    for (int i = 0; i < layer->num_children; i++)
        NNL_TRY(nnl_layer_zero_grad(layer->children[i]));
    return NNL_OK;
}

static nnl_status check_batch_shape(const char *who, const nnl_layer *l, const nnl_tensor *t, int ndim,
                                    const int64_t *dims, const char *what)
{
    int ok = t->ndim == ndim + 1 && memcmp(t->dims + 1, dims, (size_t)ndim * sizeof dims[0]) == 0;
    if (!ok) {
        char got[160], want[160];
        return nnl_error(NNL_E_SHAPE, "%s: %s %s has shape %s, expected [batch] + %s", who, l->ops->type, what,
                         nnl_shape_str(got, sizeof got, t->ndim, t->dims),
                         nnl_shape_str(want, sizeof want, ndim, dims));
    }
    return NNL_OK;
}

static nnl_status check_standalone(const char *who, const nnl_layer *layer)
{
    NNL_CHECK_PTR(who, layer);
    if (layer->owned)
        return nnl_error(NNL_E_STATE, "%s: the %s layer belongs to a model; use the model", who, layer->ops->type);
    if (!layer->built)
        return nnl_error(NNL_E_STATE, "%s: the %s layer is not built (nnl_layer_build)", who, layer->ops->type);
    return NNL_OK;
}

nnl_status nnl_layer_forward(nnl_layer *layer, const nnl_tensor *x, nnl_tensor *y, int training)
{
    NNL_TRY(check_standalone("nnl_layer_forward", layer));
    NNL_CHECK_PTR("nnl_layer_forward", x);
    NNL_CHECK_PTR("nnl_layer_forward", y);
    NNL_TRY(check_batch_shape("nnl_layer_forward", layer, x, layer->in_ndim, layer->in_dims, "input"));
    NNL_TRY(check_batch_shape("nnl_layer_forward", layer, y, layer->out_ndim, layer->out_dims, "output"));
    if (y->dims[0] != x->dims[0])
        return nnl_error(NNL_E_SHAPE, "nnl_layer_forward: batch of x is %lld, of y %lld", (long long)x->dims[0],
                         (long long)y->dims[0]);
    NNL_TRY(nnl_check_finite(x->data, x->size, "nnl_layer_forward", "input"));
    if (!layer->standalone)
        NNL_TRY(nnl_error_in(nnl_workspace_create(&layer->standalone, 1), "nnl_layer_forward"));
    nnl_rng rng;
    nnl_rng_seed(&rng, 0x5eed, 0);
    nnl_forward_ctx ctx = {.training = training, .rng = &rng};
    const nnl_tensor *out;
    layer->standalone_x = NULL;
    NNL_TRY(nnl_error_in(nnl_sequence_forward(&layer, 1, layer->standalone, x, &ctx, &out), "nnl_layer_forward"));
    memcpy(y->data, out->data, (size_t)out->size * sizeof(float));
    layer->standalone_x = training ? x : NULL;
    return NNL_OK;
}

nnl_status nnl_layer_backward(nnl_layer *layer, const nnl_tensor *dy, nnl_tensor *dx)
{
    NNL_TRY(check_standalone("nnl_layer_backward", layer));
    NNL_CHECK_PTR("nnl_layer_backward", dy);
    if (!layer->standalone_x)
        return nnl_error(NNL_E_STATE, "nnl_layer_backward: no training forward of the %s layer precedes it",
                         layer->ops->type);
    const nnl_tensor *x = layer->standalone_x;
    const nnl_tensor *out = layer->standalone->buffers[0].out;
    if (!nnl_tensor_same_shape(dy, out))
        return nnl_error(NNL_E_SHAPE, "nnl_layer_backward: dy does not have the output's shape");
    if (dx && !nnl_tensor_same_shape(dx, x))
        return nnl_error(NNL_E_SHAPE, "nnl_layer_backward: dx does not have the input's shape");
    /* backward may overwrite dy: work on a copy */
    nnl_tensor *grad = NULL;
    NNL_TRY(nnl_error_in(nnl_tensor_create_from(&grad, dy->ndim, dy->dims, dy->data), "nnl_layer_backward"));
    nnl_tensor *result;
    nnl_status s = nnl_sequence_backward(&layer, 1, layer->standalone, x, grad, dx != NULL, &result);
    if (s == NNL_OK && dx)
        memcpy(dx->data, result->data, (size_t)dx->size * sizeof(float));
    nnl_tensor_free(grad);
    return nnl_error_in(s, "nnl_layer_backward");
}
