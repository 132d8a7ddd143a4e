/* Throughput of the non-GEMM kernels at every SIMD level this machine runs,
 * on the shapes of the two target workloads: the MNIST CNN at batch 32 and
 * the baby GPT's softmax cross-entropy over 768 tokens x 6000 characters.
 *
 * Each case runs enough calls for about 10 ms per repetition and reports the
 * median repetition, and the fastest one as best_ns (on a machine shared with
 * other jobs the fastest is the better estimate of the kernel alone). Output:
 * key=value lines, one per case and level, rates from the median:
 *
 *   op=conv_fwd shape=mnist level=avx512 threads=2 ns_per_call=... best_ns=... ns_per_image=... gflops=...
 *
 * op=lstm_cell_forward ... gru_cell_backward are one recurrent time step at
 * rows=16, H=128 and 256 (the fused cells of recurrent.c).
 *
 * op=add_bias and op=sum_rows are an output layer's bias and its gradient
 * over rows x vocabulary logits (the char-RNN's 1024 x 5965, the GPT's
 * 768 x 6000), with gbytes_per_s, the rate at which they read the logits.
 *
 * op=matvec is one generated token's output layer (the GPT's 5,965 x 128
 * tied head), with gbytes_per_s, the rate at which it reads the weights.
 *
 * The convolutions: the MNIST CNN's layer (shape=mnist), a 32 -> 64-channel
 * 3x3 layer (13x13x32to64), and the same with stride 2 as a network
 * downsamples (16x16x32to64s2), whose input gradient runs in 4 phases.
 *
 * op=conv_fwd_im2col is the alternative the direct conv was measured against
 * (im2col into a buffer, then the level's sgemm on one thread); see conv.c.
 *
 * Usage: kernels [--reps N] [--threads N] [--level NAME]
 *   threads: the library's thread count (nnl_set_num_threads), default all
 *   cores; convolutions also run on one thread. level: scalar, avx2, ...
 *   (default every level). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlite.h"
#include "kernels/kernels.h"

static int reps = 7;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc_or_die(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "kernels: out of memory\n");
        exit(1);
    }
    return p;
}

static float *random_floats(int64_t count, uint32_t seed)
{
    float *x = alloc_or_die((size_t)count * sizeof(float));
    for (int64_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / 8388608.0f - 1.0f;
    }
    return x;
}

/* A case: a function of `ctx` timed as a whole call. */
typedef void (*bench_fn)(const void *ctx);

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Seconds per call: the median and the fastest repetition. */
typedef struct timing {
    double median, best;
} timing;

static timing time_call(bench_fn fn, const void *ctx)
{
    fn(ctx); /* warm caches and the thread pool */
    double t0 = now_seconds();
    fn(ctx);
    double once = now_seconds() - t0;
    int64_t calls = once > 0 ? (int64_t)(0.01 / once) + 1 : 1000;
    double per_call[64];
    int n = reps < 64 ? reps : 64;
    for (int r = 0; r < n; r++) {
        t0 = now_seconds();
        for (int64_t i = 0; i < calls; i++)
            fn(ctx);
        per_call[r] = (now_seconds() - t0) / (double)calls;
    }
    qsort(per_call, (size_t)n, sizeof(double), cmp_double);
    return (timing){per_call[n / 2], per_call[0]};
}

/* ---------------------------------------------------------------- conv */

typedef struct conv_case {
    const nnl_kernels *k;
    nnl_conv_shape s;
    const float *x, *w, *bias, *dy;
    float *y, *dw, *db, *dx, *col;
    int threads;
} conv_case;

static void run_conv_fwd(const void *p)
{
    const conv_case *c = p;
    c->k->conv2d_forward(&c->s, c->x, c->w, c->bias, c->y, c->threads);
}

static void run_conv_bwd_w(const void *p)
{
    const conv_case *c = p;
    c->k->conv2d_backward_weights(&c->s, c->x, c->dy, c->dw, c->db, c->threads);
}

static void run_conv_bwd_x(const void *p)
{
    const conv_case *c = p;
    c->k->conv2d_backward_input(&c->s, c->dy, c->w, c->dx, c->threads);
}

/* The alternative to the direct forward: copy each image's windows into
 * col [pixels, K] (zeros for padding), then Y = col * W + bias with the
 * level's sgemm on one thread (bias added by the first GEMM's beta). */
