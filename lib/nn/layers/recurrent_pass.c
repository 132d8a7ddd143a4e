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
 * over all steps are ordinary ones. */
#include <string.h>

#include "nn/layers/recurrent.h"

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

void rnn_pass_forward(const rnn_dims *d, const nnl_kernels *k, int threads, rnn_pass *p, const float *xt)
{
    const int64_t B = d->B, H = d->H, GH = d->G * d->H, rows = d->T * B;
    k->sgemm(0, 1, rows, GH, d->I, 1.0f, xt, d->I, p->w_ih, d->I, 0.0f, p->pre, GH, threads);
    k->add_bias(rows, GH, p->pre, p->b_ih);
    if (d->cell != RNN_CELL_GRU) /* b_hh is a plain sum here: add it for all steps at once */
        k->add_bias(rows, GH, p->pre, p->b_hh);
    for (int64_t s = 0; s < d->T; s++) {
        const int64_t t = rnn_step_time(d, p, s);
        const float *h_prev = prev_h(d, p, s);
        float *pre_t = p->pre + t * B * GH, *h_t = p->h + t * B * H;
        if (d->cell == RNN_CELL_GRU) {
            float *gh_t = p->gh + t * B * GH;
            k->sgemm(0, 0, B, GH, H, 1.0f, h_prev, H, p->w_hh_t, GH, 0.0f, gh_t, GH, threads);
            k->add_bias(B, GH, gh_t, p->b_hh);
            k->gru_cell_forward(B, H, pre_t, gh_t, h_prev, h_t, p->gates + t * B * GH);
            continue;
        }
        k->sgemm(0, 0, B, GH, H, 1.0f, h_prev, H, p->w_hh_t, GH, 1.0f, pre_t, GH, threads);
        if (d->cell == RNN_CELL_LSTM)
            k->lstm_cell_forward(B, H, pre_t, prev_c(d, p, s), p->c + t * B * H, h_t, p->tanh_c + t * B * H);
        else
            k->act_forward(NNL_ACT_KIND_TANH, B * H, pre_t, h_t);
    }
}

/* One step back: dh = dL/dh_t in g->dh; writes dpre_t (and dgh_t) and g->dnext = dL/dh_prev. */
static void step_backward(const rnn_dims *d, const nnl_kernels *k, int threads, const rnn_pass *p,
                          rnn_grads *g, int64_t s)
{
    const int64_t B = d->B, H = d->H, GH = d->G * d->H, t = rnn_step_time(d, p, s);
    float *dpre_t = g->dpre + t * B * GH;
    const float *dhh_t = dpre_t; /* the gradient of the recurrent projection's output */
    float beta = 0.0f;
    switch (d->cell) {
    case RNN_CELL_TANH:
        k->act_backward(NNL_ACT_KIND_TANH, B * H, NULL, p->h + t * B * H, g->dh, dpre_t);
        break;
    case RNN_CELL_LSTM:
        k->lstm_cell_backward(B, H, p->pre + t * B * GH, prev_c(d, p, s), p->tanh_c + t * B * H, g->dh, g->dc,
                              dpre_t);
        break;
    case RNN_CELL_GRU:
        k->gru_cell_backward(B, H, p->gates + t * B * GH, p->gh + t * B * GH, prev_h(d, p, s), g->dh, dpre_t,
                             g->dgh + t * B * GH, g->dnext);
        dhh_t = g->dgh + t * B * GH;
        beta = 1.0f; /* dnext holds the direct path dh z */
        break;
    }
    k->sgemm(0, 0, B, H, GH, 1.0f, dhh_t, GH, p->w_hh, H, beta, g->dnext, H, threads);
}

void rnn_pass_backward(const rnn_dims *d, const nnl_kernels *k, int threads, const rnn_pass *p, const float *xt,
                       const float *dht, rnn_grads *g, float *dxt)
{
    const int64_t B = d->B, H = d->H, GH = d->G * d->H, rows = d->T * B;
    memset(g->dnext, 0, sizeof(float) * (size_t)(B * H));
    if (d->cell == RNN_CELL_LSTM)
        memset(g->dc, 0, sizeof(float) * (size_t)(B * H));
    for (int64_t s = d->T - 1; s >= 0; s--) {
        const int64_t t = rnn_step_time(d, p, s);
        for (int64_t i = 0; i < B * H; i++)
            g->dh[i] = dht[t * B * H + i] + g->dnext[i];
        memcpy(g->hprev + t * B * H, prev_h(d, p, s), sizeof(float) * (size_t)(B * H));
        step_backward(d, k, threads, p, g, s);
    }
    const float *dhh = d->cell == RNN_CELL_GRU ? g->dgh : g->dpre;
    k->sgemm(1, 0, GH, d->I, rows, 1.0f, g->dpre, GH, xt, d->I, 1.0f, p->dw_ih, d->I, threads);
    k->sum_rows(rows, GH, g->dpre, p->db_ih);
    k->sgemm(1, 0, GH, H, rows, 1.0f, dhh, GH, g->hprev, H, 1.0f, p->dw_hh, H, threads);
    k->sum_rows(rows, GH, dhh, p->db_hh);
    if (dxt)
        k->sgemm(0, 0, rows, d->I, GH, 1.0f, g->dpre, GH, p->w_ih, d->I, 1.0f, dxt, d->I, threads);
}
