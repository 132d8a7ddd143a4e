/* Max and average pooling, SIMD body shared by pool_avx2.c and
 * pool_avx512.c (include vec_<isa>.h first). Shapes and semantics: pool.c.
 *
 * Vectors run across channels (contiguous in NHWC), one window at a time,
 * visiting taps in the oracle's (kh, kw) order, so results match it exactly.
 * The backward kernels avoid zeroing dx first when the windows tile the
 * input exactly (stride == kernel, no padding, nothing left over: the 2x2/2
 * pool of the MNIST CNN): then every dx element is written once, as dy (or
 * its share) or 0. Otherwise dx is zeroed and windows add into it in order;
 * lanes are distinct channels, so overlapping windows never conflict. The
 * max backward picks each tap's lanes by comparing argmax with the tap's
 * indices instead of scattering. Large calls split the images over threads
 * (parallel.h); images are independent, so the bits do not depend on the
 * thread count. */
#include <string.h>

#include "kernels/conv_window.h"
#include "kernels/isa.h"
#include "kernels/parallel.h"

/* Valid taps of one window and the x index of its (possibly padded) origin. */
typedef struct pool_window {
    int64_t kh0, kh1, kw0, kw1;
    int64_t origin;     /* x index of tap (0, 0), channel 0 */
    int64_t row, col;   /* x index steps of kh and kw */
} pool_window;

NNL_INLINE pool_window window_at(const nnl_conv_shape *s, int64_t n, int64_t oh, int64_t ow)
{
    pool_window w;
    window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &w.kh0, &w.kh1);
    window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &w.kw0, &w.kw1);
    w.col = s->in_c;
    w.row = s->in_w * s->in_c;
    w.origin = (n * s->in_h + oh * s->stride_h - s->pad_top) * w.row +
               (ow * s->stride_w - s->pad_left) * w.col;
    return w;
}

NNL_INLINE int64_t tap_index(const pool_window *w, int64_t kh, int64_t kw) { return w->origin + kh * w->row + kw * w->col; }

NNL_INLINE int tiles_exactly(const nnl_conv_shape *s)
{
    return s->stride_h == s->kernel_h && s->stride_w == s->kernel_w && s->pad_top == 0 &&
           s->pad_left == 0 && s->out_h * s->stride_h == s->in_h && s->out_w * s->stride_w == s->in_w;
}

/* Channel vectors a pooling block takes at once: the taps are the outer
 * loop, so each tap's index vector is made once for all of them, and their
 * running maxima are independent chains (one vector at a time waited on
 * compare-then-blend for every tap: 133 us for the MNIST layer's batch). */
#define POOL_VECS 4

/* Channels [c, c + nv*VL) of one window (the last vector masked by k when
 * `masked`): the running maximum and the x index it came from, over the
 * taps in (kh, kw) order, a later tap winning only when greater. */
NNL_INLINE void maxpool_block(const pool_window *w, const float *x, int64_t c, int nv, int masked,
                              vmask k, float *y, int32_t *argmax)
{
    vf best[POOL_VECS];
    vi arg[POOL_VECS];
    int64_t first = tap_index(w, w->kh0, w->kw0) + c;
    vi first_idx = vi_add(vi_set1((int32_t)first), vi_lanes());
    for (int v = 0; v < nv; v++) {
        best[v] = vf_load_tail(x + first + v * VL, last_masked(masked, v, nv), k);
        arg[v] = vi_add(first_idx, vi_set1(v * VL));
    }
    for (int64_t kh = w->kh0; kh < w->kh1; kh++)
        for (int64_t kw = w->kw0; kw < w->kw1; kw++) {
            int64_t i = tap_index(w, kh, kw) + c;
            vi idx = vi_add(vi_set1((int32_t)i), vi_lanes());
            for (int v = 0; v < nv; v++) {
                vf val = vf_load_tail(x + i + v * VL, last_masked(masked, v, nv), k);
                vcmp gt = vf_gt(val, best[v]);
                best[v] = vf_select(gt, val, best[v]);
                arg[v] = vi_select(gt, vi_add(idx, vi_set1(v * VL)), arg[v]);
            }
        }
    for (int v = 0; v < nv; v++) {
        vf_store_tail(y + c + v * VL, last_masked(masked, v, nv), k, best[v]);
        vi_store_tail(argmax + c + v * VL, last_masked(masked, v, nv), k, arg[v]);
    }
}

