/* Internal: the recurrent layers (rnn, lstm, gru) of recurrent.c and one
 * direction's pass through time (recurrent_pass.c).
 *
 * Notation: B batch, T steps, I input size, H hidden size, G gates per step
 * (tanh 1, LSTM 4, GRU 3), GH = G * H. Inside a pass every tensor is
 * time-major, row t * B + b, so that one step's rows are contiguous for the
 * kernels. Parameters are PyTorch's: W_ih (GH, I), W_hh (GH, H), b_ih and
 * b_hh (GH), gate blocks LSTM i f g o, GRU r z n. */
#ifndef NNL_NN_LAYERS_RECURRENT_H
#define NNL_NN_LAYERS_RECURRENT_H

#include <stdint.h>

#include "kernels/kernels.h"

typedef enum rnn_cell { RNN_CELL_TANH, RNN_CELL_LSTM, RNN_CELL_GRU } rnn_cell;

/* The sizes of a pass. */
typedef struct rnn_dims {
    rnn_cell cell;
    int64_t B, T, I, H, G;
} rnn_dims;

/* One direction's tensors over a batch. */
typedef struct rnn_pass {
    int reverse;                       /* steps T-1 .. 0 */
    const float *w_ih, *w_hh, *b_ih, *b_hh;
    float *w_hh_t;   /* (H, GH) W_hh transposed (rnn_pass_transpose_w_hh) */
    float *dw_ih, *dw_hh, *db_ih, *db_hh;
    float *pre;      /* (T, B, GH) x W_ih^T + b_ih; tanh: + h W_hh^T + b_hh; LSTM: the gate activations */
    float *gh;       /* GRU (T, B, GH): h W_hh^T + b_hh */
    float *gates;    /* GRU (T, B, GH): r z n */
    float *c;        /* LSTM (T, B, H) cell states */
    float *tanh_c;   /* LSTM (T, B, H) */
    float *h;        /* (T, B, H) hidden states */
    float *state_h;  /* (B, H) the state before the first step */
    float *state_c;  /* LSTM (B, H) */
} rnn_pass;

/* The backward's scratch of a pass (reused by the next direction). */
typedef struct rnn_grads {
    float *dpre;     /* (T, B, GH) dL/d(pre-activations): tanh da, LSTM dgates, GRU dgi */
    float *dgh;      /* GRU (T, B, GH) */
    float *hprev;    /* (T, B, H) the state each step started from */
    float *dnext;    /* (B, H) dL/dh of the step before; after the pass dL/d state_h */
    float *dc;       /* LSTM (B, H) dL/dc; after the pass dL/d state_c */
    float *dh;       /* (B, H) */
} rnn_grads;

/* p->w_hh_t = W_hh^T: before rnn_pass_forward, whenever W_hh has changed
 * since it was last written. */
void rnn_pass_transpose_w_hh(const rnn_dims *d, rnn_pass *p);

/* Run every step of the pass over xt (T, B, I): fills pre, gh, gates, c,
 * tanh_c and h. */
void rnn_pass_forward(const rnn_dims *d, const nnl_kernels *k, int threads, rnn_pass *p, const float *xt);

/* Back through the steps from dht (T, B, H), dL/dh_t from above: adds the
 * parameter gradients and dxt (T, B, I) += dL/dx; leaves dL/d state in
 * g->dnext (and g->dc). */
void rnn_pass_backward(const rnn_dims *d, const nnl_kernels *k, int threads, const rnn_pass *p, const float *xt,
                       const float *dht, rnn_grads *g, float *dxt);

/* The step a pass takes at its s-th step, and the one it came from. */
static inline int64_t rnn_step_time(const rnn_dims *d, const rnn_pass *p, int64_t s)
{
    return p->reverse ? d->T - 1 - s : s;
}

#endif
