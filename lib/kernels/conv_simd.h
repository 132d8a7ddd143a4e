/* 2-D convolution, SIMD body shared by conv_avx2.c and conv_avx512.c
 * (include vec_<isa>.h first, which sets the tile sizes CONV_*). Shapes, the
 * formula and the choice of a direct algorithm: conv.c.
 *
 * Vectors always run across output channels (contiguous in y, dy, w and dw).
 * The forward's blocks of output pixels take the range of kernel taps they
 * share as an argument, so rows and columns cut by padding run the same
 * register-blocked code over fewer taps (an edge column's pixels in blocks
 * down the column). The weight gradient's tiles keep to one tap when there are 4 or
 * more input channels, and then never meet padding; with fewer they mix
 * taps, and a pixel whose window is cut by padding gathers its x values
 * (zero for padding) first. The input gradient runs the forward over the
 * kernel turned by 180 degrees, one phase of dx per offset within a
 * stride. Tile shapes are compile-time constants of always-inlined
 * functions, so each (pixels, vectors, masked tail) combination is its own
 * straight-line loop with the accumulators in registers. */
#include <stddef.h>
#include <string.h>

#include "core/cpu.h"
#include "core/pool.h"
#include "kernels/buffer_pool.h"
#include "kernels/conv_window.h"
#include "kernels/isa.h"

#if CONV_FWD_VECS != 2 || CONV_BWD_VECS > 2
#error "conv_simd.h dispatches tails for CONV_FWD_VECS == 2 and CONV_BWD_VECS <= 2"
#endif
#if CONV_FWD_PIXELS > 8
#error "fwd_block_of has a case for each block of up to 8 pixels"
#endif

/* x offset of input pixel (ih, iw) within one image (ih, iw may be padding
 * when only valid taps are added to it). */
NNL_INLINE int64_t x_pixel(const nnl_conv_shape *s, int64_t ih, int64_t iw) { return (ih * s->in_w + iw) * s->in_c; }

/* ------------------------------------------------------------------ forward */

typedef struct fwd_ctx {
    const nnl_conv_shape *s;
    const float *x;      /* this image [in_h, in_w, in_c] */
    const float *w;      /* [kernel_h, kernel_w, in_c, out_c] */
    const float *bias;   /* [out_c] or NULL */
    float *y;            /* this image's output pixel (0, 0) */
    int64_t x_step;      /* x step between neighbouring output pixels: stride_w * in_c */
    int64_t y_row, y_col; /* y step between output rows and between pixels of a row */
} fwd_ctx;

/* The taps a block of output pixels shares: all of them inside the image,
 * except in the rows and columns that padding touches. */
typedef struct fwd_taps {
    int64_t kh0, kh1, kw0, kw1;
} fwd_taps;

/* Channel vectors of the blocks after a row's full pixel blocks: with
 * fewer pixels a block takes more vectors, so that it still has 8
 * independent accumulators, enough to cover the FMA's latency (a block of
 * one pixel and two vectors waits on its two sums and ran at a sixth of the
 * speed: 4% of the pixels of a 25-wide row took a fifth of the time). */
#define CONV_FWD_TAIL_VECS 8

/* P output pixels (oh, ow .. ow+P-1) sharing taps t, x nv vectors of output
 * channels from co; the last vector is masked by k when `masked`. For each
 * kernel row the taps' x values are one contiguous run of (kw1-kw0)*in_c
 * floats (NHWC), and each x value meets one w row: nv vector loads of w,
 * P broadcasts of x, P*nv FMAs. Every output sums its terms in the same
 * order whatever P and nv. */
NNL_INLINE void fwd_block(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow, int64_t co,
                          int P, int nv, int masked, vmask k)
{
    /* Sizes in locals: the stores to y could alias *c and *s as far as the
     * compiler knows, and would make it reload them. */
    const nnl_conv_shape *s = c->s;
    const int64_t y_col = c->y_col, x_step = c->x_step, x_row = s->in_w * s->in_c, out_c = s->out_c;
    const int64_t run = (t->kw1 - t->kw0) * s->in_c;   /* x values (and w rows) per kernel row */
    const int64_t w_skip = s->kernel_w * s->in_c - run; /* w rows of the kernel columns cut off */
    vf acc[CONV_FWD_PIXELS][CONV_FWD_TAIL_VECS];
    for (int v = 0; v < nv; v++) {
        vf b = c->bias ? vf_load_tail(c->bias + co + v * VL, last_masked(masked, v, nv), k) : vf_zero();
        for (int p = 0; p < P; p++)
            acc[p][v] = b;
    }
    const float *xp = c->x + x_pixel(s, oh * s->stride_h - s->pad_top + t->kh0,
                                     ow * s->stride_w - s->pad_left + t->kw0);
    const float *wp = c->w + (t->kh0 * s->kernel_w + t->kw0) * s->in_c * out_c + co;
    for (int64_t kh = t->kh0; kh < t->kh1; kh++, xp += x_row, wp += w_skip * out_c) {
        for (int64_t j = 0; j < run; j++, wp += out_c) {
            vf wv[CONV_FWD_TAIL_VECS];
            for (int v = 0; v < nv; v++)
                wv[v] = vf_load_tail(wp + v * VL, last_masked(masked, v, nv), k);
            for (int p = 0; p < P; p++) {
                vf xb = vf_set1(xp[p * x_step + j]);
                for (int v = 0; v < nv; v++)
                    acc[p][v] = vf_fmadd(xb, wv[v], acc[p][v]);
            }
        }
    }
    float *yp = c->y + oh * c->y_row + ow * y_col + co;
    for (int p = 0; p < P; p++)
        for (int v = 0; v < nv; v++)
            vf_store_tail(yp + p * y_col + v * VL, last_masked(masked, v, nv), k, acc[p][v]);
}

