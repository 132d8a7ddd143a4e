/* The profiled kernel table: while the profiler runs, nnl_kernels_active()
 * returns this table, whose entries record a "kernel" event around the
 * active level's function (core/profile.h), with its floating-point
 * operations where they follow from the shapes. With the profiler off no
 * kernel pays anything but the one test in nnl_kernels_active(), and the
 * kernels themselves stay pure functions that know nothing of it.
 *
 * FLOPs counted (a multiply-add is 2):
 *   sgemm                m x n x k: 2mnk (alpha and beta not counted)
 *   conv2d_* (forward, weight and input gradient alike):
 *                        2 * batch * out_h * out_w * out_c * kernel_h * kernel_w * in_c
 *                        (padding cells included, as cuDNN and PyTorch count)
 *   matvec               rows x cols: 2 * rows * cols
 *   vecmat               k x n: 2 * k * n, the dense product's (rows skipped for zeros of x counted)
 *   attention_forward    4 * head_size * (query, key) pairs: scores and weighted values
 *   attention_backward   8 * head_size * pairs: dV, dP, dQ and dK
 * Elementwise and normalising kernels record 0 (not counted): their time
 * is memory traffic, and a FLOP rate would say nothing about them. */
#include <pthread.h>
#include <stdatomic.h>

#include "core/profile.h"
#include "kernels/kernels.h"

static const nnl_kernels *inner; /* the active level's table */
static nnl_kernels profiled;
static pthread_mutex_t fill_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(const nnl_kernels *) ready; /* &profiled once filled */

/* A kernel call as a profiler event: `call` between begin and end. */
#define TIMED(label, flops, call)                                                   \
    do {                                                                            \
        nnl_profile_begin(NNL_PROFILE_KERNEL, label, -1, NNL_PROFILE_NO_PHASE);     \
        call;                                                                       \
        nnl_profile_end(flops);                                                     \
    } while (0)

static double conv_flops(const nnl_conv_shape *s)
{
    return 2.0 * (double)s->batch * (double)s->out_h * (double)s->out_w * (double)s->out_c * (double)s->kernel_h *
           (double)s->kernel_w * (double)s->in_c;
}

/* (query, key) pairs a head computes: every key for a bidirectional head,
 * keys up to the query's position (tk - tq + i) for a causal one. */
static double attention_pairs(const nnl_attn_shape *s)
{
    double tq = (double)s->tq, tk = (double)s->tk;
    return s->bidirectional ? tq * tk : tq * (tk - tq) + tq * (tq + 1) / 2;
}

static void p_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                    int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int threads)
{
    TIMED("gemm", 2.0 * (double)m * (double)n * (double)k,
          inner->sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads));
}

static void p_act_forward(nnl_act_kind kind, int64_t n, const float *x, float *y)
{
    TIMED("act_forward", 0, inner->act_forward(kind, n, x, y));
}

static void p_act_backward(nnl_act_kind kind, int64_t n, const float *x, const float *y, const float *dy, float *dx)
{
    TIMED("act_backward", 0, inner->act_backward(kind, n, x, y, dy, dx));
}

static void p_add_bias(int64_t rows, int64_t cols, float *y, const float *bias)
{
    TIMED("add_bias", 0, inner->add_bias(rows, cols, y, bias));
}

static void p_sum_rows(int64_t rows, int64_t cols, const float *dy, float *db)
{
    TIMED("sum_rows", 0, inner->sum_rows(rows, cols, dy, db));
}

static void p_dropout_forward(int64_t n, uint64_t seed, float rate, const float *x, float *y, float *mask)
{
    TIMED("dropout_forward", 0, inner->dropout_forward(n, seed, rate, x, y, mask));
}

static void p_softmax(int64_t rows, int64_t cols, const float *logits, float *probs)
{
    TIMED("softmax", 0, inner->softmax(rows, cols, logits, probs));
}

