/* 2-D convolution layer, NHWC.
 *
 *   x {B, H, W, C}  kernel {KH, KW, C, F}  bias {F}  ->  y {B, OH, OW, F}
 *
 * The kernels (lib/kernels/conv.c, conv_simd.h) are direct for every shape:
 * lib/kernels/conv.c says why not im2col + GEMM. */
#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/layer_config.h"
#include "nn/layers/conv2d.h"
#include "nn/window.h"

typedef struct conv_config {
    int64_t filters;
    nnl_window window;
    nnl_activation activation; /* fused: y = act(conv(x) + b) */
} conv_config;

static nnl_status conv_build(nnl_layer *l, nnl_rng *init)
{
    const conv_config *c = l->state;
    nnl_conv_shape s;
    NNL_TRY(nnl_window_shape(l, &c->window, c->filters, &s));
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

nnl_conv_shape nnl_conv2d_shape(const nnl_layer *l, int64_t batch)
{
    const conv_config *c = l->state;
    nnl_conv_shape s;
    nnl_window_shape(l, &c->window, c->filters, &s); /* validated at build */
    s.batch = batch;
    return s;
}

nnl_activation nnl_conv2d_activation(const nnl_layer *l) { return ((const conv_config *)l->state)->activation; }

static nnl_status conv_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                               const nnl_forward_ctx *ctx)
{
    const nnl_activation act = ((const conv_config *)l->state)->activation;
    nnl_conv_shape s = nnl_conv2d_shape(l, x->dims[0]);
    nnl_tensor *z = buf->out;
    if (nnl_activation_keeps_input(act)) {
        NNL_TRY(nnl_tensor_ensure(&buf->pre, buf->out->ndim, buf->out->dims, "conv2d"));
        z = buf->pre;
    }
    nnl_kernels_active()->conv2d_forward(&s, x->data, l->params[0].value->data, l->params[1].value->data,
                                         z->data, nnl_threads_get());
    if (act != NNL_ACT_NONE)
        nnl_activation_apply(act, z->size / s.out_c, s.out_c, z->data, buf->out->data);
    nnl_activation_note_logits(buf, act, z);
    (void)ctx;
    return NNL_OK;
}

static nnl_status conv_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                int need_dx)
{
    const nnl_kernels *k = nnl_kernels_active();
    int threads = nnl_threads_get();
    const nnl_activation act = ((const conv_config *)l->state)->activation;
    nnl_conv_shape s = nnl_conv2d_shape(l, x->dims[0]);
    if (!buf->dy_is_logit_grad)
        nnl_activation_grad(act, dy->size / s.out_c, s.out_c, nnl_activation_keeps_input(act) ? buf->pre->data : NULL,
                            buf->out->data, dy->data);
    k->conv2d_backward_weights(&s, x->data, dy->data, l->params[0].grad->data, l->params[1].grad->data, threads);
    if (need_dx)
        k->conv2d_backward_input(&s, dy->data, l->params[0].value->data, buf->dx->data, threads);
    return NNL_OK;
}

static void conv_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const conv_config *c = l->state;
    nnl_strbuf_printf(json, ",\"filters\":%lld", (long long)c->filters);
    nnl_window_write_config(&c->window, "kernel", json);
    nnl_strbuf_printf(json, ",\"activation\":\"%s\"", nnl_activation_name(c->activation));
}

static nnl_status conv_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t filters = nnl_config_read_int(r, "filters", 0);
    int64_t kh = nnl_config_read_pair(r, "kernel", 0), kw = nnl_config_read_pair(r, "kernel", 1);
    int64_t stride = nnl_config_read_int(r, "stride", 1);
    nnl_padding pad = nnl_config_read_padding(r);
    nnl_activation act = nnl_config_read_activation(r);
    return r->status != NNL_OK ? r->status : nnl_layer_conv2d(out, filters, kh, kw, stride, pad, act);
}

const nnl_layer_ops nnl_layer_ops_conv2d = {
    .type = "conv2d", .from_config = conv_from_config, .build = conv_build, .forward = conv_forward,
    .backward = conv_backward, .write_config = conv_write_config, .state_size = sizeof(conv_config),
    .fusion = &nnl_conv_pool_fusion};

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
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_conv2d, "nnl_layer_conv2d"));
    conv_config *c = (*out)->state;
    c->filters = filters;
    c->window = (nnl_window){kernel_h, kernel_w, stride, padding};
    c->activation = activation;
    return NNL_OK;
}
