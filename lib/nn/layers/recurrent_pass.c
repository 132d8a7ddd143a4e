/* One direction of a recurrent layer through time, forward and backward.
 *
 * Forward, with every tensor time-major (rows t * B + b):
 *   pre (T B, GH) = xt W_ih^T + b_ih (+ b_hh but for the GRU)   one GEMM for all steps
 *   each step t, from h_prev (B, H) (and c_prev):
 *     tanh   a = pre_t + h_prev W_hh^T;         h_t = tanh(a)
 *     LSTM   a = pre_t + h_prev W_hh^T;         lstm_cell_forward -> gates, c_t, h_t
 *     GRU    gh_t = h_prev W_hh^T + b_hh;       gru_cell_forward(pre_t, gh_t) -> gates, h_t
 * Backward, the steps in reverse, dh = dL/dh_t from above + from the next step:
 *     tanh   da = dh (1 - h_t^2);                      dh_prev = da W_hh
 *     LSTM   lstm_cell_backward -> dgates, dc_prev;    dh_prev = dgates W_hh
 *     GRU    gru_cell_backward -> dgi, dgh, dh z;      dh_prev = dh z + dgh W_hh
 *   then for all steps at once: dW_ih += dpre^T xt, dW_hh += dgh^T hprev
 *   (dgh = dpre but for the GRU), the biases the row sums, dxt += dpre W_ih.
 * The per-step GEMMs have B rows. Their B operand is W_hh^T, transposed
 * into p->w_hh_t once per pass (once per generation) so that the GEMM reads it in place at every step
 * (a transposed operand would be packed anew at each of the T steps, and
 * generation's one-row steps could not take the few-row path); the GEMMs
 * over all steps are ordinary ones.
 *
 * Threads. The sequences of a batch never meet inside a pass, so the steps
 * run as one parallel region per pass: each part takes a contiguous share
 * of the batch's rows and runs all T steps on them, the per-step GEMMs and
 * cells on one thread. Handing out each step's small GEMM (B x GH x H, 2
 * MFLOP for the benchmark's LSTM) instead would cost a hand-off per step
 * and per kernel; this costs one per pass, and the parts never wait for
 * each other. The share depends only on B and the thread count, so the
 * results do too. */
#include <string.h>

#include "core/pool.h"
#include "nn/layers/recurrent.h"

/* A pass's steps run in parts of at least this many multiply-adds (one
 * part: the whole batch on the calling thread), so that a generation's
 * single step and a tiny batch do not pay for a parallel region. */
#define MIN_STEP_WORK_PER_PART (1.0 * 1024 * 1024)

/* The rows [b0, b1) of every step, run by one part. */
typedef struct rnn_rows {
    const rnn_dims *d;
    const nnl_kernels *k;
    const rnn_pass *p;
    rnn_grads *g;     /* backward only */
    const float *dht; /* backward only */
    int64_t b0, b1;
} rnn_rows;

/* Parts for the steps of a pass: by the multiply-adds of its recurrent
 * products, at most one per row of the batch. */
static int step_parts(const rnn_dims *d, int threads)
{
    double work = (double)d->T * (double)d->B * (double)(d->G * d->H) * (double)d->H;
    int64_t parts = (int64_t)(work / MIN_STEP_WORK_PER_PART);
    if (parts > threads)
        parts = threads;
    if (parts > d->B)
        parts = d->B;
    return parts > 1 ? (int)parts : 1;
}

/* This part's copy of the job with its share of the batch's rows. */
static rnn_rows part_rows(const void *arg, int part, int parts)
{
    rnn_rows r = *(const rnn_rows *)arg;
    nnl_parallel_share(r.d->B, 1, part, parts, &r.b0, &r.b1);
    return r;
}

/* The state step s started from: the pass's initial state, or step s - 1's. */
static const float *prev_h(const rnn_dims *d, const rnn_pass *p, int64_t s)
{
    return s == 0 ? p->state_h : p->h + rnn_step_time(d, p, s - 1) * d->B * d->H;
}

static const float *prev_c(const rnn_dims *d, const rnn_pass *p, int64_t s)
{
    return s == 0 ? p->state_c : p->c + rnn_step_time(d, p, s - 1) * d->B * d->H;
}

/* w_hh_t (H, GH) = W_hh^T, W_hh (GH, H); walks W_hh row by row. */
void rnn_pass_transpose_w_hh(const rnn_dims *d, rnn_pass *p)
{
    const int64_t H = d->H, GH = d->G * d->H;
    for (int64_t g = 0; g < GH; g++)
        for (int64_t j = 0; j < H; j++)
            p->w_hh_t[j * GH + g] = p->w_hh[g * H + j];
}

/* Every step forward for the rows [r->b0, r->b1) of the batch. */
static void forward_rows(const rnn_rows *r)
{
    const rnn_dims *d = r->d;
    const nnl_kernels *k = r->k;
    const rnn_pass *p = r->p;
    const int64_t B = d->B, H = d->H, GH = d->G * d->H, b0 = r->b0, n = r->b1 - r->b0;
    for (int64_t s = 0; s < d->T; s++) {
        const int64_t t = rnn_step_time(d, p, s), row = t * B + b0;
        const float *h_prev = prev_h(d, p, s) + b0 * H;
        float *pre_t = p->pre + row * GH, *h_t = p->h + row * H;
        if (d->cell == RNN_CELL_GRU) {
            float *gh_t = p->gh + row * GH;
            k->sgemm(0, 0, n, GH, H, 1.0f, h_prev, H, p->w_hh_t, GH, 0.0f, gh_t, GH, 1);
            k->add_bias(n, GH, gh_t, p->b_hh);
            k->gru_cell_forward(n, H, pre_t, gh_t, h_prev, h_t, p->gates + row * GH);
            continue;
        }
        k->sgemm(0, 0, n, GH, H, 1.0f, h_prev, H, p->w_hh_t, GH, 1.0f, pre_t, GH, 1);
        if (d->cell == RNN_CELL_LSTM)
            k->lstm_cell_forward(n, H, pre_t, prev_c(d, p, s) + b0 * H, p->c + row * H, h_t, p->tanh_c + row * H);
        else
            k->act_forward(NNL_ACT_KIND_TANH, n * H, pre_t, h_t);
    }
}

