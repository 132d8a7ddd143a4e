/* GPT generation: incremental decoding with a key/value cache, sampling
 * (temperature, top-k, top-p) and the sliding window at the context limit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
#include "kernels/kernels.h"
#include "nn/gpt_internal.h"

struct gpt_generator {
    nnl_gpt *g;
    int64_t pos;             /* positions filled in the cache */
    float *block;            /* one allocation for every buffer below */
    float *k_cache, *v_cache;/* (L, block_size, C) keys and values of every position so far */
    float *x;                /* (block_size, C) residual stream of the tokens being fed */
    float *ln;               /* (block_size, C) */
    float *qkv;              /* (block_size, 3C) */
    float *atty;             /* (block_size, C) */
    float *tmp;              /* (block_size, C) */
    float *fch;              /* (block_size, 4C) */
    float *logits;           /* (V) */
};

nnl_status gpt_generator_create(gpt_generator **out, nnl_gpt *g)
{
    const int64_t L = g->L, T = g->T, C = g->C;
    gpt_generator *gen = nnl_alloc_zeroed(sizeof *gen);
    if (!gen)
        return nnl_error(NNL_E_NOMEM, "nnl_gpt_generate: cannot allocate the generator");
    int64_t floats = 2 * L * T * C + T * C * 4 + T * 3 * C + T * 4 * C + g->V;
    nnl_status st = nnl_alloc_floats(&gen->block, floats, "nnl_gpt_generate");
    if (st != NNL_OK) {
        nnl_dealloc(gen);
        return st;
    }
    float *p = gen->block;
    gen->k_cache = p, p += L * T * C;
    gen->v_cache = p, p += L * T * C;
    gen->x = p, p += T * C;
    gen->ln = p, p += T * C;
    gen->qkv = p, p += T * 3 * C;
    gen->atty = p, p += T * C;
    gen->tmp = p, p += T * C;
    gen->fch = p, p += T * 4 * C;
    gen->logits = p;
    gen->g = g;
    *out = gen;
    return NNL_OK;
}

void gpt_generator_free(gpt_generator *gen)
{
    if (!gen)
        return;
    nnl_dealloc(gen->block);
    nnl_dealloc(gen);
}

void gpt_generator_reset(gpt_generator *gen) { gen->pos = 0; }

int64_t gpt_generator_position(const gpt_generator *gen) { return gen->pos; }

/* out (n, oc) = inp (n, ic) @ w^T + bias. One token (the common case after
 * the prompt) streams w through dot products instead of a GEMM, which would
 * pack all of w for one row of output and wake threads for microseconds of work. */
static void linear(const nnl_kernels *k, float *out, const float *inp, const float *w, const float *bias,
                   int64_t n, int64_t ic, int64_t oc, int threads)
{
    if (n == 1) {
        k->matvec(oc, ic, w, inp, bias, out);
        return;
    }
    k->sgemm(0, 1, n, oc, ic, 1.0f, inp, ic, w, ic, 0.0f, out, oc, threads);
    if (bias)
        k->add_bias(n, oc, out, bias);
}

/* One block over n new tokens at positions pos0 .. pos0 + n - 1; x (n, C) in place. */
static void block_step(gpt_generator *gen, const nnl_kernels *k, int64_t l, int64_t n, int threads)
{
    const nnl_gpt *g = gen->g;
    const int64_t T = g->T, C = g->C, NH = g->NH, hs = C / NH, pos0 = gen->pos;
    const gpt_block_view *w = &g->w.blocks[l];
    float *kc = gen->k_cache + l * T * C, *vc = gen->v_cache + l * T * C;

    k->layernorm_forward(n, C, gen->x, w->t[GPT_LN1_W], w->t[GPT_LN1_B], 1e-5f, gen->ln, NULL, NULL);
    linear(k, gen->qkv, gen->ln, w->t[GPT_QKV_W], w->t[GPT_QKV_B], n, C, 3 * C, threads);
    /* The new keys and values join the cache at rows pos0 .. pos0 + n - 1. */
    for (int64_t i = 0; i < n; i++) {
        memcpy(kc + (pos0 + i) * C, gen->qkv + i * 3 * C + C, sizeof(float) * (size_t)C);
        memcpy(vc + (pos0 + i) * C, gen->qkv + i * 3 * C + 2 * C, sizeof(float) * (size_t)C);
    }
    /* n queries over pos0 + n cached keys, causally (query i at position pos0 + i). */
    const nnl_attn_shape s = {n, pos0 + n, hs, 3 * C, C, C, 1.0f / sqrtf((float)hs)};
    for (int64_t h = 0; h < NH; h++)
        k->attention_forward(&s, gen->qkv + h * hs, kc + h * hs, vc + h * hs, gen->atty + h * hs, NULL);
    linear(k, gen->tmp, gen->atty, w->t[GPT_ATTPROJ_W], w->t[GPT_ATTPROJ_B], n, C, C, threads);
    for (int64_t i = 0; i < n * C; i++)
        gen->x[i] += gen->tmp[i];

    k->layernorm_forward(n, C, gen->x, w->t[GPT_LN2_W], w->t[GPT_LN2_B], 1e-5f, gen->ln, NULL, NULL);
    linear(k, gen->fch, gen->ln, w->t[GPT_FC_W], w->t[GPT_FC_B], n, C, 4 * C, threads);
    k->act_forward(NNL_ACT_KIND_GELU, n * 4 * C, gen->fch, gen->fch);
    linear(k, gen->tmp, gen->fch, w->t[GPT_FCPROJ_W], w->t[GPT_FCPROJ_B], n, 4 * C, C, threads);
    for (int64_t i = 0; i < n * C; i++)
        gen->x[i] += gen->tmp[i];
}

