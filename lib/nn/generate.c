/* nnl_model_generate(): incremental decoding of any causal stack over token
 * ids. The layers run on the new positions only (nnl_forward_ctx.time and
 * .pos); attention layers keep the keys and values of earlier positions in
 * their buffers of a workspace that lives for the call. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/threads.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/sampling.h"

static nnl_status check_causal(const nnl_layer *l, const char *who)
{
    int causal = l->ops->is_causal ? l->ops->is_causal(l) : (l->ops->flags & NNL_LAYER_CAUSAL) != 0;
    if (!causal)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: a %s layer cannot generate: every layer must be causal "
                         "(position t sees only positions <= t)", who, l->ops->type);
    for (int i = 0; i < l->num_children; i++)
        NNL_TRY(check_causal(l->children[i], who));
    return NNL_OK;
}

/* The model takes (T,) token ids and outputs (T, vocab) through causal layers. */
static nnl_status check_model(const nnl_model *m, const char *who)
{
    int ndim;
    const int64_t *dims;
    nnl_model_out_shape(m, &ndim, &dims);
    if (m->num_layers == 0 || m->in_ndim != 1 || ndim != 2 || dims[0] != m->in_dims[0])
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the model must map (T,) token ids to (T, vocab) logits", who);
    for (int i = 0; i < m->num_layers; i++)
        NNL_TRY(check_causal(m->layers[i], who));
    return NNL_OK;
}

static nnl_status check_options(const nnl_generate_options *o, const char *who)
{
    if (o->max_tokens < 0 || !(o->temperature >= 0.0f && o->temperature < 1e30f) || o->top_k < 0 ||
        !(o->top_p > 0.0f && o->top_p <= 1.0f))
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: max_tokens=%lld temperature=%g top_k=%lld top_p=%g: need max_tokens >= 0, "
                         "temperature >= 0, top_k >= 0, top_p in (0, 1]",
                         who, (long long)o->max_tokens, (double)o->temperature, (long long)o->top_k,
                         (double)o->top_p);
    return NNL_OK;
}

struct nnl_decoder {
    const nnl_model *m;
    int tail;              /* layers[tail..] are position-wise: they run on the last position only */
    nnl_workspace *ws;     /* buffers of layers[0..tail), attention caches included */
    nnl_workspace *tail_ws;/* buffers of layers[tail..] */
    int64_t T, V, pos;     /* context length, vocabulary, positions in the caches */
    float *ids;            /* (T) the tokens in the caches, as the embedding takes them */
    nnl_candidate *cands;  /* (V) */
};

nnl_status nnl_decoder_create(nnl_decoder **out, const nnl_model *m, const char *who)
{
    *out = NULL;
    NNL_TRY(check_model(m, who));
    nnl_decoder *d = nnl_alloc_zeroed(sizeof *d);
    if (!d)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the decoder", who);
    int ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(m, &ndim, &out_dims);
    d->m = m;
    d->tail = m->num_layers;
    while (d->tail > 1 && (m->layers[d->tail - 1]->ops->flags & NNL_LAYER_POSITIONWISE))
        d->tail--;
    d->T = m->in_dims[0];
    d->V = out_dims[1];
    d->ids = nnl_alloc(sizeof(float) * (size_t)d->T);
    d->cands = nnl_alloc(sizeof(nnl_candidate) * (size_t)d->V);
    nnl_status s = d->ids && d->cands ? nnl_workspace_create(&d->ws, d->tail)
                                      : nnl_error(NNL_E_NOMEM, "%s: cannot allocate the decoder", who);
    if (s == NNL_OK)
        s = nnl_workspace_create(&d->tail_ws, m->num_layers - d->tail);
    if (s != NNL_OK) {
        nnl_decoder_free(d);
        return s;
    }
    *out = d;
    return NNL_OK;
}

void nnl_decoder_free(nnl_decoder *d)
{
    if (!d)
        return;
    nnl_workspace_free(d->ws);
    nnl_workspace_free(d->tail_ws);
    nnl_dealloc(d->ids);
    nnl_dealloc(d->cands);
    nnl_dealloc(d);
}

void nnl_decoder_reset(nnl_decoder *d) { d->pos = 0; }

int64_t nnl_decoder_position(const nnl_decoder *d) { return d->pos; }

/* Run ids[pos .. pos + n) through the layers; *logits (V) are the last
 * one's. Only the last position's logits are sampled from, so the
 * position-wise tail of the stack (the final layernorm and the output layer,
 * by far the widest) runs on that position alone: a prompt or a window
 * refill of n tokens costs one position's head, not n. */