/* The full blocks of pixels [ow0, ow1) of row oh (the tail is fwd_tail's). */
NNL_INLINE void fwd_span(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow0, int64_t ow1,
                         int64_t co, int nv, int masked, vmask k)
{
    for (int64_t ow = ow0; ow + CONV_FWD_PIXELS <= ow1; ow += CONV_FWD_PIXELS)
        fwd_block(c, t, oh, ow, co, CONV_FWD_PIXELS, nv, masked, k);
}

/* P pixels from ow x every output channel: chunks of NV vectors, then of
 * 4, 2 and 1 vectors, and a masked one. */
NNL_INLINE void fwd_all_channels(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow, int P,
                                 int NV)
{
    int64_t co_n = c->s->out_c, co = 0;
    for (; co + NV * VL <= co_n; co += NV * VL)
        fwd_block(c, t, oh, ow, co, P, NV, 0, vmask_first(VL));
    if (NV > 4 && co + 4 * VL <= co_n) {
        fwd_block(c, t, oh, ow, co, P, 4, 0, vmask_first(VL));
        co += 4 * VL;
    }
    if (NV > 2 && co + 2 * VL <= co_n) {
        fwd_block(c, t, oh, ow, co, P, 2, 0, vmask_first(VL));
        co += 2 * VL;
    }
    if (NV > 1 && co + VL <= co_n) {
        fwd_block(c, t, oh, ow, co, P, 1, 0, vmask_first(VL));
        co += VL;
    }
    if (co < co_n)
        fwd_block(c, t, oh, ow, co, P, 1, 1, vmask_first(co_n - co));
}

/* One block of P <= CONV_FWD_PIXELS pixels from (oh, ow), every output
 * channel: chunks of two vectors, which with 3 or more pixels give 6 or
 * more accumulators; 2 pixels take chunks of 4 vectors and one pixel of
 * CONV_FWD_TAIL_VECS, so that their accumulators still cover the FMA's
 * latency where there are channels enough. */
static void fwd_block_of(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow, int64_t P)
{
    switch (P) {
    case 1: fwd_all_channels(c, t, oh, ow, 1, CONV_FWD_TAIL_VECS); break;
    case 2: fwd_all_channels(c, t, oh, ow, 2, 4); break;
    case 3: fwd_all_channels(c, t, oh, ow, 3, 2); break;
    case 4: fwd_all_channels(c, t, oh, ow, 4, 2); break;
    case 5: fwd_all_channels(c, t, oh, ow, 5, 2); break;
    case 6: fwd_all_channels(c, t, oh, ow, 6, 2); break;
#if CONV_FWD_PIXELS > 6
    case 7: fwd_all_channels(c, t, oh, ow, 7, 2); break;
    case 8: fwd_all_channels(c, t, oh, ow, 8, 2); break;
#endif
    default: break; /* P >= 1, and P <= CONV_FWD_PIXELS <= 8 (checked at the top) */
    }
}

/* The fewer than CONV_FWD_PIXELS pixels [ow, ow1) after the full blocks,
 * as one block (pieces of 4, 2 and 1 pixels left a single pixel with two
 * accumulators where a layer has 32 output channels). */
static void fwd_tail(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow, int64_t ow1)
{
    if (ow < ow1)
        fwd_block_of(c, t, oh, ow, ow1 - ow);
}

/* All output channels of pixels [ow0, ow1) of row oh, which share taps t:
 * the full pixel blocks in chunks of two vectors (the last chunk may be one
 * vector and/or masked), each chunk's w rows reused from the level-1 cache
 * across the row; then the tail. */
static void fwd_pixels(const fwd_ctx *c, const fwd_taps *t, int64_t oh, int64_t ow0, int64_t ow1)
{
    int64_t co_n = c->s->out_c, co = 0;
    int64_t body = ow0 + (ow1 - ow0) / CONV_FWD_PIXELS * CONV_FWD_PIXELS;
    if (body > ow0) {
        for (; co + 2 * VL <= co_n; co += 2 * VL)
            fwd_span(c, t, oh, ow0, body, co, 2, 0, vmask_first(VL));
        int64_t left = co_n - co;
        if (left > VL)
            fwd_span(c, t, oh, ow0, body, co, 2, 1, vmask_first(left - VL));
        else if (left == VL)
            fwd_span(c, t, oh, ow0, body, co, 1, 0, vmask_first(VL));
        else if (left > 0)
            fwd_span(c, t, oh, ow0, body, co, 1, 1, vmask_first(left));
    }
    fwd_tail(c, t, oh, body, ow1);
}

/* Column ow of row oh, whose window padding cuts: its own kernel columns. */
static void fwd_edge_column(const fwd_ctx *c, const fwd_taps *row, int64_t oh, int64_t ow)
{
    const nnl_conv_shape *s = c->s;
    fwd_taps t = *row;
    window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &t.kw0, &t.kw1);
    fwd_pixels(c, &t, oh, ow, ow + 1);
}

/* Row oh: the columns whose windows are whole share all kernel columns;
 * with `edges`, each padded edge column too, with its own. */