const float *gpt_generator_feed(gpt_generator *gen, const int32_t *tokens, int64_t n)
{
    const nnl_gpt *g = gen->g;
    const nnl_kernels *k = nnl_kernels_active();
    /* One thread: a token is ~3 MFLOP and a prompt or window refill at most
     * block_size tokens, too little to share (with OpenMP's spinning workers
     * two threads made generation 7x slower under load). */
    const int threads = 1;
    const int64_t C = g->C;
    /* x (n, C) = wte[tokens] + wpe[pos0 + i] */
    for (int64_t i = 0; i < n; i++) {
        const float *te = g->w.wte + (int64_t)tokens[i] * C, *pe = g->w.wpe + (gen->pos + i) * C;
        for (int64_t c = 0; c < C; c++)
            gen->x[i * C + c] = te[c] + pe[c];
    }
    for (int64_t l = 0; l < g->L; l++)
        block_step(gen, k, l, n, threads);
    gen->pos += n;
    /* Only the last token's logits are needed: LN_f and the head on one row. */
    const float *last = gen->x + (n - 1) * C;
    k->layernorm_forward(1, C, last, g->w.lnf_w, g->w.lnf_b, 1e-5f, gen->ln, NULL, NULL);
    linear(k, gen->logits, gen->ln, g->w.wte, NULL, 1, C, g->V, threads);
    return gen->logits;
}

/* ------------------------------------------------------------ sampling */

typedef struct candidate {
    float value; /* logit, then probability */
    int32_t id;
} candidate;

static int by_value_desc(const void *a, const void *b)
{
    float x = ((const candidate *)a)->value, y = ((const candidate *)b)->value;
    if (x != y)
        return x < y ? 1 : -1;
    return ((const candidate *)a)->id - ((const candidate *)b)->id; /* deterministic ties */
}

/* Reorder c[0..n) so that its k largest values come first (quickselect). */
static void select_top(candidate *c, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        candidate pivot = c[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (by_value_desc(&c[i], &pivot) < 0)
                i++;
            while (by_value_desc(&c[j], &pivot) > 0)
                j--;
            if (i <= j) {
                candidate t = c[i];
                c[i++] = c[j];
                c[j--] = t;
            }
        }
        if (k - 1 <= j)
            hi = j;
        else if (k - 1 >= i)
            lo = i;
        else
            return;
    }
}

static int32_t sample_token(const float *logits, int64_t V, const nnl_gpt_generate_options *o, nnl_rng *rng,
                            candidate *c)
{
    if (o->temperature == 0.0f) {
        int64_t best = 0;
        for (int64_t i = 1; i < V; i++)
            if (logits[i] > logits[best])
                best = i;
        return (int32_t)best;
    }
    for (int64_t i = 0; i < V; i++)
        c[i] = (candidate){logits[i] / o->temperature, (int32_t)i};
    int64_t n = V;
    if (o->top_k > 0 && o->top_k < V) {
        select_top(c, V, o->top_k);
        n = o->top_k;
    }
    /* The sort makes the draw independent of the selection's order, and top-p needs it. */
    qsort(c, (size_t)n, sizeof *c, by_value_desc);
    float max = c[0].value;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        c[i].value = expf(c[i].value - max);
        total += c[i].value;
    }
    if (o->top_p < 1.0f) {
        double kept = 0.0;
        int64_t m = 0;
        while (m < n && kept < o->top_p * total)
            kept += c[m++].value;
        n = m;
        total = kept;
    }
    double u = (double)nnl_rng_uniform(rng) * total, acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        acc += c[i].value;
        if (u < acc)
            return c[i].id;
    }
    return c[n - 1].id;
}