static void run_conv_im2col(const void *p)
{
    const conv_case *c = p;
    const nnl_conv_shape *s = &c->s;
    int64_t kk = s->kernel_h * s->kernel_w * s->in_c, pixels = s->out_h * s->out_w;
    for (int64_t n = 0; n < s->batch; n++) {
        const float *x = c->x + n * s->in_h * s->in_w * s->in_c;
        float *col = c->col;
        for (int64_t oh = 0; oh < s->out_h; oh++)
            for (int64_t ow = 0; ow < s->out_w; ow++)
                for (int64_t kh = 0; kh < s->kernel_h; kh++)
                    for (int64_t kw = 0; kw < s->kernel_w; kw++, col += s->in_c) {
                        int64_t ih = oh * s->stride_h - s->pad_top + kh;
                        int64_t iw = ow * s->stride_w - s->pad_left + kw;
                        if (ih < 0 || ih >= s->in_h || iw < 0 || iw >= s->in_w)
                            memset(col, 0, (size_t)s->in_c * sizeof(float));
                        else
                            memcpy(col, x + (ih * s->in_w + iw) * s->in_c, (size_t)s->in_c * sizeof(float));
                    }
        float *y = c->y + n * pixels * s->out_c;
        for (int64_t i = 0; i < pixels; i++)
            memcpy(y + i * s->out_c, c->bias, (size_t)s->out_c * sizeof(float));
        c->k->sgemm(0, 0, pixels, s->out_c, kk, 1.0f, c->col, kk, c->w, s->out_c, 1.0f, y, s->out_c, 1);
    }
}

static void report_conv(const char *op, const char *shape, const conv_case *c, bench_fn fn)
{
    const nnl_conv_shape *s = &c->s;
    double flops = 2.0 * (double)(s->batch * s->out_h * s->out_w * s->out_c) *
                   (double)(s->kernel_h * s->kernel_w * s->in_c);
    timing t = time_call(fn, c);
    printf("op=%s shape=%s level=%s threads=%d ns_per_call=%.0f best_ns=%.0f ns_per_image=%.0f "
           "gflops=%.1f\n",
           op, shape, nnl_simd_name(c->k->level), c->threads, t.median * 1e9, t.best * 1e9,
           t.median * 1e9 / (double)s->batch, flops / t.median * 1e-9);
}

static void bench_conv_at(conv_case *c, const char *shape, int threads, int with_input_grad)
{
    c->threads = threads;
    report_conv("conv_fwd", shape, c, run_conv_fwd);
    report_conv("conv_bwd_weights", shape, c, run_conv_bwd_w);
    if (with_input_grad)
        report_conv("conv_bwd_input", shape, c, run_conv_bwd_x);
}

static void bench_conv(const nnl_kernels *k, const char *shape, nnl_conv_shape s, int threads,
                       int with_input_grad)
{
    int64_t xn = s.batch * s.in_h * s.in_w * s.in_c, yn = s.batch * s.out_h * s.out_w * s.out_c;
    int64_t wn = s.kernel_h * s.kernel_w * s.in_c * s.out_c;
    conv_case c = {k, s, random_floats(xn, 1), random_floats(wn, 2), random_floats(s.out_c, 3),
                   random_floats(yn, 4), random_floats(yn, 5), random_floats(wn, 6),
                   random_floats(s.out_c, 7), random_floats(xn, 8),
                   random_floats(s.out_h * s.out_w * s.kernel_h * s.kernel_w * s.in_c, 9), 1};
    bench_conv_at(&c, shape, threads, with_input_grad);
    if (threads > 1)
        bench_conv_at(&c, shape, 1, with_input_grad);
    c.threads = 1;
    report_conv("conv_fwd_im2col", shape, &c, run_conv_im2col);
    free((void *)c.x), free((void *)c.w), free((void *)c.bias), free((void *)c.dy);
    free(c.y), free(c.dw), free(c.db), free(c.dx), free(c.col);
}

/* ---------------------------------------------------------------- pool */

typedef struct pool_case {
    const nnl_kernels *k;
    nnl_conv_shape s;
    const float *x, *dy;
    float *y, *dx;
    int32_t *argmax;
} pool_case;

static void run_maxpool_fwd(const void *p)
{
    const pool_case *c = p;
    c->k->maxpool_forward(&c->s, c->x, c->y, c->argmax);
}

static void run_maxpool_bwd(const void *p)
{
    const pool_case *c = p;
    c->k->maxpool_backward(&c->s, c->dy, c->argmax, c->dx);
}

