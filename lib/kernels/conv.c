/* 2-D convolution over NHWC with HWIO weights: the scalar reference (the
 * oracle of conv_simd.h), and why the SIMD kernels are direct.
 *
 *   x, dx     [batch, in_h, in_w, in_c]
 *   w, dw     [kernel_h, kernel_w, in_c, out_c]
 *   bias, db  [out_c]
 *   y, dy     [batch, out_h, out_w, out_c]
 *
 *   y[n,oh,ow,co] = bias[co] + sum over kh, kw, ci of
 *                   x[n, oh*stride_h - pad_top + kh, ow*stride_w - pad_left + kw, ci] * w[kh,kw,ci,co]
 * with taps outside the input reading zero (conv_window.h).
 *
 * Algorithm of the SIMD kernels: direct, for every shape. Read as a GEMM,
 * the forward is Y[pixels, out_c] = X_col[pixels, K] * W[K, out_c] with
 * K = kernel_h * kernel_w * in_c, and in NHWC/HWIO the rows of W and the
 * kernel-row runs of X_col are already contiguous in memory, so a GEMM
 * micro-kernel can read x in place: a block of output pixels x output
 * channels kept in registers, a broadcast of x times a vector of w per tap.
 * im2col would add a copy of X_col (K times the input) and, for the first
 * layer (in_c = 1, K = 9), a GEMM too thin to run fast. Measured with
 * bench/kernels.c (AVX-512, one thread, batch 32, thread CPU time on a
 * shared 2-core Zen 5; op=conv_fwd against op=conv_fwd_im2col, which copies
 * X_col per image and calls the table's packed sgemm):
 *   28x28x1 -> 26x26x32, 3x3 valid:   direct  74 GFLOP/s   im2col + sgemm   9
 *   13x13x32 -> 13x13x64, 3x3 same:   direct 101 GFLOP/s   im2col + sgemm  70
 * so in_c > 1 stays direct too.
 * The weight gradient dW[K, out_c] += X_col^T * dY is the same micro-kernel
 * turned around (tiles of dW rows x out_c vectors, pixels the reduction);
 * with 4 or more input channels a tile keeps to one tap, whose pixels form
 * a rectangle with no padding in it. The input gradient is the forward
 * itself, over dy and the kernel turned by 180 degrees with its channel
 * axes swapped (a copy from the kernels' buffer pool), one phase of dx per
 * offset within a stride. conv_simd.h has the details and the measurements.
 *
 * Threads: forward and input gradient split the batch; the weight gradient
 * splits dW into disjoint tiles, each summed over all pixels in a fixed
 * order, so it is deterministic (identical for any thread count) without
 * per-thread copies of dW. This oracle is single-threaded where that keeps
 * it simplest (weight gradient). */
#include <stddef.h>
#include <string.h>

#include "core/pool.h"
#include "kernels/conv_window.h"
#include "kernels/isa.h"

/* Valid taps of output pixel (oh, ow) and the x offset of its window origin. */
typedef struct conv_taps {
    int64_t kh0, kh1, kw0, kw1;
    int64_t ih0, iw0;
} conv_taps;

static conv_taps taps_of(const nnl_conv_shape *s, int64_t oh, int64_t ow)
{
    conv_taps t;
    window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &t.kh0, &t.kh1);
    window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &t.kw0, &t.kw1);
    t.ih0 = oh * s->stride_h - s->pad_top;
    t.iw0 = ow * s->stride_w - s->pad_left;
    return t;
}

/* x (or dx) of pixel (ih, iw) within one image. */
static int64_t pixel(const nnl_conv_shape *s, int64_t ih, int64_t iw) { return (ih * s->in_w + iw) * s->in_c; }

/* w (or dw) row of tap (kh, kw), input channel 0. */
static int64_t tap_row(const nnl_conv_shape *s, int64_t kh, int64_t kw)
{
    return (kh * s->kernel_w + kw) * s->in_c * s->out_c;
}

/* One image: x [in_h, in_w, in_c] -> y [out_h, out_w, out_c]. */
static void forward_image(const nnl_conv_shape *s, const float *x, const float *w,
                          const float *bias, float *y)
{
    int64_t ci_n = s->in_c, co_n = s->out_c;
    for (int64_t oh = 0; oh < s->out_h; oh++)
        for (int64_t ow = 0; ow < s->out_w; ow++) {
            float *yp = y + (oh * s->out_w + ow) * co_n;
            for (int64_t co = 0; co < co_n; co++)
                yp[co] = bias ? bias[co] : 0.0f;
            conv_taps t = taps_of(s, oh, ow);
            for (int64_t kh = t.kh0; kh < t.kh1; kh++)
                for (int64_t kw = t.kw0; kw < t.kw1; kw++) {
                    const float *xp = x + pixel(s, t.ih0 + kh, t.iw0 + kw);
                    const float *wp = w + tap_row(s, kh, kw);
                    for (int64_t ci = 0; ci < ci_n; ci++)
                        for (int64_t co = 0; co < co_n; co++)
                            yp[co] += xp[ci] * wp[ci * co_n + co];
                }
        }
}

