/* 2-D convolution layer, NHWC.
 *
 *   x {B, H, W, C}  kernel {KH, KW, C, F}  bias {F}  ->  y {B, OH, OW, F}
 *
 * The kernels (lib/kernels/conv*.c) choose direct or im2col + GEMM code. */
#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/window.h"

static nnl_status conv_build(nnl_layer *l, nnl_rng *init)
{
    nnl_conv_shape s;
    NNL_TRY(nnl_window_shape(l, l->config.units, &s));
    l->out_ndim = 3;
    l->out_dims[0] = s.out_h;
    l->out_dims[1] = s.out_w;
    l->out_dims[2] = s.out_c;
    int64_t kernel_dims[4] = {s.kernel_h, s.kernel_w, s.in_c, s.out_c};
    NNL_TRY(nnl_layer_add_param(l, "kernel", 4, kernel_dims, 1, 1));
    NNL_TRY(nnl_layer_add_param(l, "bias", 1, &s.out_c, 1, 0));
    int64_t receptive = s.kernel_h * s.kernel_w;
    return nnl_tensor_init_glorot(l->params[0].value, receptive * s.in_c, receptive * s.out_c, nnl_rng_u32(init));
}

static nnl_conv_shape batch_shape(const nnl_layer *l, int64_t batch)
{
    nnl_conv_shape s;
    nnl_window_shape(l, l->config.units, &s); /* validated at build */
    s.batch = batch;
    return s;
}

static nnl_status conv_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                               const nnl_forward_ctx *ctx)
{
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    nnl_tensor *z = buf->out;
    if (nnl_activation_keeps_input(l->activation)) {
        NNL_TRY(nnl_tensor_ensure(&buf->pre, buf->out->ndim, buf->out->dims, "conv2d"));
        z = buf->pre;
    }
    nnl_kernels_active()->conv2d_forward(&s, x->data, l->params[0].value->data, l->params[1].value->data,
                                         z->data, nnl_threads_get());
    if (l->activation != NNL_ACT_NONE)
        nnl_activation_apply(l->activation, z->size / s.out_c, s.out_c, z->data, buf->out->data);
    buf->logits = l->activation == NNL_ACT_SOFTMAX ? z : NULL;
    (void)ctx;
    return NNL_OK;
}

static nnl_status conv_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                int need_dx)
{
    const nnl_kernels *k = nnl_kernels_active();
    int threads = nnl_threads_get();
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    if (!buf->dy_is_logit_grad)
        nnl_activation_grad(l->activation, dy->size / s.out_c, s.out_c, nnl_activation_keeps_input(l->activation) ? buf->pre->data : NULL,
                            buf->out->data, dy->data);
    k->conv2d_backward_weights(&s, x->data, dy->data, l->params[0].grad->data, l->params[1].grad->data, threads);
    if (need_dx)
        k->conv2d_backward_input(&s, dy->data, l->params[0].value->data, buf->dx->data, threads);
    return NNL_OK;
}

static void conv_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const nnl_layer_config *c = &l->config;
    nnl_strbuf_printf(json, ",\"filters\":%lld,\"kernel\":[%lld,%lld],\"stride\":%lld,\"padding\":\"%s\",\"activation\":\"%s\"",
                      (long long)c->units, (long long)c->kernel_h, (long long)c->kernel_w, (long long)c->stride,
                      c->padding == NNL_PAD_SAME ? "same" : "valid", nnl_activation_name(l->activation));
}

static const nnl_layer_ops conv_ops = {"conv2d", conv_build, conv_forward, conv_backward, conv_write_config, NULL, 0};

nnl_status nnl_layer_conv2d(nnl_layer **out, int64_t filters, int64_t kernel_h, int64_t kernel_w, int64_t stride,
                            nnl_padding padding, nnl_activation activation)
{
    const int64_t limit = (int64_t)1 << 16;
    if (filters < 1 || filters > limit || kernel_h < 1 || kernel_h > 1024 || kernel_w < 1 || kernel_w > 1024 ||
        stride < 1 || stride > 1024)
        return nnl_error(NNL_E_INVALID_ARG,
                         "nnl_layer_conv2d: filters=%lld kernel=%lldx%lld stride=%lld out of range", (long long)filters,
                         (long long)kernel_h, (long long)kernel_w, (long long)stride);
    if ((unsigned)padding > NNL_PAD_SAME || !nnl_activation_valid(activation))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_conv2d: padding=%d activation=%d unknown", (int)padding,
                         (int)activation);
    NNL_TRY(nnl_layer_new(out, &conv_ops, "nnl_layer_conv2d"));
    nnl_layer_config *c = &(*out)->config;
    c->units = filters;
    c->kernel_h = kernel_h;
    c->kernel_w = kernel_w;
    c->stride = stride;
    c->padding = padding;
    (*out)->activation = activation;
    return NNL_OK;
}
