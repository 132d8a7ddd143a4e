/* Flatten: x {B, d1, d2, ...} -> y {B, d1*d2*...}; a copy, since layers own
 * their outputs. */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"

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

static const nnl_layer_ops flatten_ops = {"flatten", flatten_build, flatten_forward, flatten_backward,
                                          flatten_write_config, NULL, 0};

nnl_status nnl_layer_flatten(nnl_layer **out) { return nnl_layer_new(out, &flatten_ops, "nnl_layer_flatten"); }
