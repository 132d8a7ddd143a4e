/* Flatten: x {B, d1, d2, ...} -> y {B, d1*d2*...}; a copy, since layers own
 * their outputs. */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

static nnl_status flatten_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    l->out_ndim = 1;
    l->out_dims[0] = nnl_dims_count(l->in_ndim, l->in_dims);
    return NNL_OK;
}

static nnl_status flatten_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                  const nnl_forward_ctx *ctx)
{
    (void)l;
    (void)ctx;
    memcpy(buf->out->data, x->data, (size_t)x->size * sizeof(float));
    return NNL_OK;
}

static nnl_status flatten_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                   int need_dx)
{
    (void)l;
    if (need_dx)
        memcpy(buf->dx->data, dy->data, (size_t)x->size * sizeof(float));
    return NNL_OK;
}

static void flatten_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    (void)l;
    (void)json;
}

static nnl_status flatten_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    (void)r;
    return nnl_layer_flatten(out);
}

const nnl_layer_ops nnl_layer_ops_flatten = {
    .type = "flatten", .from_config = flatten_from_config, .build = flatten_build, .forward = flatten_forward,
    .backward = flatten_backward, .write_config = flatten_write_config};

nnl_status nnl_layer_flatten(nnl_layer **out)
{
    return nnl_layer_new(out, &nnl_layer_ops_flatten, "nnl_layer_flatten");
}