static void bench_pool(const nnl_kernels *k)
{
    nnl_conv_shape s = {32, 26, 26, 32, 13, 13, 32, 2, 2, 2, 2, 0, 0};
    int64_t xn = s.batch * s.in_h * s.in_w * s.in_c, yn = s.batch * s.out_h * s.out_w * s.out_c;
    pool_case c = {k, s, random_floats(xn, 1), random_floats(yn, 2), random_floats(yn, 3),
                   random_floats(xn, 4), alloc_or_die((size_t)yn * sizeof(int32_t))};
    run_maxpool_fwd(&c);
    timing tf = time_call(run_maxpool_fwd, &c), tb = time_call(run_maxpool_bwd, &c);
    printf("op=maxpool_fwd shape=mnist level=%s threads=%d ns_per_call=%.0f best_ns=%.0f ns_per_image=%.0f\n",
           nnl_simd_name(k->level), nnl_get_num_threads(), tf.median * 1e9, tf.best * 1e9,
           tf.median * 1e9 / (double)s.batch);
    printf("op=maxpool_bwd shape=mnist level=%s threads=%d ns_per_call=%.0f best_ns=%.0f ns_per_image=%.0f\n",
           nnl_simd_name(k->level), nnl_get_num_threads(), tb.median * 1e9, tb.best * 1e9,
           tb.median * 1e9 / (double)s.batch);
    free((void *)c.x), free((void *)c.dy), free(c.y), free(c.dx), free(c.argmax);
}

/* ------------------------------------------------------------- softmax */

typedef struct xent_case {
    const nnl_kernels *k;
    int64_t rows, cols;
    const float *logits;
    int32_t *labels;
    float *probs, *dlogits;
} xent_case;

static void run_xent(const void *p)
{
    const xent_case *c = p;
    c->k->softmax_xent(c->rows, c->cols, c->logits, c->labels, 1.0f / (float)c->rows, c->probs,
                       c->dlogits, NULL);
}

static void bench_xent(const nnl_kernels *k, int64_t rows, int64_t cols, int with_probs)
{
    xent_case c = {k, rows, cols, random_floats(rows * cols, 1),
                   alloc_or_die((size_t)rows * sizeof(int32_t)),
                   with_probs ? random_floats(rows * cols, 2) : NULL, random_floats(rows * cols, 3)};
    for (int64_t r = 0; r < rows; r++)
        c.labels[r] = (int32_t)((r * 7919) % cols);
    timing t = time_call(run_xent, &c);
    printf("op=softmax_xent shape=%lldx%lld probs=%s level=%s threads=%d ns_per_call=%.0f "
           "best_ns=%.0f ns_per_row=%.1f\n",
           (long long)rows, (long long)cols, with_probs ? "yes" : "no", nnl_simd_name(k->level),
           nnl_get_num_threads(), t.median * 1e9, t.best * 1e9, t.median * 1e9 / (double)rows);
    free((void *)c.logits), free(c.labels), free(c.probs), free(c.dlogits);
}

/* ------------------------------------------------------- elementwise */

typedef struct elem_case {
    const nnl_kernels *k;
    int64_t n;
    nnl_act_kind kind;
    float *a, *b, *c, *d;
} elem_case;

static void run_act_fwd(const void *p)
{
    const elem_case *e = p;
    e->k->act_forward(e->kind, e->n, e->a, e->b);
}

static void run_act_bwd(const void *p)
{
    const elem_case *e = p;
    e->k->act_backward(e->kind, e->n, e->a, e->b, e->c, e->d);
}

static void run_adam(const void *p)
{
    const elem_case *e = p;
    e->k->adam_update(e->n, e->a, e->b, e->c, e->d, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.01f, 0.0f, 1.0f);
}