static void fwd_row(const fwd_ctx *c, int64_t oh, int64_t ow_in0, int64_t ow_in1, int edges)
{
    const nnl_conv_shape *s = c->s;
    fwd_taps t = {0, 0, 0, s->kernel_w};
    window_taps(oh, s->stride_h, s->pad_top, s->kernel_h, s->in_h, &t.kh0, &t.kh1);
    if (ow_in0 < ow_in1)
        fwd_pixels(c, &t, oh, ow_in0, ow_in1);
    if (!edges)
        return;
    for (int64_t ow = 0; ow < ow_in0; ow++)
        fwd_edge_column(c, &t, oh, ow);
    for (int64_t ow = ow_in1; ow < s->out_w; ow++)
        fwd_edge_column(c, &t, oh, ow);
}

/* Edge column ow over the rows [oh0, oh1) whose windows are whole
 * vertically: they share the column's taps, so they run as blocks of
 * pixels down the column, each a fwd_block on a context whose pixel step
 * is a row (a block of one pixel has too few accumulators to cover the
 * FMA's latency: with 32 output channels, the padded columns of a full
 * convolution, the input gradient of a 3x3 layer, took half its time). */
static void fwd_edge_column_down(const fwd_ctx *c, int64_t ow, int64_t oh0, int64_t oh1)
{
    const nnl_conv_shape *s = c->s;
    fwd_taps t = {0, s->kernel_h, 0, 0};
    window_taps(ow, s->stride_w, s->pad_left, s->kernel_w, s->in_w, &t.kw0, &t.kw1);
    fwd_ctx down = *c;
    down.x += ow * s->stride_w * s->in_c; /* fwd_block then runs with ow = 0 */
    down.y += ow * c->y_col;
    down.x_step = s->stride_h * s->in_w * s->in_c;
    down.y_col = c->y_row;
    /* blocks as equal as can be: 9 rows as 5 + 4, not 8 + 1 */
    const int64_t rows = oh1 - oh0, blocks = (rows + CONV_FWD_PIXELS - 1) / CONV_FWD_PIXELS;
    for (int64_t b = 0, oh = oh0; b < blocks; b++) {
        int64_t P = rows / blocks + (b < rows % blocks);
        fwd_block_of(&down, &t, oh, 0, P);
        oh += P;
    }
}

typedef struct fwd_job {
    const nnl_conv_shape *s;
    const float *x, *w, *bias;
    float *y;
    int64_t y_img, y_row, y_col; /* y steps between images, rows and pixels */
    int64_t ow0, ow1;            /* columns whose windows are whole */
    int64_t oh0, oh1;            /* rows whose windows are whole */
} fwd_job;

/* A range of images: rows, then the edge columns of the rows whose windows
 * are whole vertically down each column. */
static void fwd_part(void *arg, int part, int parts)
{
    const fwd_job *j = arg;
    const nnl_conv_shape *s = j->s;
    image_range r = image_part(s, part, parts);
    for (int64_t n = r.n0; n < r.n1; n++) {
        fwd_ctx c = {s,       j->x + n * r.x_img,          j->w,    j->bias,
                     j->y + n * j->y_img, s->stride_w * s->in_c, j->y_row, j->y_col};
        for (int64_t oh = 0; oh < s->out_h; oh++)
            fwd_row(&c, oh, j->ow0, j->ow1, oh < j->oh0 || oh >= j->oh1);
        for (int64_t ow = 0; ow < s->out_w; ow++)
            if ((ow < j->ow0 || ow >= j->ow1) && j->oh0 < j->oh1)
                fwd_edge_column_down(&c, ow, j->oh0, j->oh1);
    }
}

/* The forward writing output pixel (oh, ow) of image n at
 * y + n*y_img + oh*y_row + ow*y_col: densely for conv2d_forward, and at
 * every stride-th pixel of dx for a phase of the input gradient. */
static void forward_into(const nnl_conv_shape *s, const float *x, const float *w, const float *bias,
                         float *y, int64_t y_img, int64_t y_row, int64_t y_col, int threads)
{
    fwd_job j = {s, x, w, bias, y, y_img, y_row, y_col, 0, 0, 0, 0};
    window_interior(s->stride_w, s->pad_left, s->kernel_w, s->in_w, s->out_w, &j.ow0, &j.ow1);
    window_interior(s->stride_h, s->pad_top, s->kernel_h, s->in_h, s->out_h, &j.oh0, &j.oh1);
    nnl_parallel_run(threads < s->batch ? threads : (int)s->batch, fwd_part, &j);
}

void SIMD_FN(conv2d_forward)(const nnl_conv_shape *s, const float *x, const float *w,
                             const float *bias, float *y, int threads)
{
    forward_into(s, x, w, bias, y, s->out_h * s->out_w * s->out_c, s->out_w * s->out_c, s->out_c, threads);
}

/* ---------------------------------------------------------- weight gradient */

/* dW[K, out_c] (K = kernel_h*kernel_w*in_c rows in HWIO order) is cut into
 * tiles of CONV_BWD_ROWS rows x nv channel vectors, and each thread owns a
 * fixed set of tiles. Images are the outer loop so that one image's x and
 * dy stay in cache while the thread's tiles pass over them; per image a
 * tile loads its accumulators from dW, takes one FMA per (row, vector) per
 * output pixel and stores them back. Every dW element thus sums pixels in
 * (n, oh, ow) order whatever the thread count. Rows past K (in the last row
 * block) repeat row K-1's x offset and are not stored. The tiles of row
 * block 0 also sum dy into db. */
typedef struct bwd_w_ctx {
    const nnl_conv_shape *s;
    const float *x, *dy;   /* one image each */
    float *dw, *db;
    int64_t rows;          /* K */
    int64_t row_blocks;    /* ceil(K / CONV_BWD_ROWS) */
    int nv_max;            /* channel vectors per tile */
    int64_t oh0, oh1, ow0, ow1; /* outputs whose windows are whole */
} bwd_w_ctx;

