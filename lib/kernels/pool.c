/* Max and average pooling over NHWC, scalar reference (the oracle of
 * pool_simd.h).
 *
 *   x, dx      [batch, in_h, in_w, c]
 *   y, dy      [batch, out_h, out_w, c]      (c = s->in_c = s->out_c)
 *   argmax     [batch, out_h, out_w, c]      flat index into x of each max
 *
 * Windows follow conv_window.h and must overlap the input (pad < kernel, as
 * valid and same padding guarantee). Padding cells are ignored by max and
 * count as zero for average, whose divisor is always kernel_h * kernel_w.
 * Max keeps the first maximum in (kh, kw) order. */
#include <string.h>

#include "kernels/conv_window.h"
#include "kernels/isa.h"

/* The window of output pixel `o` (flat over batch, out_h, out_w): its taps
 * [kh0, kh1) x [kw0, kw1) that fall inside the input, and the x index of
 * tap (0, 0), channel 0 (outside x when the window is padded; only taps
 * inside are read). */
typedef struct window {
    int64_t kh0, kh1, kw0, kw1;
    int64_t origin;
} window;

static window window_at(const nnl_conv_shape *s, int64_t o)
{
    int64_t ow = o % s->out_w, oh = o / s->out_w % s->out_h, n = o / (s->out_w * s->out_h);
    window w;
    window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &w.kh0, &w.kh1);
    window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &w.kw0, &w.kw1);
    w.origin = ((n * s->in_h + oh * s->stride_h - s->pad_top) * s->in_w + ow * s->stride_w - s->pad_left) * s->in_c;
    return w;
}

/* x index of tap (kh, kw) of window w, channel 0. */
static int64_t tap(const nnl_conv_shape *s, const window *w, int64_t kh, int64_t kw)
{
    return w->origin + (kh * s->in_w + kw) * s->in_c;
}

static int64_t windows(const nnl_conv_shape *s) { return s->batch * s->out_h * s->out_w; }

void nnl_maxpool_forward_scalar(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax)
{
    for (int64_t o = 0; o < windows(s); o++) {
        window w = window_at(s, o);
        for (int64_t c = 0; c < s->in_c; c++) {
            int64_t best_i = tap(s, &w, w.kh0, w.kw0) + c;
            for (int64_t kh = w.kh0; kh < w.kh1; kh++)
                for (int64_t kw = w.kw0; kw < w.kw1; kw++) {
                    int64_t i = tap(s, &w, kh, kw) + c;
                    if (x[i] > x[best_i])
                        best_i = i;
                }
            y[o * s->in_c + c] = x[best_i];
            argmax[o * s->in_c + c] = (int32_t)best_i;
        }
    }
}

void nnl_maxpool_backward_scalar(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                                 float *dx)
{
    memset(dx, 0, (size_t)(s->batch * s->in_h * s->in_w * s->in_c) * sizeof(float));
    int64_t outputs = s->batch * s->out_h * s->out_w * s->out_c;
    for (int64_t i = 0; i < outputs; i++)
        dx[argmax[i]] += dy[i];
}

void nnl_avgpool_forward_scalar(const nnl_conv_shape *s, const float *x, float *y)
{
    float inv = 1.0f / (float)(s->kernel_h * s->kernel_w);
    for (int64_t o = 0; o < windows(s); o++) {
        window w = window_at(s, o);
        for (int64_t c = 0; c < s->in_c; c++) {
            float sum = 0.0f;
            for (int64_t kh = w.kh0; kh < w.kh1; kh++)
                for (int64_t kw = w.kw0; kw < w.kw1; kw++)
                    sum += x[tap(s, &w, kh, kw) + c];
            y[o * s->in_c + c] = sum * inv;
        }
    }
}

void nnl_avgpool_backward_scalar(const nnl_conv_shape *s, const float *dy, float *dx)
{
    memset(dx, 0, (size_t)(s->batch * s->in_h * s->in_w * s->in_c) * sizeof(float));
    float inv = 1.0f / (float)(s->kernel_h * s->kernel_w);
    for (int64_t o = 0; o < windows(s); o++) {
        window w = window_at(s, o);
        for (int64_t c = 0; c < s->in_c; c++) {
            float g = dy[o * s->in_c + c] * inv;
            for (int64_t kh = w.kh0; kh < w.kh1; kh++)
                for (int64_t kw = w.kw0; kw < w.kw1; kw++)
                    dx[tap(s, &w, kh, kw) + c] += g;
        }
    }
}