static double p_softmax_xent(int64_t rows, int64_t cols, const float *logits, const int32_t *labels, float scale,
                             float *probs, float *dlogits, int64_t *correct)
{
    double loss;
    TIMED("softmax_xent", 0, loss = inner->softmax_xent(rows, cols, logits, labels, scale, probs, dlogits, correct));
    return loss;
}

static void p_conv2d_forward(const nnl_conv_shape *s, const float *x, const float *w, const float *bias, float *y,
                             int threads)
{
    TIMED("conv2d_forward", conv_flops(s), inner->conv2d_forward(s, x, w, bias, y, threads));
}

static void p_conv2d_backward_weights(const nnl_conv_shape *s, const float *x, const float *dy, float *dw, float *db,
                                      int threads)
{
    TIMED("conv2d_backward_weights", conv_flops(s), inner->conv2d_backward_weights(s, x, dy, dw, db, threads));
}

static void p_conv2d_backward_input(const nnl_conv_shape *s, const float *dy, const float *w, float *dx, int threads)
{
    TIMED("conv2d_backward_input", conv_flops(s), inner->conv2d_backward_input(s, dy, w, dx, threads));
}

static void p_maxpool_forward(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax)
{
    TIMED("maxpool_forward", 0, inner->maxpool_forward(s, x, y, argmax));
}

static void p_maxpool_backward(const nnl_conv_shape *s, const float *dy, const int32_t *argmax, float *dx)
{
    TIMED("maxpool_backward", 0, inner->maxpool_backward(s, dy, argmax, dx));
}

static void p_avgpool_forward(const nnl_conv_shape *s, const float *x, float *y)
{
    TIMED("avgpool_forward", 0, inner->avgpool_forward(s, x, y));
}

static void p_avgpool_backward(const nnl_conv_shape *s, const float *dy, float *dx)
{
    TIMED("avgpool_backward", 0, inner->avgpool_backward(s, dy, dx));
}

static void p_adam_update(int64_t n, float *w, const float *g, float *m, float *v, float lr, float b1, float b2,
                          float eps, float bc1, float bc2, float wd, float grad_scale)
{
    TIMED("adam_update", 0, inner->adam_update(n, w, g, m, v, lr, b1, b2, eps, bc1, bc2, wd, grad_scale));
}

static double p_sum_squares(int64_t n, const float *x)
{
    double sum;
    TIMED("sum_squares", 0, sum = inner->sum_squares(n, x));
    return sum;
}

static void p_layernorm_forward(int64_t rows, int64_t cols, const float *x, const float *weight, const float *bias,
                                float eps, float *out, float *mean, float *rstd)
{
    TIMED("layernorm_forward", 0, inner->layernorm_forward(rows, cols, x, weight, bias, eps, out, mean, rstd));
}

static void p_layernorm_backward(int64_t rows, int64_t cols, const float *dout, const float *x, const float *weight,
                                 const float *mean, const float *rstd, float *dx, float *dweight, float *dbias)
{
    TIMED("layernorm_backward", 0,
          inner->layernorm_backward(rows, cols, dout, x, weight, mean, rstd, dx, dweight, dbias));
}

static void p_attention_forward(const nnl_attn_shape *s, const float *q, const float *k, const float *v, float *out,
                                float *lse)
{
    TIMED("attention_forward", 4.0 * (double)s->head_size * attention_pairs(s),
          inner->attention_forward(s, q, k, v, out, lse));
}

static void p_attention_backward(const nnl_attn_shape *s, const float *q, const float *k, const float *v,
                                 const float *out, const float *lse, const float *dout, float *dq, float *dk,
                                 float *dv)
{
    TIMED("attention_backward", 8.0 * (double)s->head_size * attention_pairs(s),
          inner->attention_backward(s, q, k, v, out, lse, dout, dq, dk, dv));
}