typedef struct bwd_w_rows {
    int64_t off[CONV_BWD_ROWS];     /* x offset of each row's tap from the window origin */
    int64_t kh[CONV_BWD_ROWS], kw[CONV_BWD_ROWS];
    int64_t count;                  /* rows of this block that exist (<= CONV_BWD_ROWS) */
} bwd_w_rows;

/* Rows row0 .. row0 + CONV_BWD_ROWS - 1 step through (kh, kw, ci) in HWIO
 * order; rows past K repeat row K-1. */
static bwd_w_rows bwd_w_rows_at(const nnl_conv_shape *s, int64_t row0, int64_t rows)
{
    bwd_w_rows r;
    r.count = rows - row0 < CONV_BWD_ROWS ? rows - row0 : CONV_BWD_ROWS;
    int64_t ci = row0 % s->in_c, tap = row0 / s->in_c;
    int64_t kh = tap / s->kernel_w, kw = tap % s->kernel_w;
    for (int64_t i = 0; i < CONV_BWD_ROWS; i++) {
        r.kh[i] = kh;
        r.kw[i] = kw;
        r.off[i] = (kh * s->in_w + kw) * s->in_c + ci;
        if (i + 1 >= r.count)
            continue;
        if (++ci == s->in_c) {
            ci = 0;
            if (++kw == s->kernel_w) {
                kw = 0;
                kh++;
            }
        }
    }
    return r;
}

/* The tile's FMAs for one output pixel: row i's x value is xw[off[i]]. */
NNL_INLINE void bwd_w_pixel(vf acc[restrict CONV_BWD_ROWS][CONV_BWD_VECS],
                            vf dacc[restrict CONV_BWD_VECS], const float *restrict xw,
                            const int64_t *off, const float *restrict dyp, int nv, int masked,
                            vmask k, int with_db)
{
    vf d[CONV_BWD_VECS];
    for (int v = 0; v < nv; v++)
        d[v] = vf_load_tail(dyp + v * VL, last_masked(masked, v, nv), k);
    if (with_db)
        for (int v = 0; v < nv; v++)
            dacc[v] = vf_add(dacc[v], d[v]);
    for (int i = 0; i < CONV_BWD_ROWS; i++) {
        vf xb = vf_set1(xw[off[i]]);
        for (int v = 0; v < nv; v++)
            acc[i][v] = vf_fmadd(xb, d[v], acc[i][v]);
    }
}

/* A pixel whose window is cut by padding: gather the rows' x values (0 for
 * padding taps), then the same FMAs. */
NNL_INLINE void bwd_w_border_pixel(const nnl_conv_shape *s, const bwd_w_rows *r,
                                   vf acc[CONV_BWD_ROWS][CONV_BWD_VECS], vf dacc[CONV_BWD_VECS],
                                   const float *x, int64_t ih0, int64_t iw0, const float *dyp,
                                   int nv, int masked, vmask k, int with_db)
{
    float xv[CONV_BWD_ROWS];
    int64_t identity[CONV_BWD_ROWS];
    for (int i = 0; i < CONV_BWD_ROWS; i++) {
        int64_t ih = ih0 + r->kh[i], iw = iw0 + r->kw[i];
        int inside = ih >= 0 && ih < s->in_h && iw >= 0 && iw < s->in_w;
        xv[i] = inside ? x[x_pixel(s, ih0, iw0) + r->off[i]] : 0.0f;
        identity[i] = i;
    }
    bwd_w_pixel(acc, dacc, xv, identity, dyp, nv, masked, k, with_db);
}

/* One tile over one image, pixels in (oh, ow) order. */
NNL_INLINE void bwd_w_tile(const bwd_w_ctx *c, int64_t row0, int64_t co, int nv, int masked,
                           vmask k, int with_db)
{
    const nnl_conv_shape *s = c->s;
    bwd_w_rows r = bwd_w_rows_at(s, row0, c->rows);
    vf acc[CONV_BWD_ROWS][CONV_BWD_VECS], dacc[CONV_BWD_VECS];
    for (int i = 0; i < CONV_BWD_ROWS; i++)
        for (int v = 0; v < nv; v++)
            acc[i][v] = i < r.count ? vf_load_tail(c->dw + (row0 + i) * s->out_c + co + v * VL,
                                                   last_masked(masked, v, nv), k)
                                    : vf_zero();
    for (int v = 0; v < nv; v++)
        dacc[v] = with_db ? vf_load_tail(c->db + co + v * VL, last_masked(masked, v, nv), k) : vf_zero();

    int64_t x_step = s->stride_w * s->in_c;
    for (int64_t oh = 0; oh < s->out_h; oh++) {
        int whole_row = oh >= c->oh0 && oh < c->oh1;
        int64_t lo = whole_row ? c->ow0 : s->out_w, hi = whole_row ? c->ow1 : s->out_w;
        int64_t ih0 = oh * s->stride_h - s->pad_top;
        const float *dyp = c->dy + oh * s->out_w * s->out_c + co;
        int64_t ow = 0;
        for (; ow < lo; ow++, dyp += s->out_c)
            bwd_w_border_pixel(s, &r, acc, dacc, c->x, ih0, ow * s->stride_w - s->pad_left, dyp, nv,
                               masked, k, with_db);
        if (ow < hi) {
            const float *xw = c->x + x_pixel(s, ih0, ow * s->stride_w - s->pad_left);
            for (; ow < hi; ow++, dyp += s->out_c, xw += x_step)
                bwd_w_pixel(acc, dacc, xw, r.off, dyp, nv, masked, k, with_db);
        }
        for (; ow < s->out_w; ow++, dyp += s->out_c)
            bwd_w_border_pixel(s, &r, acc, dacc, c->x, ih0, ow * s->stride_w - s->pad_left, dyp, nv,
                               masked, k, with_db);
    }

    for (int i = 0; i < CONV_BWD_ROWS; i++)
        for (int v = 0; v < nv; v++)
            if (i < r.count)
                vf_store_tail(c->dw + (row0 + i) * s->out_c + co + v * VL, last_masked(masked, v, nv),
                              k, acc[i][v]);
    if (with_db)
        for (int v = 0; v < nv; v++)
            vf_store_tail(c->db + co + v * VL, last_masked(masked, v, nv), k, dacc[v]);
}

