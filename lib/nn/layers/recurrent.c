/* Recurrent layers: rnn (tanh), lstm, gru, over (T, I) inputs.
 *
 *   x {B, T, I} -> y {B, T, D H} (return_sequences) or {B, D H} (the final states),
 *   D = 2 when bidirectional: [forward | backward]
 *   per direction: weight_ih {GH, I}  weight_hh {GH, H}  bias_ih {GH}  bias_hh {GH}
 *                  [h0 {H}  c0 {H} when the initial state is learned]
 *
 * The steps themselves are recurrent_pass.c; this file holds the layer: its
 * configuration, parameters (PyTorch's names and layout), the time-major
 * buffers, the state a generation carries between calls (buf->cache), and
 * the three descriptors. Scratch (kept for the backward) per direction:
 * pre, gh, gates, c, tanh_c, h, state_h, state_c; plus xt, the input
 * time-major. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/options.h"
#include "core/threads.h"
#include "nn/layer.h"
#include "nn/layer_config.h"
#include "nn/layers/recurrent.h"

typedef struct rnn_config {
    rnn_cell cell;
    int64_t hidden;
    int return_sequences, bidirectional, learn_initial_state;
} rnn_config;

enum { W_IH, W_HH, B_IH, B_HH, H0, C0, PARAMS_PER_DIRECTION };
static const char *const param_names[2][PARAMS_PER_DIRECTION] = {
    {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "h0", "c0"},
    {"weight_ih_reverse", "weight_hh_reverse", "bias_ih_reverse", "bias_hh_reverse", "h0_reverse",
     "c0_reverse"},
};

static const rnn_config *config_of(const nnl_layer *l) { return l->state; }
static int directions(const rnn_config *c) { return c->bidirectional ? 2 : 1; }
static int gates_of(rnn_cell cell) { return cell == RNN_CELL_LSTM ? 4 : cell == RNN_CELL_GRU ? 3 : 1; }
static int states_of(const rnn_config *c) { return c->learn_initial_state ? (c->cell == RNN_CELL_LSTM ? 2 : 1) : 0; }
static int params_per_direction(const rnn_config *c) { return 4 + states_of(c); }

/* Parameter `which` of direction `dir` (NULL for an initial state that is not learned). */
static nnl_param *param(const nnl_layer *l, int dir, int which)
{
    const rnn_config *c = config_of(l);
    if (which >= H0 && which - H0 >= states_of(c))
        return NULL;
    return (nnl_param *)&l->params[dir * params_per_direction(c) + which];
}

static nnl_status rnn_build(nnl_layer *l, nnl_rng *init)
{
    const rnn_config *c = config_of(l);
    if (l->in_ndim != 2)
        return nnl_error(NNL_E_SHAPE, "%s: input must be (T, I) per sample, got %d dims", l->ops->type, l->in_ndim);
    const int64_t H = c->hidden, GH = gates_of(c->cell) * H, I = l->in_dims[1];
    l->out_ndim = c->return_sequences ? 2 : 1;
    l->out_dims[0] = c->return_sequences ? l->in_dims[0] : directions(c) * H;
    l->out_dims[1] = directions(c) * H;
    /* PyTorch's initialisation: every weight and bias U(-1/sqrt(H), 1/sqrt(H)). */
    const float bound = 1.0f / sqrtf((float)H);
    for (int dir = 0; dir < directions(c); dir++) {
        const int64_t w_ih[2] = {GH, I}, w_hh[2] = {GH, H};
        NNL_TRY(nnl_layer_add_param(l, param_names[dir][W_IH], 2, w_ih, 1, 1));
        NNL_TRY(nnl_layer_add_param(l, param_names[dir][W_HH], 2, w_hh, 1, 1));
        NNL_TRY(nnl_layer_add_param(l, param_names[dir][B_IH], 1, &GH, 1, 0));
        NNL_TRY(nnl_layer_add_param(l, param_names[dir][B_HH], 1, &GH, 1, 0));
        for (int s = 0; s < states_of(c); s++)
            NNL_TRY(nnl_layer_add_param(l, param_names[dir][H0 + s], 1, &H, 1, 0));
        for (int which = W_IH; which <= B_HH; which++)
            NNL_TRY(nnl_tensor_init_uniform(param(l, dir, which)->value, -bound, bound, nnl_rng_u32(init)));
    }
    return NNL_OK;
}

static rnn_dims dims_of(const nnl_layer *l, const nnl_tensor *x)
{
    const rnn_config *c = config_of(l);
    rnn_dims d = {c->cell, x->dims[0], x->dims[1], l->in_dims[1], c->hidden, gates_of(c->cell)};
    return d;
}

