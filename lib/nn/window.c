/* Sliding-window geometry shared by conv2d and the pooling layers. */
#include "nn/window.h"

#include "core/error.h"

static int axis(int64_t in, int64_t kernel, int64_t stride, nnl_padding padding, int64_t *out, int64_t *pad)
{
    if (padding == NNL_PAD_SAME) {
        *out = (in + stride - 1) / stride;
        int64_t total = (*out - 1) * stride + kernel - in;
        *pad = total > 0 ? total / 2 : 0;
        return 1;
    }
    *pad = 0;
    if (in < kernel)
        return 0;
    *out = (in - kernel) / stride + 1;
    return 1;
}

nnl_status nnl_window_shape(const nnl_layer *l, const nnl_window *c, int64_t out_c, nnl_conv_shape *s)
{
    if (l->in_ndim != 3)
        return nnl_error(NNL_E_SHAPE, "%s: input has %d dims, expected 3 (height, width, channels)",
                         l->ops->type, l->in_ndim);
    *s = (nnl_conv_shape){0};
    s->in_h = l->in_dims[0];
    s->in_w = l->in_dims[1];
    s->in_c = l->in_dims[2];
    s->out_c = out_c;
    s->kernel_h = c->kernel_h;
    s->kernel_w = c->kernel_w;
    s->stride_h = s->stride_w = c->stride;
    if (!axis(s->in_h, c->kernel_h, c->stride, c->padding, &s->out_h, &s->pad_top) ||
        !axis(s->in_w, c->kernel_w, c->stride, c->padding, &s->out_w, &s->pad_left))
        return nnl_error(NNL_E_SHAPE, "%s: %lldx%lld window does not fit a %lldx%lld input with valid padding",
                         l->ops->type, (long long)c->kernel_h, (long long)c->kernel_w, (long long)s->in_h,
                         (long long)s->in_w);
    return NNL_OK;
}

void nnl_window_write_config(const nnl_window *w, const char *key, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"%s\":[%lld,%lld],\"stride\":%lld,\"padding\":\"%s\"", key, (long long)w->kernel_h,
                      (long long)w->kernel_w, (long long)w->stride, w->padding == NNL_PAD_SAME ? "same" : "valid");
}