/* Tile t = chunk * row_blocks + row_block, so a thread's run of tiles shares
 * channel chunks (and the cache lines of dy they read). A chunk is nv_max
 * vectors of channels; the last chunk may be narrower and masked. */
static void bwd_w_tile_at(const bwd_w_ctx *c, int64_t t)
{
    int64_t row0 = (t % c->row_blocks) * CONV_BWD_ROWS;
    int64_t co = (t / c->row_blocks) * c->nv_max * VL, left = c->s->out_c - co;
    int db = c->db != NULL && row0 == 0;
#if CONV_BWD_VECS == 2
    if (c->nv_max == 2 && left >= 2 * VL) {
        if (db)
            bwd_w_tile(c, row0, co, 2, 0, vmask_first(VL), 1);
        else
            bwd_w_tile(c, row0, co, 2, 0, vmask_first(VL), 0);
        return;
    }
    if (c->nv_max == 2 && left > VL) {
        if (db)
            bwd_w_tile(c, row0, co, 2, 1, vmask_first(left - VL), 1);
        else
            bwd_w_tile(c, row0, co, 2, 1, vmask_first(left - VL), 0);
        return;
    }
#endif
    if (left >= VL) {
        if (db)
            bwd_w_tile(c, row0, co, 1, 0, vmask_first(VL), 1);
        else
            bwd_w_tile(c, row0, co, 1, 0, vmask_first(VL), 0);
    } else {
        if (db)
            bwd_w_tile(c, row0, co, 1, 1, vmask_first(left), 1);
        else
            bwd_w_tile(c, row0, co, 1, 1, vmask_first(left), 0);
    }
}

typedef struct bwd_w_job {
    bwd_w_ctx c; /* x and dy point at image 0 */
    const float *x, *dy;
    int64_t tiles;
} bwd_w_job;

/* A fixed range of tiles, over every image in order: each dW element sums
 * pixels in (n, oh, ow) order whatever the thread count. */
static void bwd_w_part(void *arg, int part, int parts)
{
    const bwd_w_job *j = arg;
    const nnl_conv_shape *s = j->c.s;
    int64_t x_img = s->in_h * s->in_w * s->in_c, y_img = s->out_h * s->out_w * s->out_c, t0, t1;
    nnl_parallel_share(j->tiles, 1, part, parts, &t0, &t1);
    bwd_w_ctx c = j->c;
    for (int64_t n = 0; n < s->batch; n++) {
        c.x = j->x + n * x_img;
        c.dy = j->dy + n * y_img;
        for (int64_t t = t0; t < t1; t++)
            bwd_w_tile_at(&c, t);
    }
}

/* ------------------------------------------- weight gradient by taps */

/* With several input channels (in_c >= CONV_TAP_MIN_CHANNELS) a tile stays
 * within one tap (kh, kw): R consecutive input channels from ci0 x nv
 * vectors of output channels. At output pixel (oh, ow) its x values are R
 * consecutive floats of input pixel (oh*stride_h - pad_top + kh,
 * ow*stride_w - pad_left + kw), at fixed offsets, and the pixels whose
 * window holds the tap form a rectangle (tap_outputs), so a tile never
 * meets padding: the mixed-tap tiles above gather a padded pixel's values
 * one by one, which on a 13 x 13 "same" layer is 28% of the pixels.
 *
 * Loops: images, then bands of output rows, then the thread's tiles, so a
 * band's dy (one cache line of it per pixel for a tile's 2 vectors) and
 * the x rows under it stay in the level-1 cache while the tiles pass over
 * them; a whole 13 x 13 x 64 dy is 43 KB, more than that cache. Per band a
 * tile loads its accumulators from dW and stores them back, so every dW
 * element sums its pixels in (n, oh, ow) order whatever the thread count
 * and band height. The bias gradient is summed by the part that owns each
 * chunk's first tile, over every pixel of the band. Below
 * CONV_TAP_MIN_CHANNELS a tap holds too few channels for its broadcasts to
 * pay for the dy loads, and the mixed-tap tiles run. */
#define CONV_TAP_MIN_CHANNELS 4

#if CONV_TAP_VECS != 2
#error "conv_simd.h dispatches tap-tile tails for CONV_TAP_VECS == 2"
#endif

typedef struct tap_ctx {
    const nnl_conv_shape *s;
    const float *x, *dy;  /* one image each */
    float *dw, *db;
    int64_t blocks;       /* channel blocks per tap: ceil(in_c / CONV_TAP_ROWS) */
    int64_t band0, band1; /* output rows of the band being summed */
} tap_ctx;

/* A tile: chunk of CONV_TAP_VECS channel vectors, tap (kh, kw), channel
 * block; in a thread's run the block varies fastest, then the tap. */
typedef struct tap_tile {
    int64_t chunk, kh, kw, block;
} tap_tile;

