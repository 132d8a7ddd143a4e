/* Internal: window geometry shared by the conv and pool kernels.
 *
 * Along one axis, output o's window starts at input index o*stride - pad and
 * tap t (0 <= t < kernel) reads input o*stride - pad + t; taps outside
 * [0, in) read zero padding. */
#ifndef NNL_KERNELS_CONV_WINDOW_H
#define NNL_KERNELS_CONV_WINDOW_H

#include <stdint.h>

#include "core/pool.h"
#include "kernels/kernels.h"

/* The taps [*lo, *hi) of output o's window that fall inside the input. */
static inline void window_taps(int64_t o, int64_t stride, int64_t pad, int64_t kernel, int64_t in,
                               int64_t *lo, int64_t *hi)
{
    int64_t start = o * stride - pad;
    *lo = start < 0 ? -start : 0;
    *hi = start + kernel > in ? in - start : kernel;
    if (*hi < *lo)
        *hi = *lo;
}

/* The outputs [*lo, *hi) whose whole window lies inside the input (the ones
 * that need no bounds checks). */
static inline void window_interior(int64_t stride, int64_t pad, int64_t kernel, int64_t in,
                                   int64_t out, int64_t *lo, int64_t *hi)
{
    *lo = (pad + stride - 1) / stride;
    *hi = in + pad - kernel < 0 ? 0 : (in + pad - kernel) / stride + 1;
    if (*hi > out)
        *hi = out;
    if (*lo > *hi)
        *lo = *hi;
}

/* The outputs [*lo, *hi) whose tap t falls inside the input, that is
 * 0 <= o*stride - pad + t < in: a contiguous range along each axis. */
static inline void tap_outputs(int64_t t, int64_t stride, int64_t pad, int64_t in, int64_t out,
                               int64_t *lo, int64_t *hi)
{
    int64_t first = pad - t, last = in - 1 + pad - t; /* bounds on o*stride */
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    *hi = last < 0 ? 0 : last / stride + 1;
    if (*hi > out)
        *hi = out;
    if (*lo > *hi)
        *lo = *hi;
}

/* The images [n0, n1) of part `part` of `parts` (images are independent,
 * so the conv and pool kernels share a batch out by whole images), and the
 * floats per image of the input (x_img) and of the output (y_img). */
typedef struct image_range {
    int64_t n0, n1;
    int64_t x_img, y_img;
} image_range;

static inline image_range image_part(const nnl_conv_shape *s, int part, int parts)
{
    image_range r = {0, 0, s->in_h * s->in_w * s->in_c, s->out_h * s->out_w * s->out_c};
    nnl_parallel_share(s->batch, 1, part, parts, &r.n0, &r.n1);
    return r;
}

#endif