/* Floats of one direction's forward buffers, in the order pass_views lays them out. */
static int64_t pass_floats(const rnn_dims *d)
{
    const int64_t TB = d->T * d->B, GH = d->G * d->H, TBH = TB * d->H, BH = d->B * d->H;
    int64_t n = TB * GH + TBH + 2 * BH + d->H * GH; /* pre, h, state_h, state_c, w_hh_t */
    if (d->cell == RNN_CELL_GRU)
        n += 2 * TB * GH; /* gh, gates */
    if (d->cell == RNN_CELL_LSTM)
        n += 2 * TBH; /* c, tanh_c */
    return n;
}

/* Point a pass at direction dir's parameters and at its part of `base`. */
static void pass_views(const nnl_layer *l, const rnn_dims *d, int dir, float *base, rnn_pass *p)
{
    const int64_t TB = d->T * d->B, GH = d->G * d->H, TBH = TB * d->H, BH = d->B * d->H;
    memset(p, 0, sizeof *p);
    p->reverse = dir == 1;
    p->w_ih = param(l, dir, W_IH)->value->data;
    p->w_hh = param(l, dir, W_HH)->value->data;
    p->b_ih = param(l, dir, B_IH)->value->data;
    p->b_hh = param(l, dir, B_HH)->value->data;
    p->dw_ih = param(l, dir, W_IH)->grad->data;
    p->dw_hh = param(l, dir, W_HH)->grad->data;
    p->db_ih = param(l, dir, B_IH)->grad->data;
    p->db_hh = param(l, dir, B_HH)->grad->data;
    p->pre = base, base += TB * GH;
    p->h = base, base += TBH;
    p->state_h = base, base += BH;
    p->state_c = base, base += BH;
    p->w_hh_t = base, base += d->H * GH;
    if (d->cell == RNN_CELL_GRU) {
        p->gh = base, base += TB * GH;
        p->gates = base;
    }
    if (d->cell == RNN_CELL_LSTM) {
        p->c = base, base += TBH;
        p->tanh_c = base;
    }
}

/* The state before the first step: carried from the last call of a
 * generation (pos > 0), else the learned initial state or zeros. */
static void initial_state(const nnl_layer *l, const rnn_dims *d, int dir, const nnl_forward_ctx *ctx,
                          const nnl_tensor *cache, rnn_pass *p)
{
    const int64_t BH = d->B * d->H;
    if (ctx->time > 0 && ctx->pos > 0) {
        memcpy(p->state_h, cache->data, sizeof(float) * (size_t)BH);
        memcpy(p->state_c, cache->data + BH, sizeof(float) * (size_t)BH);
        return;
    }
    const nnl_param *h0 = param(l, dir, H0), *c0 = param(l, dir, C0);
    for (int64_t b = 0; b < d->B; b++) {
        float *h = p->state_h + b * d->H, *c = p->state_c + b * d->H;
        for (int64_t j = 0; j < d->H; j++) {
            h[j] = h0 ? h0->value->data[j] : 0.0f;
            c[j] = c0 ? c0->value->data[j] : 0.0f;
        }
    }
}

/* x {B, T, I} -> xt (T, B, I), and back (for dx). */
static void to_time_major(const float *x, float *xt, int64_t B, int64_t T, int64_t n)
{
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            memcpy(xt + (t * B + b) * n, x + (b * T + t) * n, sizeof(float) * (size_t)n);
}

static void to_batch_major(const float *xt, float *x, int64_t B, int64_t T, int64_t n)
{
    for (int64_t b = 0; b < B; b++)
        for (int64_t t = 0; t < T; t++)
            memcpy(x + (b * T + t) * n, xt + (t * B + b) * n, sizeof(float) * (size_t)n);
}

/* The step whose state is a direction's final one: the last it takes. */
static int64_t final_step(const rnn_dims *d, int dir) { return dir == 1 ? 0 : d->T - 1; }

/* h of direction dir (T, B, H) into y: every step, or the final state. */
static void write_output(const rnn_config *c, const rnn_dims *d, int dir, const float *h, float *y)
{
    const int64_t width = directions(c) * d->H;
    for (int64_t b = 0; b < d->B; b++) {
        if (!c->return_sequences) {
            memcpy(y + b * width + dir * d->H, h + (final_step(d, dir) * d->B + b) * d->H,
                   sizeof(float) * (size_t)d->H);
            continue;
        }
        for (int64_t t = 0; t < d->T; t++)
            memcpy(y + (b * d->T + t) * width + dir * d->H, h + (t * d->B + b) * d->H, sizeof(float) * (size_t)d->H);
    }
}

