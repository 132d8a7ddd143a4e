/* Max and average pooling layers, NHWC.
 *
 *   x {B, H, W, C}  ->  y {B, OH, OW, C}
 *
 * Max pooling keeps the flat input index of each maximum (int32, in the
 * scratch tensor's storage) for the backward pass. */
#include <string.h>

#include "core/error.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/window.h"

static nnl_status pool_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    nnl_conv_shape s;
    NNL_TRY(nnl_window_shape(l, l->in_dims[2], &s));
    l->out_ndim = 3;
    l->out_dims[0] = s.out_h;
    l->out_dims[1] = s.out_w;
    l->out_dims[2] = s.out_c;
    return NNL_OK;
}

static nnl_conv_shape batch_shape(const nnl_layer *l, int64_t batch)
{
    nnl_conv_shape s;
    nnl_window_shape(l, l->in_dims[2], &s); /* validated at build */
    s.batch = batch;
    return s;
}

static int is_max(const nnl_layer *l) { return strcmp(l->ops->type, "maxpool2d") == 0; }

static nnl_status pool_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                               const nnl_forward_ctx *ctx)
{
    (void)ctx;
    const nnl_kernels *k = nnl_kernels_active();
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    if (!is_max(l)) {
        k->avgpool_forward(&s, x->data, buf->out->data);
        return NNL_OK;
    }
    /* int32 argmax stored in a float tensor of the output's size (same width) */
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, buf->out->ndim, buf->out->dims, "maxpool2d"));
    k->maxpool_forward(&s, x->data, buf->out->data, (int32_t *)(void *)buf->scratch->data);
    return NNL_OK;
}

static nnl_status pool_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    const nnl_kernels *k = nnl_kernels_active();
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    if (is_max(l))
        k->maxpool_backward(&s, dy->data, (const int32_t *)(const void *)buf->scratch->data, buf->dx->data);
    else
        k->avgpool_backward(&s, dy->data, buf->dx->data);
    return NNL_OK;
}

static void pool_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const nnl_layer_config *c = &l->config;
    nnl_strbuf_printf(json, ",\"pool\":[%lld,%lld],\"stride\":%lld,\"padding\":\"%s\"", (long long)c->kernel_h,
                      (long long)c->kernel_w, (long long)c->stride, c->padding == NNL_PAD_SAME ? "same" : "valid");
}

static const nnl_layer_ops maxpool_ops = {"maxpool2d", pool_build, pool_forward, pool_backward, pool_write_config,
                                          NULL, 0};
static const nnl_layer_ops avgpool_ops = {"avgpool2d", pool_build, pool_forward, pool_backward, pool_write_config,
                                          NULL, 0};

static nnl_status make_pool(nnl_layer **out, const nnl_layer_ops *ops, const char *who, int64_t pool_h,
                            int64_t pool_w, int64_t stride)
{
    if (pool_h < 1 || pool_h > 1024 || pool_w < 1 || pool_w > 1024 || stride < 0 || stride > 1024)
        return nnl_error(NNL_E_INVALID_ARG, "%s: pool=%lldx%lld stride=%lld out of range", who, (long long)pool_h,
                         (long long)pool_w, (long long)stride);
    NNL_TRY(nnl_layer_new(out, ops, who));
    nnl_layer_config *c = &(*out)->config;
    c->kernel_h = pool_h;
    c->kernel_w = pool_w;
    c->stride = stride ? stride : pool_h;
    c->padding = NNL_PAD_VALID;
    return NNL_OK;
}

nnl_status nnl_layer_maxpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride)
{
    return make_pool(out, &maxpool_ops, "nnl_layer_maxpool2d", pool_h, pool_w, stride);
}

nnl_status nnl_layer_avgpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride)
{
    return make_pool(out, &avgpool_ops, "nnl_layer_avgpool2d", pool_h, pool_w, stride);
}