static tap_tile tap_tile_at(const tap_ctx *c, int64_t t)
{
    int64_t per_chunk = c->s->kernel_h * c->s->kernel_w * c->blocks, tap = t % per_chunk / c->blocks;
    tap_tile r = {t / per_chunk, tap / c->s->kernel_w, tap % c->s->kernel_w, t % c->blocks};
    return r;
}

static void tap_tile_next(const tap_ctx *c, tap_tile *t)
{
    if (++t->block < c->blocks)
        return;
    t->block = 0;
    if (++t->kw < c->s->kernel_w)
        return;
    t->kw = 0;
    if (++t->kh < c->s->kernel_h)
        return;
    t->kh = 0;
    t->chunk++;
}

/* R channels from ci0 of tap (kh, kw) x nv vectors from co, over the
 * band's pixels that the tap reaches. */
NNL_INLINE void tap_rows(const tap_ctx *c, int64_t kh, int64_t kw, int64_t ci0, int64_t co, int R,
                         int nv, int masked, vmask k)
{
    const nnl_conv_shape *s = c->s;
    int64_t oh0, oh1, ow0, ow1;
    tap_outputs(kh, s->stride_h, s->pad_top, s->in_h, s->out_h, &oh0, &oh1);
    tap_outputs(kw, s->stride_w, s->pad_left, s->in_w, s->out_w, &ow0, &ow1);
    oh0 = oh0 > c->band0 ? oh0 : c->band0;
    oh1 = oh1 < c->band1 ? oh1 : c->band1;
    if (oh0 >= oh1 || ow0 >= ow1)
        return;
    float *dwp = c->dw + ((kh * s->kernel_w + kw) * s->in_c + ci0) * s->out_c + co;
    vf acc[CONV_TAP_ROWS][CONV_TAP_VECS];
    for (int i = 0; i < R; i++)
        for (int v = 0; v < nv; v++)
            acc[i][v] = vf_load_tail(dwp + i * s->out_c + v * VL, last_masked(masked, v, nv), k);
    int64_t x_step = s->stride_w * s->in_c;
    for (int64_t oh = oh0; oh < oh1; oh++) {
        const float *xp = c->x + x_pixel(s, oh * s->stride_h - s->pad_top + kh,
                                         ow0 * s->stride_w - s->pad_left + kw) + ci0;
        const float *dyp = c->dy + (oh * s->out_w + ow0) * s->out_c + co;
        for (int64_t ow = ow0; ow < ow1; ow++, xp += x_step, dyp += s->out_c) {
            vf d[CONV_TAP_VECS];
            for (int v = 0; v < nv; v++)
                d[v] = vf_load_tail(dyp + v * VL, last_masked(masked, v, nv), k);
            for (int i = 0; i < R; i++) {
                vf xb = vf_set1(xp[i]);
                for (int v = 0; v < nv; v++)
                    acc[i][v] = vf_fmadd(xb, d[v], acc[i][v]);
            }
        }
    }
    for (int i = 0; i < R; i++)
        for (int v = 0; v < nv; v++)
            vf_store_tail(dwp + i * s->out_c + v * VL, last_masked(masked, v, nv), k, acc[i][v]);
}

/* db[co ..] += dy summed over every pixel of the band. */
NNL_INLINE void tap_bias(const tap_ctx *c, int64_t co, int nv, int masked, vmask k)
{
    const nnl_conv_shape *s = c->s;
    vf acc[CONV_TAP_VECS];
    for (int v = 0; v < nv; v++)
        acc[v] = vf_load_tail(c->db + co + v * VL, last_masked(masked, v, nv), k);
    const float *dyp = c->dy + c->band0 * s->out_w * s->out_c + co;
    for (int64_t p = c->band0 * s->out_w; p < c->band1 * s->out_w; p++, dyp += s->out_c)
        for (int v = 0; v < nv; v++)
            acc[v] = vf_add(acc[v], vf_load_tail(dyp + v * VL, last_masked(masked, v, nv), k));
    for (int v = 0; v < nv; v++)
        vf_store_tail(c->db + co + v * VL, last_masked(masked, v, nv), k, acc[v]);
}

/* One tile: a block of CONV_TAP_ROWS channels, or the last, narrower block
 * in pieces of 8, 4, 2 and 1; with the bias if it is its chunk's first. */
NNL_INLINE void tap_block(const tap_ctx *c, const tap_tile *t, int64_t co, int nv, int masked,
                          vmask k)
{
    int64_t ci = t->block * CONV_TAP_ROWS, left = c->s->in_c - ci;
    if (c->db && t->kh == 0 && t->kw == 0 && t->block == 0)
        tap_bias(c, co, nv, masked, k);
    if (left >= CONV_TAP_ROWS) {
        tap_rows(c, t->kh, t->kw, ci, co, CONV_TAP_ROWS, nv, masked, k);
        return;
    }
#if CONV_TAP_ROWS > 8
    if (left >= 8) {
        tap_rows(c, t->kh, t->kw, ci, co, 8, nv, masked, k);
        ci += 8, left -= 8;
    }
#endif
    if (left >= 4) {
        tap_rows(c, t->kh, t->kw, ci, co, 4, nv, masked, k);
        ci += 4, left -= 4;
    }
    if (left >= 2) {
        tap_rows(c, t->kh, t->kw, ci, co, 2, nv, masked, k);
        ci += 2, left -= 2;
    }
    if (left >= 1)
        tap_rows(c, t->kh, t->kw, ci, co, 1, nv, masked, k);
}