static nnl_status rnn_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                              const nnl_forward_ctx *ctx)
{
    const rnn_config *c = config_of(l);
    const rnn_dims d = dims_of(l, x);
    const int64_t xt_floats = d.T * d.B * d.I, per_dir = pass_floats(&d), BH = d.B * d.H;
    const int generating = ctx->time > 0;
    int64_t floats = xt_floats + directions(c) * per_dir, cache_floats = 2 * BH + d.H * d.G * d.H;
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, &floats, l->ops->type));
    if (generating) /* the state (h, c), then W_hh^T, kept across the calls of one generation */
        NNL_TRY(nnl_tensor_ensure(&buf->cache, 1, &cache_floats, l->ops->type));
    const nnl_kernels *k = nnl_kernels_active();
    float *xt = buf->scratch->data;
    to_time_major(x->data, xt, d.B, d.T, d.I);
    for (int dir = 0; dir < directions(c); dir++) {
        rnn_pass p;
        pass_views(l, &d, dir, xt + xt_floats + dir * per_dir, &p);
        if (generating)
            p.w_hh_t = buf->cache->data + 2 * BH;
        if (!generating || ctx->pos == 0)
            rnn_pass_transpose_w_hh(&d, &p);
        initial_state(l, &d, dir, ctx, buf->cache, &p);
        rnn_pass_forward(&d, k, nnl_threads_get(), &p, xt);
        write_output(c, &d, dir, p.h, buf->out->data);
        if (generating && dir == 0) { /* generation (one direction): the next call starts from here */
            const int64_t last = final_step(&d, dir) * d.B * d.H;
            memcpy(buf->cache->data, p.h + last, sizeof(float) * (size_t)BH);
            if (p.c)
                memcpy(buf->cache->data + BH, p.c + last, sizeof(float) * (size_t)BH);
        }
    }
    return NNL_OK;
}

/* dy into dht (T, B, H) of direction dir: every step's, or the final state's alone. */
static void read_output_grad(const rnn_config *c, const rnn_dims *d, int dir, const float *dy, float *dht)
{
    const int64_t width = directions(c) * d->H;
    if (!c->return_sequences) {
        memset(dht, 0, sizeof(float) * (size_t)(d->T * d->B * d->H));
        for (int64_t b = 0; b < d->B; b++)
            memcpy(dht + (final_step(d, dir) * d->B + b) * d->H, dy + b * width + dir * d->H,
                   sizeof(float) * (size_t)d->H);
        return;
    }
    for (int64_t b = 0; b < d->B; b++)
        for (int64_t t = 0; t < d->T; t++)
            memcpy(dht + (t * d->B + b) * d->H, dy + (b * d->T + t) * width + dir * d->H,
                   sizeof(float) * (size_t)d->H);
}

/* Backward scratch: dxt, then per direction (reused) dht, dpre, dgh, hprev, dnext, dc, dh. */
static float *grad_views(const rnn_dims *d, float *base, rnn_grads *g, float **dht)
{
    const int64_t TB = d->T * d->B, GH = d->G * d->H, BH = d->B * d->H;
    float *dxt = base;
    base += TB * d->I;
    *dht = base, base += TB * d->H;
    g->dpre = base, base += TB * GH;
    g->dgh = base, base += TB * GH;
    g->hprev = base, base += TB * d->H;
    g->dnext = base, base += BH;
    g->dc = base, base += BH;
    g->dh = base;
    return dxt;
}

/* A learned initial state gets the batch's sum of dL/d state. */
static void initial_state_grads(const nnl_layer *l, const rnn_dims *d, int dir, const rnn_grads *g,
                                const nnl_kernels *k)
{
    nnl_param *h0 = param(l, dir, H0), *c0 = param(l, dir, C0);
    if (h0)
        k->sum_rows(d->B, d->H, g->dnext, h0->grad->data);
    if (c0)
        k->sum_rows(d->B, d->H, g->dc, c0->grad->data);
}

static nnl_status rnn_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                               int need_dx)
{
    const rnn_config *c = config_of(l);
    const rnn_dims d = dims_of(l, x);
    const int64_t TB = d.T * d.B, GH = d.G * d.H, xt_floats = TB * d.I;
    int64_t floats = xt_floats + TB * d.H + 2 * TB * GH + TB * d.H + 3 * d.B * d.H;
    NNL_TRY(nnl_tensor_ensure(&buf->pre, 1, &floats, l->ops->type));
    const nnl_kernels *k = nnl_kernels_active();
    const float *xt = buf->scratch->data;
    rnn_grads g;
    float *dht, *dxt = grad_views(&d, buf->pre->data, &g, &dht);
    memset(dxt, 0, sizeof(float) * (size_t)xt_floats);
    for (int dir = 0; dir < directions(c); dir++) {
        rnn_pass p;
        pass_views(l, &d, dir, buf->scratch->data + xt_floats + dir * pass_floats(&d), &p);
        read_output_grad(c, &d, dir, dy->data, dht);
        rnn_pass_backward(&d, k, nnl_threads_get(), &p, xt, dht, &g, need_dx ? dxt : NULL);
        initial_state_grads(l, &d, dir, &g, k);
    }
    if (need_dx)
        to_batch_major(dxt, buf->dx->data, d.B, d.T, d.I);
    return NNL_OK;
}