/* Every channel of one max window: blocks of POOL_VECS, 2 and 1 vectors,
 * and a masked one. */
NNL_INLINE void maxpool_window(const pool_window *w, const float *x, int64_t c_n, float *y, int32_t *argmax)
{
    int64_t c = 0;
    for (; c + POOL_VECS * VL <= c_n; c += POOL_VECS * VL)
        maxpool_block(w, x, c, POOL_VECS, 0, vmask_first(VL), y, argmax);
    if (c + 2 * VL <= c_n) {
        maxpool_block(w, x, c, 2, 0, vmask_first(VL), y, argmax);
        c += 2 * VL;
    }
    if (c + VL <= c_n) {
        maxpool_block(w, x, c, 1, 0, vmask_first(VL), y, argmax);
        c += VL;
    }
    if (c < c_n)
        maxpool_block(w, x, c, 1, 1, vmask_first(c_n - c), y, argmax);
}


/* Threads for a pass over the batch's inputs. */
NNL_INLINE int pool_team(const nnl_conv_shape *s)
{
    return kernel_team(s->batch * s->in_h * s->in_w * s->in_c, s->batch);
}

/* The arguments of one pooling call; each part takes a range of images. */
typedef struct pool_job {
    const nnl_conv_shape *s;
    const float *in;        /* x forward, dy backward */
    float *out;             /* y forward, dx backward */
    int32_t *argmax_out;    /* max forward */
    const int32_t *argmax;  /* max backward; NULL: average */
    float inv;              /* average backward: 1 / window size */
} pool_job;

static void pool_images_of(const pool_job *j, int part, int parts, int64_t *n0, int64_t *n1)
{
    nnl_parallel_share(j->s->batch, 1, part, parts, n0, n1);
}

/* Channels [c, c + nv*VL) of one window (the last vector masked by k when
 * `masked`): each tap gets the window's gradient g (dy, times inv for
 * average) in the lanes where it is picked: for max the lanes whose argmax
 * is that tap, for average all lanes. Taps outer, as in maxpool_block. */
NNL_INLINE void pool_bwd_block(const pool_window *w, const float *dy, const int32_t *argmax, vf inv,
                               int64_t c, int nv, int masked, vmask k, int overwrite, float *dx)
{
    vf g[POOL_VECS];
    vi arg[POOL_VECS];
    for (int v = 0; v < nv; v++) {
        int m = last_masked(masked, v, nv);
        g[v] = vf_load_tail(dy + c + v * VL, m, k);
        if (argmax)
            arg[v] = vi_load_tail(argmax + c + v * VL, m, k);
        else
            g[v] = vf_mul(g[v], inv);
    }
    for (int64_t kh = w->kh0; kh < w->kh1; kh++)
        for (int64_t kw = w->kw0; kw < w->kw1; kw++) {
            int64_t i = tap_index(w, kh, kw) + c;
            vi idx = vi_add(vi_set1((int32_t)i), vi_lanes());
            for (int v = 0; v < nv; v++) {
                int m = last_masked(masked, v, nv);
                vf add = argmax ? vf_select(vi_eq(arg[v], vi_add(idx, vi_set1(v * VL))), g[v], vf_zero()) : g[v];
                if (!overwrite)
                    add = vf_add(vf_load_tail(dx + i + v * VL, m, k), add);
                vf_store_tail(dx + i + v * VL, m, k, add);
            }
        }
}

/* Every channel of one window's backward: blocks of POOL_VECS, 2 and 1
 * vectors, and a masked one. */
NNL_INLINE void pool_bwd_window(const pool_window *w, const float *dy, const int32_t *argmax, vf inv,
                                int64_t c_n, int overwrite, float *dx)
{
    int64_t c = 0;
    for (; c + POOL_VECS * VL <= c_n; c += POOL_VECS * VL)
        pool_bwd_block(w, dy, argmax, inv, c, POOL_VECS, 0, vmask_first(VL), overwrite, dx);
    if (c + 2 * VL <= c_n) {
        pool_bwd_block(w, dy, argmax, inv, c, 2, 0, vmask_first(VL), overwrite, dx);
        c += 2 * VL;
    }
    if (c + VL <= c_n) {
        pool_bwd_block(w, dy, argmax, inv, c, 1, 0, vmask_first(VL), overwrite, dx);
        c += VL;
    }
    if (c < c_n)
        pool_bwd_block(w, dy, argmax, inv, c, 1, 1, vmask_first(c_n - c), overwrite, dx);
}