static void forward_part(void *arg, int part, int parts)
{
    const rnn_rows r = part_rows(arg, part, parts);
    forward_rows(&r);
}

void rnn_pass_forward(const rnn_dims *d, const nnl_kernels *k, int threads, rnn_pass *p, const float *xt)
{
    const int64_t B = d->B, GH = d->G * d->H, rows = d->T * B;
    k->sgemm(0, 1, rows, GH, d->I, 1.0f, xt, d->I, p->w_ih, d->I, 0.0f, p->pre, GH, threads);
    k->add_bias(rows, GH, p->pre, p->b_ih);
    if (d->cell != RNN_CELL_GRU) /* b_hh is a plain sum here: add it for all steps at once */
        k->add_bias(rows, GH, p->pre, p->b_hh);
    rnn_rows r = {d, k, p, NULL, NULL, 0, 0};
    nnl_parallel_run(step_parts(d, threads), forward_part, &r);
}

/* One step back for the rows [r->b0, r->b1): dh = dL/dh_t in g->dh; writes
 * dpre_t (and dgh_t) and g->dnext = dL/dh_prev. */
static void step_backward(const rnn_rows *r, int64_t s)
{
    const rnn_dims *d = r->d;
    const nnl_kernels *k = r->k;
    const rnn_pass *p = r->p;
    rnn_grads *g = r->g;
    const int64_t B = d->B, H = d->H, GH = d->G * d->H, t = rnn_step_time(d, p, s);
    const int64_t b0 = r->b0, n = r->b1 - r->b0, row = t * B + b0;
    float *dpre_t = g->dpre + row * GH, *dh = g->dh + b0 * H, *dnext = g->dnext + b0 * H;
    const float *dhh_t = dpre_t; /* the gradient of the recurrent projection's output */
    float beta = 0.0f;
    switch (d->cell) {
    case RNN_CELL_TANH:
        k->act_backward(NNL_ACT_KIND_TANH, n * H, NULL, p->h + row * H, dh, dpre_t);
        break;
    case RNN_CELL_LSTM:
        k->lstm_cell_backward(n, H, p->pre + row * GH, prev_c(d, p, s) + b0 * H, p->tanh_c + row * H, dh,
                              g->dc + b0 * H, dpre_t);
        break;
    case RNN_CELL_GRU:
        k->gru_cell_backward(n, H, p->gates + row * GH, p->gh + row * GH, prev_h(d, p, s) + b0 * H, dh, dpre_t,
                             g->dgh + row * GH, dnext);
        dhh_t = g->dgh + row * GH;
        beta = 1.0f; /* dnext holds the direct path dh z */
        break;
    }
    k->sgemm(0, 0, n, H, GH, 1.0f, dhh_t, GH, p->w_hh, H, beta, dnext, H, 1);
}

/* Every step back, last first, for the rows [r->b0, r->b1). */
static void backward_rows(const rnn_rows *r)
{
    const rnn_dims *d = r->d;
    rnn_grads *g = r->g;
    const int64_t B = d->B, H = d->H, b0 = r->b0, floats = (r->b1 - r->b0) * H;
    float *dh = g->dh + b0 * H, *dnext = g->dnext + b0 * H;
    memset(dnext, 0, sizeof(float) * (size_t)floats);
    if (d->cell == RNN_CELL_LSTM)
        memset(g->dc + b0 * H, 0, sizeof(float) * (size_t)floats);
    for (int64_t s = d->T - 1; s >= 0; s--) {
        const int64_t row = rnn_step_time(d, r->p, s) * B + b0;
        for (int64_t i = 0; i < floats; i++)
            dh[i] = r->dht[row * H + i] + dnext[i];
        memcpy(g->hprev + row * H, prev_h(d, r->p, s) + b0 * H, sizeof(float) * (size_t)floats);
        step_backward(r, s);
    }
}

static void backward_part(void *arg, int part, int parts)
{
    const rnn_rows r = part_rows(arg, part, parts);
    backward_rows(&r);
}

void rnn_pass_backward(const rnn_dims *d, const nnl_kernels *k, int threads, const rnn_pass *p, const float *xt,
                       const float *dht, rnn_grads *g, float *dxt)
{
    const int64_t H = d->H, GH = d->G * d->H, rows = d->T * d->B;
    rnn_rows r = {d, k, p, g, dht, 0, 0};
    nnl_parallel_run(step_parts(d, threads), backward_part, &r);
    const float *dhh = d->cell == RNN_CELL_GRU ? g->dgh : g->dpre;
    k->sgemm(1, 0, GH, d->I, rows, 1.0f, g->dpre, GH, xt, d->I, 1.0f, p->dw_ih, d->I, threads);
    k->sum_rows(rows, GH, g->dpre, p->db_ih);
    k->sgemm(1, 0, GH, H, rows, 1.0f, dhh, GH, g->hprev, H, 1.0f, p->dw_hh, H, threads);
    k->sum_rows(rows, GH, dhh, p->db_hh);
    if (dxt)
        k->sgemm(0, 0, rows, d->I, GH, 1.0f, g->dpre, GH, p->w_ih, d->I, 1.0f, dxt, d->I, threads);
}
