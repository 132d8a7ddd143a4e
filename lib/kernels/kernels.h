/* Internal: the table of compute kernels for one SIMD level.
 *
 * Kernels are pure functions on raw float pointers and sizes: they know
 * nothing about handles, never allocate on their hot path and never fail
 * (callers validate shapes first). Each op family lives in lib/kernels/<op>.c
 * (scalar reference, the oracle) and <op>_<isa>.c (SIMD variants built with
 * their own compiler flags). The per-ISA functions are named
 * nnl_<op>_<isa>; dispatch.c assembles one table per level, falling back to
 * the scalar function where a level has no variant of its own.
 *
 * Layout conventions: row-major; images are NHWC (batch, height, width,
 * channels), as in Keras, so channels are contiguous and SIMD runs across
 * them; conv weights are HWIO (kh, kw, c_in, c_out).
 *
 * Threads: kernels with a `threads` argument use that many. The SIMD
 * activations, softmax, pooling, Adam and sum of squares have none and split
 * large calls (from 64k floats) over nnl_threads_get() threads of the
 * library's pool (parallel.h, core/pool.h). Results are deterministic for a given thread count. */
#ifndef NNL_KERNELS_KERNELS_H
#define NNL_KERNELS_KERNELS_H

#include <stdint.h>

#include "nnlite/runtime.h"

/* Geometry of a 2-D convolution or pooling window over NHWC tensors. */
typedef struct nnl_conv_shape {
    int64_t batch;
    int64_t in_h, in_w, in_c;
    int64_t out_h, out_w, out_c;   /* for pooling out_c == in_c */
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w;
    int64_t pad_top, pad_left;     /* zero padding before the first row/column */
} nnl_conv_shape;

/* Geometry of causal attention over one head (see attention.c):
 * q (tq, head_size) with row stride ld_q; k and v (tk, head_size) with row
 * stride ld_kv; out (tq, head_size) with row stride ld_out. Query i sits at
 * position tk - tq + i and attends to keys 0 .. tk - tq + i, so tq == tk is
 * a training sequence and tq == 1 one generation step over a KV cache. */
typedef struct nnl_attn_shape {
    int64_t tq, tk;            /* queries and keys, 1 <= tq <= tk */
    int64_t head_size;
    int64_t ld_q, ld_kv, ld_out;
    float scale;               /* usually 1 / sqrt(head_size) */
} nnl_attn_shape;

/* Elementwise activations. */
typedef enum nnl_act_kind {
    NNL_ACT_KIND_RELU,
    NNL_ACT_KIND_SIGMOID,
    NNL_ACT_KIND_TANH,
    NNL_ACT_KIND_GELU      /* tanh approximation, as GPT-2 */
} nnl_act_kind;