static void backward_input_image(const nnl_conv_shape *s, const float *dy, const float *w, float *dx);

/* The arguments of a forward or input-gradient call; parts take images. */
typedef struct image_job {
    const nnl_conv_shape *s;
    const float *in, *w, *bias; /* in: x forward, dy backward */
    float *out;                 /* y forward, dx backward */
    int backward;
} image_job;

static void images_part(void *arg, int part, int parts)
{
    const image_job *j = arg;
    const nnl_conv_shape *s = j->s;
    image_range r = image_part(s, part, parts);
    for (int64_t n = r.n0; n < r.n1; n++) {
        if (j->backward)
            backward_input_image(s, j->in + n * r.y_img, j->w, j->out + n * r.x_img);
        else
            forward_image(s, j->in + n * r.x_img, j->w, j->bias, j->out + n * r.y_img);
    }
}

static int image_parts(const nnl_conv_shape *s, int threads)
{
    return threads < s->batch ? threads : (int)s->batch;
}

void nnl_conv2d_forward_scalar(const nnl_conv_shape *s, const float *x, const float *w,
                               const float *bias, float *y, int threads)
{
    image_job j = {s, x, w, bias, y, 0};
    nnl_parallel_run(image_parts(s, threads), images_part, &j);
}

/* dw[kh,kw,ci,co] += sum over pixels of x[.., ci] * dy[.., co], pixels in
 * (n, oh, ow) order; db[co] += sum of dy. */
void nnl_conv2d_backward_weights_scalar(const nnl_conv_shape *s, const float *x, const float *dy,
                                        float *dw, float *db, int threads)
{
    int64_t ci_n = s->in_c, co_n = s->out_c, x_img = s->in_h * s->in_w * ci_n;
    (void)threads;
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++) {
                const float *dyp = dy + ((n * s->out_h + oh) * s->out_w + ow) * co_n;
                if (db)
                    for (int64_t co = 0; co < co_n; co++)
                        db[co] += dyp[co];
                conv_taps t = taps_of(s, oh, ow);
                for (int64_t kh = t.kh0; kh < t.kh1; kh++)
                    for (int64_t kw = t.kw0; kw < t.kw1; kw++) {
                        const float *xp = x + n * x_img + pixel(s, t.ih0 + kh, t.iw0 + kw);
                        float *dwp = dw + tap_row(s, kh, kw);
                        for (int64_t ci = 0; ci < ci_n; ci++)
                            for (int64_t co = 0; co < co_n; co++)
                                dwp[ci * co_n + co] += xp[ci] * dyp[co];
                    }
            }
}

/* One image: dx [in_h, in_w, in_c] = sum over output pixels and taps of
 * w[kh,kw,ci,:] . dy[oh,ow,:], scattered to the input pixel each tap read. */
static void backward_input_image(const nnl_conv_shape *s, const float *dy, const float *w, float *dx)
{
    int64_t ci_n = s->in_c, co_n = s->out_c;
    memset(dx, 0, (size_t)(s->in_h * s->in_w * ci_n) * sizeof(float));
    for (int64_t oh = 0; oh < s->out_h; oh++)
        for (int64_t ow = 0; ow < s->out_w; ow++) {
            const float *dyp = dy + (oh * s->out_w + ow) * co_n;
            conv_taps t = taps_of(s, oh, ow);
            for (int64_t kh = t.kh0; kh < t.kh1; kh++)
                for (int64_t kw = t.kw0; kw < t.kw1; kw++) {
                    float *dxp = dx + pixel(s, t.ih0 + kh, t.iw0 + kw);
                    const float *wp = w + tap_row(s, kh, kw);
                    for (int64_t ci = 0; ci < ci_n; ci++) {
                        float sum = 0.0f;
                        for (int64_t co = 0; co < co_n; co++)
                            sum += wp[ci * co_n + co] * dyp[co];
                        dxp[ci] += sum;
                    }
                }
        }
}

void nnl_conv2d_backward_input_scalar(const nnl_conv_shape *s, const float *dy, const float *w,
                                      float *dx, int threads)
{
    image_job j = {s, dy, w, NULL, dx, 1};
    nnl_parallel_run(image_parts(s, threads), images_part, &j);
}