/* The chunk's channel vectors: two, or the last chunk's one and/or masked. */
static void tap_tile_run(const tap_ctx *c, const tap_tile *t)
{
    int64_t co = t->chunk * CONV_TAP_VECS * VL, left = c->s->out_c - co;
    if (left >= 2 * VL)
        tap_block(c, t, co, 2, 0, vmask_first(VL));
    else if (left > VL)
        tap_block(c, t, co, 2, 1, vmask_first(left - VL));
    else if (left == VL)
        tap_block(c, t, co, 1, 0, vmask_first(VL));
    else
        tap_block(c, t, co, 1, 1, vmask_first(left));
}

typedef struct tap_job {
    tap_ctx c; /* x and dy point at image 0 */
    const float *x, *dy;
    int64_t tiles, band_rows;
} tap_job;

/* A fixed range of tiles, over every image and band in order. */
static void tap_part(void *arg, int part, int parts)
{
    const tap_job *j = arg;
    const nnl_conv_shape *s = j->c.s;
    int64_t x_img = s->in_h * s->in_w * s->in_c, y_img = s->out_h * s->out_w * s->out_c, t0, t1;
    nnl_parallel_share(j->tiles, 1, part, parts, &t0, &t1);
    tap_ctx c = j->c;
    tap_tile first = tap_tile_at(&c, t0);
    for (int64_t n = 0; n < s->batch; n++) {
        c.x = j->x + n * x_img;
        c.dy = j->dy + n * y_img;
        for (c.band0 = 0; c.band0 < s->out_h; c.band0 = c.band1) {
            c.band1 = c.band0 + j->band_rows < s->out_h ? c.band0 + j->band_rows : s->out_h;
            tap_tile t = first;
            for (int64_t i = t0; i < t1; i++, tap_tile_next(&c, &t))
                tap_tile_run(&c, &t);
        }
    }
}

/* Output rows per band: as many as a chunk's dy (one line of CONV_TAP_VECS
 * vectors per pixel) and the x rows under them fill the level-1 data
 * cache with, at least one. Each tile pays its setup and its dW loads and
 * stores once per band, so short bands cost too: on the 13 x 27 x 32 -> 64
 * layer of the multi-label model, one thread, AVX2 on a Zen 3, half the
 * cache (1 row) ran at 46-56 GFLOP/s, the whole cache (5 rows) at 60-65,
 * twice the cache or whole images at 53-62 (8 alternated runs each). */
static int64_t tap_band_rows(const nnl_conv_shape *s)
{
    int64_t budget = nnl_cpu_caches_get()->l1d;
    int64_t x_row = s->in_w * s->in_c * (int64_t)sizeof(float);
    int64_t per_row = s->out_w * CONV_TAP_VECS * VL * (int64_t)sizeof(float) + s->stride_h * x_row;
    int64_t fixed = (s->kernel_h > s->stride_h ? s->kernel_h - s->stride_h : 0) * x_row;
    int64_t rows = (budget - fixed) / per_row;
    return rows < 1 ? 1 : rows;
}

static void backward_weights_by_taps(const nnl_conv_shape *s, const float *x, const float *dy,
                                     float *dw, float *db, int threads)
{
    tap_job j = {{.s = s, .dw = dw, .db = db}, x, dy, 0, tap_band_rows(s)};
    j.c.blocks = (s->in_c + CONV_TAP_ROWS - 1) / CONV_TAP_ROWS;
    int64_t chunks = (s->out_c + CONV_TAP_VECS * VL - 1) / (CONV_TAP_VECS * VL);
    j.tiles = chunks * s->kernel_h * s->kernel_w * j.c.blocks;
    nnl_parallel_run(j.tiles < threads ? (int)j.tiles : threads, tap_part, &j);
}

void SIMD_FN(conv2d_backward_weights)(const nnl_conv_shape *s, const float *x, const float *dy,
                                      float *dw, float *db, int threads)
{
    if (s->in_c >= CONV_TAP_MIN_CHANNELS) {
        backward_weights_by_taps(s, x, dy, dw, db, threads);
        return;
    }
    bwd_w_ctx c = {.s = s, .dw = dw, .db = db, .rows = s->kernel_h * s->kernel_w * s->in_c};
    c.row_blocks = (c.rows + CONV_BWD_ROWS - 1) / CONV_BWD_ROWS;
    window_interior(s->stride_h, s->pad_top, s->kernel_h, s->in_h, s->out_h, &c.oh0, &c.oh1);
    window_interior(s->stride_w, s->pad_left, s->kernel_w, s->in_w, s->out_w, &c.ow0, &c.ow1);
    /* Wide chunks reuse each dy load for more FMAs; narrow ones make enough
     * tiles for every thread (the MNIST layer: 9 rows x 32 channels). */
    c.nv_max = CONV_BWD_VECS;
    int64_t tiles = c.row_blocks * ((s->out_c + c.nv_max * VL - 1) / (c.nv_max * VL));
    if (c.nv_max > 1 && tiles < threads) {
        c.nv_max = 1;
        tiles = c.row_blocks * ((s->out_c + VL - 1) / VL);
    }
    bwd_w_job j = {c, x, dy, tiles};
    nnl_parallel_run(tiles < threads ? (int)tiles : threads, bwd_w_part, &j);
}

/* ----------------------------------------------------------- input gradient */

/* The input gradient as forward convolutions over dy. Along one axis,
 * input index i = phase + stride*a receives dy from the taps
 * k = r + stride*m (m < taps) with r = (phase + pad) mod stride, at output
 * a + q - m with q = (phase + pad - r) / stride. So the inputs of one
 * phase (ph, pw) form a stride-1 convolution of dy with the phase's taps,
 * turned by 180 degrees and with the channel axes swapped,
 *
 *   dx[ph + s_h a, pw + s_w b, ci] = sum over m', n', co of
 *       dy[a - (taps_h-1-q_h) + m', b - (taps_w-1-q_w) + n', co]
 *     * w[r_h + s_h (taps_h-1-m'), r_w + s_w (taps_w-1-n'), ci, co]
 *
 * which the forward kernel runs with vectors across input channels and no
 * horizontal sums. (A gather, dx[ih, iw, ci] as dot products of w and dy
 * rows over the taps reaching it, reduced every dx element across a
 * vector: 28-39 GFLOP/s on one thread of a Zen 3 for a 32 -> 64-channel
 * layer where this runs at 33-61, and 26 against 55 with stride 2.) Stride
 * 1 is one phase: the whole kernel turned. */