typedef struct nnl_kernels {
    nnl_simd level;

    /* C[M,N] = alpha * op(A) * op(B) + beta * C; see nnl_sgemm() in blas.h.
     * Single-threaded over the whole problem when called with threads=1;
     * gemm.c splits the work across threads. */
    void (*sgemm)(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                  int64_t ldc, int threads);

    /* y[n] = act(x[n]) (x == y allowed). */
    void (*act_forward)(nnl_act_kind kind, int64_t n, const float *x, float *y);
    /* dx[n] = dy[n] * act'(x) where x is the activation's input and y its
     * output (each activation uses whichever is cheaper: relu, sigmoid and
     * tanh read only y, gelu only x; the other may be NULL). dx == dy allowed. */
    void (*act_backward)(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                         const float *dy, float *dx);

    /* rows x cols: y[r, :] += bias[:] */
    void (*add_bias)(int64_t rows, int64_t cols, float *y, const float *bias);
    /* rows x cols: db[:] += sum_r dy[r, :] */
    void (*sum_rows)(int64_t rows, int64_t cols, const float *dy, float *db);

    /* Row-wise softmax: probs[r, :] = softmax(logits[r, :]) over `cols`. */
    void (*softmax)(int64_t rows, int64_t cols, const float *logits, float *probs);
    /* Fused softmax + cross-entropy with integer labels. For each row r:
     *   probs[r,:] = softmax(logits[r,:]); loss[r] = -log(probs[r, labels[r]]);
     *   dlogits[r,:] = (probs[r,:] - onehot(labels[r])) * scale   (if dlogits != NULL)
     * Returns the sum of loss[r]. probs may be NULL when not wanted (then
     * dlogits may alias logits). labels are in [0, cols). */
    double (*softmax_xent)(int64_t rows, int64_t cols, const float *logits, const int32_t *labels,
                           float scale, float *probs, float *dlogits);

    /* Convolution, NHWC x HWIO -> NHWC; y = conv(x, w) + bias (bias may be NULL). */
    void (*conv2d_forward)(const nnl_conv_shape *s, const float *x, const float *w,
                           const float *bias, float *y, int threads);
    /* dw += conv weight gradient; db += sum of dy over N,H,W (db may be NULL). */
    void (*conv2d_backward_weights)(const nnl_conv_shape *s, const float *x, const float *dy,
                                    float *dw, float *db, int threads);
    /* dx = input gradient (overwritten). */
    void (*conv2d_backward_input)(const nnl_conv_shape *s, const float *dy, const float *w,
                                  float *dx, int threads);

    /* Max pooling NHWC; argmax[i] is the flat input index chosen for output i. */
    void (*maxpool_forward)(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax);
    /* dx = 0 then dx[argmax[i]] += dy[i]. */
    void (*maxpool_backward)(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                             float *dx);
    /* Average pooling NHWC (padding cells count as zero, divisor kernel_h*kernel_w). */
    void (*avgpool_forward)(const nnl_conv_shape *s, const float *x, float *y);
    void (*avgpool_backward)(const nnl_conv_shape *s, const float *dy, float *dx);

    /* One fused Adam/AdamW step over n parameters:
     *   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;
     *   w -= lr * (m/bc1 / (sqrt(v/bc2) + eps) + wd * w)
     * bc1 = 1-b1^t and bc2 = 1-b2^t are the bias corrections; `grad_scale`
     * multiplies g first (gradient clipping). wd = 0 gives plain Adam. */
    void (*adam_update)(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                        float b1, float b2, float eps, float bc1, float bc2, float wd,
                        float grad_scale);
    /* Sum of squares of x[n], in double (for gradient norms). */
    double (*sum_squares)(int64_t n, const float *x);

    /* LayerNorm over rows x cols (x, out: rows x cols; weight, bias: cols;
     * mean, rstd: rows, saved for the backward, may be NULL at inference):
     *   out[r,:] = (x[r,:] - mean[r]) * rstd[r] * weight + bias */
    void (*layernorm_forward)(int64_t rows, int64_t cols, const float *x, const float *weight,
                              const float *bias, float eps, float *out, float *mean, float *rstd);
    /* Its backward: dx, dweight, dbias are added to (not overwritten). */
    void (*layernorm_backward)(int64_t rows, int64_t cols, const float *dout, const float *x,
                               const float *weight, const float *mean, const float *rstd,
                               float *dx, float *dweight, float *dbias);
    /* Causal attention of one head (shapes in nnl_attn_shape); lse (tq) receives
     * each query row's log-sum-exp of scaled scores (may be NULL at inference).
     * Memory stays O(head_size) whatever tk: scores are never stored whole. */
    void (*attention_forward)(const nnl_attn_shape *s, const float *q, const float *k,
                              const float *v, float *out, float *lse);
    /* Its backward from the saved out and lse: dq (stride ld_q), dk and dv
     * (stride ld_kv) are overwritten; dout has stride ld_out. */
    void (*attention_backward)(const nnl_attn_shape *s, const float *q, const float *k,
                               const float *v, const float *out, const float *lse,
                               const float *dout, float *dq, float *dk, float *dv);
    /* y (rows) = W (rows, cols) x (cols) + bias (rows, may be NULL): one token
     * through a linear layer (generation), W's rows streamed, single-threaded. */
    void (*matvec)(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                   float *y);
} nnl_kernels;

/* The table of the active level (nnl_simd_level()). */
const nnl_kernels *nnl_kernels_active(void);
/* The table of a given level, or NULL when this build/CPU cannot run it
 * (used by tests to compare every level with scalar). */
const nnl_kernels *nnl_kernels_for(nnl_simd level);

#endif