static void bench_elementwise(const nnl_kernels *k)
{
    static const char *const names[] = {"relu", "sigmoid", "tanh", "gelu"};
    int64_t n = 32 * 26 * 26 * 32; /* the MNIST conv output at batch 32 */
    elem_case e = {k, n, NNL_ACT_KIND_RELU, random_floats(n, 1), random_floats(n, 2),
                   random_floats(n, 3), random_floats(n, 4)};
    for (int kind = 0; kind < 4; kind++) {
        e.kind = (nnl_act_kind)kind;
        timing tf = time_call(run_act_fwd, &e), tb = time_call(run_act_bwd, &e);
        printf("op=act_fwd kind=%s n=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f "
               "ns_per_elem=%.3f\n",
               names[kind], (long long)n, nnl_simd_name(k->level), nnl_get_num_threads(), tf.median * 1e9, tf.best * 1e9,
               tf.median * 1e9 / (double)n);
        printf("op=act_bwd kind=%s n=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f "
               "ns_per_elem=%.3f\n",
               names[kind], (long long)n, nnl_simd_name(k->level), nnl_get_num_threads(), tb.median * 1e9, tb.best * 1e9,
               tb.median * 1e9 / (double)n);
    }
    free(e.a), free(e.b), free(e.c), free(e.d);

    int64_t params = 693962; /* the MNIST CNN */
    elem_case a = {k, params, NNL_ACT_KIND_RELU, random_floats(params, 5), random_floats(params, 6),
                   random_floats(params, 7), random_floats(params, 8)};
    for (int64_t i = 0; i < params; i++)
        a.d[i] = a.d[i] * a.d[i]; /* v >= 0 */
    timing t = time_call(run_adam, &a);
    printf("op=adam_update n=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f gbytes_per_s=%.1f\n",
           (long long)params, nnl_simd_name(k->level), nnl_get_num_threads(), t.median * 1e9, t.best * 1e9,
           (double)params * 28.0 / t.median * 1e-9);
    free(a.a), free(a.b), free(a.c), free(a.d);
}

/* --------------------------------------------------------- recurrent */

/* One time step of the fused LSTM/GRU cells at a training batch of 16
 * sequences. The LSTM forward rewrites its gates in place, so repeated calls
 * see activations of activations: values stay in (-1, 1), the same work.
 * The LSTM backward's time includes restoring its in/out dc (a copy of n
 * floats), which would otherwise shrink by f every call into subnormals. */
typedef struct rnn_case {
    const nnl_kernels *k;
    int64_t rows, H;
    float *gates, *gi, *gh, *prev, *c, *h, *tanh_c, *dh, *dc, *dgates, *dgh, *dprev, *dc_next;
} rnn_case;

static void run_lstm_fwd(const void *p)
{
    const rnn_case *e = p;
    e->k->lstm_cell_forward(e->rows, e->H, e->gates, e->prev, e->c, e->h, e->tanh_c);
}

static void run_lstm_bwd(const void *p)
{
    const rnn_case *e = p;
    memcpy(e->dc, e->dc_next, (size_t)(e->rows * e->H) * sizeof(float)); /* dc is in/out */
    e->k->lstm_cell_backward(e->rows, e->H, e->gates, e->prev, e->tanh_c, e->dh, e->dc, e->dgates);
}

static void run_gru_fwd(const void *p)
{
    const rnn_case *e = p;
    e->k->gru_cell_forward(e->rows, e->H, e->gi, e->gh, e->prev, e->h, e->gates);
}

static void run_gru_bwd(const void *p)
{
    const rnn_case *e = p;
    e->k->gru_cell_backward(e->rows, e->H, e->gates, e->gh, e->prev, e->dh, e->dgates, e->dgh, e->dprev);
}

static void bench_recurrent(const nnl_kernels *k, int64_t rows, int64_t H)
{
    int64_t n = rows * H;
    rnn_case e = {k, rows, H, random_floats(4 * n, 11), random_floats(3 * n, 12), random_floats(3 * n, 13),
                  random_floats(n, 14), random_floats(n, 15), random_floats(n, 16), random_floats(n, 17),
                  random_floats(n, 18), random_floats(n, 19), random_floats(4 * n, 20), random_floats(3 * n, 21),
                  random_floats(n, 22), random_floats(n, 23)};
    static const char *const names[] = {"lstm_cell_forward", "lstm_cell_backward", "gru_cell_forward",
                                        "gru_cell_backward"};
    static const bench_fn fns[] = {run_lstm_fwd, run_lstm_bwd, run_gru_fwd, run_gru_bwd};
    for (int op = 0; op < 4; op++) {
        if (op == 1)
            run_lstm_fwd(&e); /* the backward reads activations */
        if (op == 3)
            run_gru_fwd(&e);
        timing t = time_call(fns[op], &e);
        printf("op=%s rows=%lld H=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f ns_per_elem=%.3f\n",
               names[op], (long long)rows, (long long)H, nnl_simd_name(k->level), nnl_get_num_threads(),
               t.median * 1e9, t.best * 1e9, t.median * 1e9 / (double)n);
    }
    free(e.gates), free(e.gi), free(e.gh), free(e.prev), free(e.c), free(e.h), free(e.tanh_c), free(e.dh);
    free(e.dc), free(e.dgates), free(e.dgh), free(e.dprev), free(e.dc_next);
}