/* Images [n0, n1) of both backwards; argmax == NULL means average (dy * inv). */
NNL_INLINE void pool_backward_images(const nnl_conv_shape *s, int64_t n0, int64_t n1, const float *dy,
                                     const int32_t *argmax, float inv, float *dx)
{
    int overwrite = tiles_exactly(s);
    int64_t x_img = s->in_h * s->in_w * s->in_c;
    if (!overwrite)
        memset(dx + n0 * x_img, 0, (size_t)((n1 - n0) * x_img) * sizeof(float));
    vf vinv = vf_set1(inv);
    int64_t c_n = s->in_c, o = n0 * s->out_h * s->out_w * c_n;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++, o += c_n) {
                pool_window w = window_at(s, n, oh, ow);
                pool_bwd_window(&w, dy + o, argmax ? argmax + o : NULL, vinv, c_n, overwrite, dx);
            }
}

static void pool_backward_part(void *arg, int part, int parts)
{
    const pool_job *j = arg;
    int64_t n0, n1;
    pool_images_of(j, part, parts, &n0, &n1);
    pool_backward_images(j->s, n0, n1, j->in, j->argmax, j->inv, j->out);
}

static void pool_backward(const nnl_conv_shape *s, const float *dy, const int32_t *argmax, float inv,
                          float *dx)
{
    pool_job j = {s, dy, dx, NULL, argmax, inv};
    nnl_parallel_run(pool_team(s), pool_backward_part, &j);
}

void SIMD_FN(maxpool_backward)(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                               float *dx)
{
    pool_backward(s, dy, argmax, 1.0f, dx);
}

NNL_INLINE void avgpool_vec(const pool_window *w, const float *x, int64_t c, int masked, vmask k,
                            vf inv, float *y)
{
    vf sum = vf_zero();
    for (int64_t kh = w->kh0; kh < w->kh1; kh++)
        for (int64_t kw = w->kw0; kw < w->kw1; kw++)
            sum = vf_add(sum, vf_load_tail(x + tap_index(w, kh, kw) + c, masked, k));
    vf_store_tail(y + c, masked, k, vf_mul(sum, inv));
}

/* Images [n0, n1) of both forwards; argmax == NULL means average (a
 * constant at the average's call, so the branch folds away there). */
NNL_INLINE void pool_forward_images(const nnl_conv_shape *s, int64_t n0, int64_t n1, const float *x,
                                    float *y, int32_t *argmax)
{
    vf inv = vf_set1(1.0f / (float)(s->kernel_h * s->kernel_w));
    int64_t c_n = s->in_c, o = n0 * s->out_h * s->out_w * c_n;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++, o += c_n) {
                pool_window w = window_at(s, n, oh, ow);
                if (argmax) {
                    maxpool_window(&w, x, c_n, y + o, argmax + o);
                    continue;
                }
                for (int64_t c = 0; c < c_n; c += VL) {
                    vmask k = vmask_first(c_n - c);
                    if (c + VL > c_n)
                        avgpool_vec(&w, x, c, 1, k, inv, y + o);
                    else
                        avgpool_vec(&w, x, c, 0, k, inv, y + o);
                }
            }
}

static void maxpool_forward_part(void *arg, int part, int parts)
{
    const pool_job *j = arg;
    int64_t n0, n1;
    pool_images_of(j, part, parts, &n0, &n1);
    pool_forward_images(j->s, n0, n1, j->in, j->out, j->argmax_out);
}

void SIMD_FN(maxpool_forward)(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax)
{
    pool_job j = {s, x, y, argmax, NULL, 0.0f};
    nnl_parallel_run(pool_team(s), maxpool_forward_part, &j);
}

static void avgpool_forward_part(void *arg, int part, int parts)
{
    const pool_job *j = arg;
    int64_t n0, n1;
    pool_images_of(j, part, parts, &n0, &n1);
    pool_forward_images(j->s, n0, n1, j->in, j->out, NULL);
}

void SIMD_FN(avgpool_forward)(const nnl_conv_shape *s, const float *x, float *y)
{
    pool_job j = {s, x, y, NULL, NULL, 0.0f};
    nnl_parallel_run(pool_team(s), avgpool_forward_part, &j);
}

void SIMD_FN(avgpool_backward)(const nnl_conv_shape *s, const float *dy, float *dx)
{
    pool_backward(s, dy, NULL, 1.0f / (float)(s->kernel_h * s->kernel_w), dx);
}