/* ------------------------------------------------------------ public API */

static nnl_status check_generate_options(const nnl_gpt_generate_options *o, const char *who)
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

/* The prompt's ids (an empty prompt starts from a newline). */
static nnl_status encode_prompt(const nnl_gpt *g, const char *prompt, int32_t **ids, int64_t *n, const char *who)
{
    size_t len = strlen(prompt);
    NNL_TRY(nnl_error_in(nnl_tokenizer_encode(g->tokenizer, prompt, len, NNL_TEXT_STRICT, NULL, 0, n), who));
    *ids = nnl_alloc(sizeof(int32_t) * (size_t)(*n > 0 ? *n : 1));
    if (!*ids)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the prompt", who);
    if (*n == 0) {
        (*ids)[0] = nnl_tokenizer_lookup(g->tokenizer, '\n');
        *n = 1;
        return NNL_OK;
    }
    nnl_status st = nnl_tokenizer_encode(g->tokenizer, prompt, len, NNL_TEXT_STRICT, *ids, *n, n);
    if (st != NNL_OK) { /* out of memory while decoding again: the caller gets no ids */
        nnl_dealloc(*ids);
        *ids = NULL;
    }
    return nnl_error_in(st, who);
}

typedef struct generation {
    gpt_generator *gen;
    int32_t *context;   /* (block_size) the tokens in the cache */
    candidate *cands;   /* (V) */
} generation;

static void generation_free(generation *s)
{
    gpt_generator_free(s->gen);
    nnl_dealloc(s->context);
    nnl_dealloc(s->cands);
}

/* Feed one token, first sliding the window when the cache is full: the
 * newer half of the context is kept and re-encoded at positions from 0. */
static const float *feed_token(generation *s, int64_t T, int32_t token)
{
    int64_t pos = gpt_generator_position(s->gen);
    if (pos == T) {
        int64_t keep = T / 2;
        memmove(s->context, s->context + T - keep, sizeof(int32_t) * (size_t)keep);
        gpt_generator_reset(s->gen);
        if (keep > 0)
            gpt_generator_feed(s->gen, s->context, keep);
        pos = keep;
    }
    s->context[pos] = token;
    return gpt_generator_feed(s->gen, &token, 1);
}

nnl_status nnl_gpt_generate(nnl_gpt *gpt, const char *prompt, const nnl_gpt_generate_options *options,
                            nnl_gpt_token_fn on_token, void *user)
{
    static const char who[] = "nnl_gpt_generate";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, prompt);
    NNL_CHECK_PTR(who, on_token);
    nnl_gpt_generate_options full = NNL_GPT_GENERATE_OPTIONS_INIT; /* the caller's options at today's size */
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_generate_options, NNL_GPT_GENERATE_OPTIONS_INIT,
                                 NNL_GPT_GENERATE_OPTIONS_MIN_SIZE, &full, options, who));
    const nnl_gpt_generate_options *o = &full;
    NNL_TRY(check_generate_options(o, who));
    const int64_t T = gpt->T, V = gpt->V;

    int32_t *ids;
    int64_t n;
    NNL_TRY(encode_prompt(gpt, prompt, &ids, &n, who));
    generation s = {0};
    nnl_status st = gpt_generator_create(&s.gen, gpt);
    s.context = nnl_alloc(sizeof(int32_t) * (size_t)T);
    s.cands = nnl_alloc(sizeof(candidate) * (size_t)V);
    if (st == NNL_OK && (!s.context || !s.cands))
        st = nnl_error(NNL_E_NOMEM, "%s: cannot allocate the sampler", who);
    if (st != NNL_OK) {
        nnl_dealloc(ids);
        generation_free(&s);
        return st;
    }
    /* A prompt longer than the context keeps its last block_size tokens. */
    int64_t first = n > T ? n - T : 0;
    memcpy(s.context, ids + first, sizeof(int32_t) * (size_t)(n - first));
    nnl_dealloc(ids);
    const float *logits = gpt_generator_feed(s.gen, s.context, n - first);

    nnl_rng rng;
    nnl_rng_seed(&rng, o->seed, 3);
    for (int64_t i = 0; i < o->max_tokens; i++) {
        int32_t token = sample_token(logits, V, o, &rng, s.cands);
        if (on_token(gpt->tokenizer->pieces[token], token, user) != 0 || i + 1 == o->max_tokens)
            break;
        logits = feed_token(&s, T, token);
    }
    generation_free(&s);
    return NNL_OK;
}