static nnl_status run_positions(nnl_decoder *d, int64_t n, const float **logits)
{
    nnl_tensor *x, *last = NULL;
    const int64_t dims[2] = {1, n};
    NNL_TRY(nnl_tensor_wrap(&x, 2, dims, d->ids + d->pos));
    const nnl_forward_ctx ctx = {.time = n, .pos = d->pos}, tail_ctx = {.time = 1, .pos = d->pos + n - 1};
    const nnl_tensor *y;
    nnl_status s = nnl_sequence_forward(d->m->layers, d->tail, d->ws, x, &ctx, &y);
    if (s == NNL_OK && d->tail < d->m->num_layers) {
        int64_t last_dims[NNL_MAX_DIMS];
        memcpy(last_dims, y->dims, sizeof(int64_t) * (size_t)y->ndim);
        last_dims[1] = 1;
        const int64_t row = y->size / n;
        s = nnl_tensor_wrap(&last, y->ndim, last_dims, y->data + (n - 1) * row);
        if (s == NNL_OK)
            s = nnl_sequence_forward(d->m->layers + d->tail, d->m->num_layers - d->tail, d->tail_ws, last,
                                     &tail_ctx, &y);
    }
    nnl_tensor_free(last);
    nnl_tensor_free(x);
    NNL_TRY(s);
    d->pos += n;
    *logits = y->data + (y->size / d->V - 1) * d->V;
    return NNL_OK;
}

nnl_status nnl_decoder_feed(nnl_decoder *d, const int32_t *tokens, int64_t n, const float **logits)
{
    if (n < 1 || d->pos + n > d->T)
        return nnl_error(NNL_E_INVALID_ARG, "decoder: %lld tokens at position %lld past the context of %lld",
                         (long long)n, (long long)d->pos, (long long)d->T);
    for (int64_t i = 0; i < n; i++)
        d->ids[d->pos + i] = (float)tokens[i];
    return run_positions(d, n, logits);
}

/* Append a token, first sliding the window when the context is full: the
 * newer half is kept and fed again from position 0. */
static nnl_status push_token(nnl_decoder *d, int32_t token, const float **logits)
{
    if (d->pos == d->T) {
        int64_t keep = d->T / 2;
        memmove(d->ids, d->ids + d->T - keep, sizeof(float) * (size_t)keep);
        d->pos = 0;
        if (keep > 0)
            NNL_TRY(run_positions(d, keep, logits));
    }
    return nnl_decoder_feed(d, &token, 1, logits);
}

static nnl_status decode(nnl_decoder *d, const int32_t *prompt, int64_t length, const nnl_generate_options *o,
                         nnl_token_fn on_token, void *user)
{
    /* A prompt longer than the context keeps its last T tokens. */
    int64_t first = length > d->T ? length - d->T : 0;
    const float *logits;
    NNL_TRY(nnl_decoder_feed(d, prompt + first, length - first, &logits));
    nnl_rng rng;
    nnl_rng_seed(&rng, o->seed, 3);
    for (int64_t i = 0; i < o->max_tokens; i++) {
        int32_t token = nnl_sample_token(logits, d->V, o->temperature, o->top_k, o->top_p, &rng, d->cands);
        if (on_token(token, user) != 0 || i + 1 == o->max_tokens)
            break;
        NNL_TRY(push_token(d, token, &logits));
    }
    return NNL_OK;
}

nnl_status nnl_model_generate(const nnl_model *model, const int32_t *prompt, int64_t length,
                              const nnl_generate_options *options, nnl_token_fn on_token, void *user)
{
    static const char who[] = "nnl_model_generate";
    NNL_CHECK_PTR(who, model);
    NNL_CHECK_PTR(who, prompt);
    NNL_CHECK_PTR(who, on_token);
    nnl_generate_options o = NNL_GENERATE_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_generate_options, NNL_GENERATE_OPTIONS_INIT, NNL_GENERATE_OPTIONS_MIN_SIZE, &o,
                                 options, who));
    NNL_TRY(check_options(&o, who));
    if (length < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: the prompt is empty (length=%lld)", who, (long long)length);
    nnl_decoder *d;
    NNL_TRY(nnl_decoder_create(&d, model, who));
    nnl_status s = decode(d, prompt, length, &o, on_token, user);
    nnl_decoder_free(d);
    return nnl_error_in(s, who);
}