/* -------------------------------------------------------------- bias */

typedef struct bias_case {
    const nnl_kernels *k;
    int64_t rows, cols;
    float *y, *bias;
} bias_case;

static void run_add_bias(const void *p)
{
    const bias_case *b = p;
    b->k->add_bias(b->rows, b->cols, b->y, b->bias);
}

static void run_sum_rows(const void *p)
{
    const bias_case *b = p;
    b->k->sum_rows(b->rows, b->cols, b->y, b->bias);
}

static void bench_bias(const nnl_kernels *k, int64_t rows, int64_t cols)
{
    static const struct {
        const char *name;
        bench_fn fn;
    } ops[] = {{"add_bias", run_add_bias}, {"sum_rows", run_sum_rows}};
    bias_case b = {k, rows, cols, random_floats(rows * cols, 41), random_floats(cols, 42)};
    double gbytes = (double)(rows * cols) * 4.0 * 1e-9;
    for (int i = 0; i < 2; i++) {
        timing t = time_call(ops[i].fn, &b);
        printf("op=%s rows=%lld cols=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f gbytes_per_s=%.1f\n",
               ops[i].name, (long long)rows, (long long)cols, nnl_simd_name(k->level), nnl_get_num_threads(),
               t.median * 1e9, t.best * 1e9, gbytes / t.median);
    }
    free(b.y), free(b.bias);
}

/* ------------------------------------------------------------ matvec */

/* One generated token's output layer: logits (rows) = W (rows, cols) h, the
 * GPT's tied head (5,965 x 128 floats, 3 MB). Calls back to back, so W
 * stays in the caches it fits; gbytes_per_s = W's bytes over the time. */
typedef struct matvec_case {
    const nnl_kernels *k;
    int64_t rows, cols;
    const float *w, *x;
    float *y;
} matvec_case;

static void run_matvec(const void *p)
{
    const matvec_case *m = p;
    m->k->matvec(m->rows, m->cols, m->w, m->x, NULL, m->y);
}

static void bench_matvec(const nnl_kernels *k, int64_t rows, int64_t cols)
{
    float *w = random_floats(rows * cols, 31), *x = random_floats(cols, 32), *y = random_floats(rows, 33);
    matvec_case m = {k, rows, cols, w, x, y};
    timing t = time_call(run_matvec, &m);
    printf("op=matvec rows=%lld cols=%lld level=%s threads=%d ns_per_call=%.0f best_ns=%.0f gbytes_per_s=%.1f\n",
           (long long)rows, (long long)cols, nnl_simd_name(k->level), nnl_get_num_threads(), t.median * 1e9,
           t.best * 1e9, (double)(rows * cols) * 4.0 / t.median * 1e-9);
    free(w), free(x), free(y);
}

int main(int argc, char **argv)
{
    int threads = nnl_get_num_threads();
    const char *only_level = NULL;
    int bad = argc % 2 == 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--level") == 0)
            only_level = argv[i + 1];
        else
            bad = 1;
    }
    if (bad || reps < 1 || nnl_set_num_threads(threads) != NNL_OK) {
        fprintf(stderr, "usage: kernels [--reps N] [--threads N] [--level NAME]\n");
        return 2;
    }
    /* batch, in h w c, out h w c, kernel, stride, pad */
    nnl_conv_shape mnist = {32, 28, 28, 1, 26, 26, 32, 3, 3, 1, 1, 0, 0};
    nnl_conv_shape second = {32, 13, 13, 32, 13, 13, 64, 3, 3, 1, 1, 1, 1};
    nnl_conv_shape strided = {32, 16, 16, 32, 8, 8, 64, 3, 3, 2, 2, 0, 0}; /* "same", downsampling */
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k || (only_level && strcmp(only_level, nnl_simd_name(k->level)) != 0))
            continue;
        bench_conv(k, "mnist", mnist, threads, 0);
        bench_conv(k, "13x13x32to64", second, threads, 1);
        bench_conv(k, "16x16x32to64s2", strided, threads, 1);
        bench_pool(k);
        bench_xent(k, 768, 6000, 0);
        bench_xent(k, 768, 6000, 1);
        bench_xent(k, 32, 10, 1);
        bench_elementwise(k);
        bench_recurrent(k, 16, 128);
        bench_recurrent(k, 16, 256);
        bench_bias(k, 1024, 5965);
        bench_bias(k, 768, 6000);
        bench_matvec(k, 5965, 128);
    }
    return 0;
}