typedef struct dx_axis {
    int64_t first_tap, taps; /* r and the number of taps k = r + stride*m < kernel */
    int64_t pad;             /* taps - 1 - q: the phase convolution's padding */
    int64_t inputs;          /* input indices phase, phase + stride, ... < in */
} dx_axis;

static dx_axis dx_axis_of(int64_t phase, int64_t stride, int64_t pad, int64_t kernel, int64_t in)
{
    dx_axis a;
    a.first_tap = (phase + pad) % stride;
    a.taps = a.first_tap < kernel ? (kernel - a.first_tap + stride - 1) / stride : 0;
    a.pad = a.taps - 1 - (phase + pad - a.first_tap) / stride;
    a.inputs = phase < in ? (in - phase + stride - 1) / stride : 0;
    return a;
}

/* Whether the padding of every phase that has taps is one the forward
 * takes, 0 or more (with stride 1: unless the padding is a kernel's size or
 * more). */
static int axis_phases_fit(int64_t stride, int64_t pad, int64_t kernel, int64_t in)
{
    for (int64_t p = 0; p < stride; p++) {
        dx_axis a = dx_axis_of(p, stride, pad, kernel, in);
        if (a.taps > 0 && a.pad < 0)
            return 0;
    }
    return 1;
}

/* The phase's taps of w, turned and with the channels swapped:
 * turned[m', n', co, ci]. */
static void turn_phase_taps(const nnl_conv_shape *s, const dx_axis *h, const dx_axis *v, const float *w,
                            float *turned)
{
    for (int64_t m = 0; m < h->taps; m++)
        for (int64_t n = 0; n < v->taps; n++) {
            int64_t kh = h->first_tap + s->stride_h * (h->taps - 1 - m);
            int64_t kw = v->first_tap + s->stride_w * (v->taps - 1 - n);
            const float *src = w + (kh * s->kernel_w + kw) * s->in_c * s->out_c;
            float *dst = turned + (m * v->taps + n) * s->out_c * s->in_c;
            for (int64_t ci = 0; ci < s->in_c; ci++)
                for (int64_t co = 0; co < s->out_c; co++)
                    dst[co * s->in_c + ci] = src[ci * s->out_c + co];
        }
}

/* dx at the inputs of phase (ph, pw), which no tap reaches: zero. */
static void zero_phase(const nnl_conv_shape *s, int64_t ph, int64_t pw, const dx_axis *h, const dx_axis *v,
                       float *dx)
{
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t a = 0; a < h->inputs; a++)
            for (int64_t b = 0; b < v->inputs; b++) {
                float *p = dx + ((n * s->in_h + ph + a * s->stride_h) * s->in_w + pw + b * s->stride_w) * s->in_c;
                memset(p, 0, (size_t)s->in_c * sizeof(float));
            }
}

static void backward_input_phase(const nnl_conv_shape *s, int64_t ph, int64_t pw, const float *dy,
                                 const float *w, float *turned, float *dx, int threads)
{
    dx_axis h = dx_axis_of(ph, s->stride_h, s->pad_top, s->kernel_h, s->in_h);
    dx_axis v = dx_axis_of(pw, s->stride_w, s->pad_left, s->kernel_w, s->in_w);
    if (h.inputs == 0 || v.inputs == 0)
        return;
    if (h.taps == 0 || v.taps == 0) {
        zero_phase(s, ph, pw, &h, &v, dx);
        return;
    }
    turn_phase_taps(s, &h, &v, w, turned);
    nnl_conv_shape f = {s->batch, s->out_h, s->out_w, s->out_c, h.inputs, v.inputs, s->in_c,
                        h.taps, v.taps, 1, 1, h.pad, v.pad};
    forward_into(&f, dy, turned, NULL, dx + (ph * s->in_w + pw) * s->in_c, s->in_h * s->in_w * s->in_c,
                 s->stride_h * s->in_w * s->in_c, s->stride_w * s->in_c, threads);
}

/* Where a phase's padding would be negative (padding of a kernel's size or
 * more, which no layer makes) or no buffer for the turned taps can be had,
 * the scalar oracle runs: slower, the same result. */
void SIMD_FN(conv2d_backward_input)(const nnl_conv_shape *s, const float *dy, const float *w,
                                    float *dx, int threads)
{
    nnl_pooled_buffer *turned = NULL;
    if (axis_phases_fit(s->stride_h, s->pad_top, s->kernel_h, s->in_h) &&
        axis_phases_fit(s->stride_w, s->pad_left, s->kernel_w, s->in_w))
        turned = nnl_buffer_acquire((size_t)(s->kernel_h * s->kernel_w * s->in_c * s->out_c));
    if (!turned) {
        nnl_conv2d_backward_input_scalar(s, dy, w, dx, threads);
        return;
    }
    for (int64_t ph = 0; ph < s->stride_h; ph++)
        for (int64_t pw = 0; pw < s->stride_w; pw++)
            backward_input_phase(s, ph, pw, dy, w, turned->data, dx, threads);
    nnl_buffer_release(turned);
}