static void rnn_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const rnn_config *c = config_of(l);
    nnl_strbuf_printf(json, ",\"hidden\":%lld,\"return_sequences\":%d,\"bidirectional\":%d,\"learn_initial_state\":%d",
                      (long long)c->hidden, c->return_sequences, c->bidirectional, c->learn_initial_state);
}

/* A generation runs one direction forward over new steps: not when bidirectional. */
static int rnn_is_causal(const nnl_layer *l)
{
    const rnn_config *c = config_of(l);
    return !c->bidirectional && c->return_sequences;
}

static nnl_status rnn_from_config(nnl_layer **out, nnl_layer_config_reader *r);

/* Three types, one implementation: the cell is in the configuration. */
const nnl_layer_ops nnl_layer_ops_rnn = {
    .type = "rnn", .from_config = rnn_from_config, .build = rnn_build, .forward = rnn_forward,
    .backward = rnn_backward, .write_config = rnn_write_config, .state_size = sizeof(rnn_config),
    .flags = NNL_LAYER_CAUSAL, .is_causal = rnn_is_causal};
const nnl_layer_ops nnl_layer_ops_lstm = {
    .type = "lstm", .from_config = rnn_from_config, .build = rnn_build, .forward = rnn_forward,
    .backward = rnn_backward, .write_config = rnn_write_config, .state_size = sizeof(rnn_config),
    .flags = NNL_LAYER_CAUSAL, .is_causal = rnn_is_causal};
const nnl_layer_ops nnl_layer_ops_gru = {
    .type = "gru", .from_config = rnn_from_config, .build = rnn_build, .forward = rnn_forward,
    .backward = rnn_backward, .write_config = rnn_write_config, .state_size = sizeof(rnn_config),
    .flags = NNL_LAYER_CAUSAL, .is_causal = rnn_is_causal};

static nnl_status rnn_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = nnl_config_read_int(r, "hidden", 0);
    o.return_sequences = (int)nnl_config_read_int(r, "return_sequences", 0);
    o.bidirectional = (int)nnl_config_read_int(r, "bidirectional", 0);
    o.learn_initial_state = (int)nnl_config_read_int(r, "learn_initial_state", 0);
    if (r->status != NNL_OK)
        return r->status;
    if (strcmp(r->type, "lstm") == 0)
        return nnl_layer_lstm(out, &o);
    return strcmp(r->type, "gru") == 0 ? nnl_layer_gru(out, &o) : nnl_layer_rnn(out, &o);
}

static nnl_status make(nnl_layer **out, const nnl_layer_ops *ops, rnn_cell cell, const nnl_rnn_options *options,
                       const char *who)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_rnn_options, NNL_RNN_OPTIONS_INIT, NNL_RNN_OPTIONS_MIN_SIZE, &o, options, who));
    if (o.hidden < 1 || o.hidden > (1 << 16) || (unsigned)o.return_sequences > 1 || (unsigned)o.bidirectional > 1 ||
        (unsigned)o.learn_initial_state > 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: hidden=%lld return_sequences=%d bidirectional=%d "
                         "learn_initial_state=%d: need hidden in 1..65536 and flags 0 or 1", who,
                         (long long)o.hidden, o.return_sequences, o.bidirectional, o.learn_initial_state);
    NNL_TRY(nnl_layer_new(out, ops, who));
    rnn_config *c = (*out)->state;
    *c = (rnn_config){cell, o.hidden, o.return_sequences, o.bidirectional, o.learn_initial_state};
    return NNL_OK;
}

nnl_status nnl_layer_rnn(nnl_layer **out, const nnl_rnn_options *options)
{
    return make(out, &nnl_layer_ops_rnn, RNN_CELL_TANH, options, "nnl_layer_rnn");
}

nnl_status nnl_layer_lstm(nnl_layer **out, const nnl_rnn_options *options)
{
    return make(out, &nnl_layer_ops_lstm, RNN_CELL_LSTM, options, "nnl_layer_lstm");
}

nnl_status nnl_layer_gru(nnl_layer **out, const nnl_rnn_options *options)
{
    return make(out, &nnl_layer_ops_gru, RNN_CELL_GRU, options, "nnl_layer_gru");
}
