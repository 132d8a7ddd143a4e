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

static int64_t in_index(const nnl_conv_shape *s, int64_t n, int64_t ih, int64_t iw)
{
    return ((n * s->in_h + ih) * s->in_w + iw) * s->in_c;
}

void nnl_maxpool_forward_scalar(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax)
{
    int64_t c_n = s->in_c, o = 0;
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++, o += c_n) {
                int64_t kh0, kh1, kw0, kw1;
                window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &kh0, &kh1);
                window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &kw0, &kw1);
                int64_t ih0 = oh * s->stride_h - s->pad_top, iw0 = ow * s->stride_w - s->pad_left;
                for (int64_t c = 0; c < c_n; c++) {
                    int64_t best_i = in_index(s, n, ih0 + kh0, iw0 + kw0) + c;
                    for (int64_t kh = kh0; kh < kh1; kh++)
                        for (int64_t kw = kw0; kw < kw1; kw++) {
                            int64_t i = in_index(s, n, ih0 + kh, iw0 + kw) + c;
                            if (x[i] > x[best_i])
                                best_i = i;
                        }
                    y[o + c] = x[best_i];
                    argmax[o + c] = (int32_t)best_i;
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
    int64_t c_n = s->in_c, o = 0;
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++, o += c_n) {
                int64_t kh0, kh1, kw0, kw1;
                window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &kh0, &kh1);
                window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &kw0, &kw1);
                int64_t ih0 = oh * s->stride_h - s->pad_top, iw0 = ow * s->stride_w - s->pad_left;
                for (int64_t c = 0; c < c_n; c++) {
                    float sum = 0.0f;
                    for (int64_t kh = kh0; kh < kh1; kh++)
                        for (int64_t kw = kw0; kw < kw1; kw++)
                            sum += x[in_index(s, n, ih0 + kh, iw0 + kw) + c];
                    y[o + c] = sum * inv;
                }
            }
}

void nnl_avgpool_backward_scalar(const nnl_conv_shape *s, const float *dy, float *dx)
{
    memset(dx, 0, (size_t)(s->batch * s->in_h * s->in_w * s->in_c) * sizeof(float));
    float inv = 1.0f / (float)(s->kernel_h * s->kernel_w);
    int64_t c_n = s->in_c, o = 0;
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++, o += c_n) {
                int64_t kh0, kh1, kw0, kw1;
                window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &kh0, &kh1);
                window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &kw0, &kw1);
                int64_t ih0 = oh * s->stride_h - s->pad_top, iw0 = ow * s->stride_w - s->pad_left;
                for (int64_t c = 0; c < c_n; c++) {
                    float g = dy[o + c] * inv;
                    for (int64_t kh = kh0; kh < kh1; kh++)
                        for (int64_t kw = kw0; kw < kw1; kw++)
                            dx[in_index(s, n, ih0 + kh, iw0 + kw) + c] += g;
                }
            }
}