static void p_matvec(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias, float *y)
{
    TIMED("matvec", 2.0 * (double)rows * (double)cols, inner->matvec(rows, cols, w, x, bias, y));
}

static void p_vecmat(int64_t k, int64_t n, const float *x, const float *w, float *y)
{
    TIMED("vecmat", 2.0 * (double)k * (double)n, inner->vecmat(k, n, x, w, y));
}

static void p_lstm_cell_forward(int64_t rows, int64_t H, float *gates, const float *c_prev, float *c, float *h,
                                float *tanh_c)
{
    TIMED("lstm_cell_forward", 0, inner->lstm_cell_forward(rows, H, gates, c_prev, c, h, tanh_c));
}

static void p_lstm_cell_backward(int64_t rows, int64_t H, const float *gates, const float *c_prev,
                                 const float *tanh_c, const float *dh, float *dc, float *dgates)
{
    TIMED("lstm_cell_backward", 0, inner->lstm_cell_backward(rows, H, gates, c_prev, tanh_c, dh, dc, dgates));
}

static void p_gru_cell_forward(int64_t rows, int64_t H, const float *gi, const float *gh, const float *h_prev,
                               float *h, float *gates)
{
    TIMED("gru_cell_forward", 0, inner->gru_cell_forward(rows, H, gi, gh, h_prev, h, gates));
}

static void p_gru_cell_backward(int64_t rows, int64_t H, const float *gates, const float *gh, const float *h_prev,
                                const float *dh, float *dgi, float *dgh, float *dh_prev)
{
    TIMED("gru_cell_backward", 0, inner->gru_cell_backward(rows, H, gates, gh, h_prev, dh, dgi, dgh, dh_prev));
}

/* Every op of ops.def is timed but gemm_tile (a query of constants) and
 * rbf_from_dots (the classic learners' SVM, which pass through). */
static void fill_profiled(void)
{
    profiled = *inner;
    profiled.sgemm = p_sgemm;
    profiled.act_forward = p_act_forward;
    profiled.act_backward = p_act_backward;
    profiled.add_bias = p_add_bias;
    profiled.sum_rows = p_sum_rows;
    profiled.dropout_forward = p_dropout_forward;
    profiled.softmax = p_softmax;
    profiled.softmax_xent = p_softmax_xent;
    profiled.conv2d_forward = p_conv2d_forward;
    profiled.conv2d_backward_weights = p_conv2d_backward_weights;
    profiled.conv2d_backward_input = p_conv2d_backward_input;
    profiled.maxpool_forward = p_maxpool_forward;
    profiled.maxpool_backward = p_maxpool_backward;
    profiled.avgpool_forward = p_avgpool_forward;
    profiled.avgpool_backward = p_avgpool_backward;
    profiled.adam_update = p_adam_update;
    profiled.sum_squares = p_sum_squares;
    profiled.layernorm_forward = p_layernorm_forward;
    profiled.layernorm_backward = p_layernorm_backward;
    profiled.attention_forward = p_attention_forward;
    profiled.attention_backward = p_attention_backward;
    profiled.matvec = p_matvec;
    profiled.vecmat = p_vecmat;
    profiled.lstm_cell_forward = p_lstm_cell_forward;
    profiled.lstm_cell_backward = p_lstm_cell_backward;
    profiled.gru_cell_forward = p_gru_cell_forward;
    profiled.gru_cell_backward = p_gru_cell_backward;
}

const nnl_kernels *nnl_kernels_profiled(const nnl_kernels *active)
{
    const nnl_kernels *table = atomic_load_explicit(&ready, memory_order_acquire);
    if (table)
        return table;
    pthread_mutex_lock(&fill_lock);
    if (!atomic_load_explicit(&ready, memory_order_relaxed)) {
        inner = active;
        fill_profiled();
        atomic_store_explicit(&ready, &profiled, memory_order_release);
    }
    pthread_mutex_unlock(&fill_lock);
    return &profiled;
}
