/* GPT model: configuration, the flat parameter layout, initialisation,
 * accessors and the summary. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
#include "nn/gpt_internal.h"

/* Every tensor starts on a 64-byte boundary for aligned SIMD loads. */
enum { TENSOR_ALIGN_FLOATS = 16 };

static const char *const block_names[GPT_BLOCK_TENSORS] = {
    "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
    "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
    "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias",
};

/* The values of a full-size config (gpt_alloc reads the caller's with NNL_OPTIONS_READ). */
nnl_status gpt_check_config(const nnl_gpt_config *c, const char *who)
{
    if (c->n_layer < 1 || c->n_layer > 1024 || c->n_embd < 1 || c->n_embd > 65536 || c->n_head < 1 ||
        c->n_embd % c->n_head != 0 || c->block_size < 1 || c->block_size > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: n_layer=%lld n_head=%lld n_embd=%lld block_size=%lld: need 1..1024 layers, "
                         "1..65536 dims divisible by the heads, 1..1048576 positions",
                         who, (long long)c->n_layer, (long long)c->n_head, (long long)c->n_embd,
                         (long long)c->block_size);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "%s: dropout=%g, expected [0, 1)", who, (double)c->dropout);
    return NNL_OK;
}

static void add_tensor(nnl_gpt *g, const char *name, int64_t rows, int64_t cols, int residual)
{
    gpt_tensor_info *t = &g->tensors[g->num_tensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = cols ? 2 : 1;
    t->dims[0] = rows;
    t->dims[1] = cols;
    t->count = cols ? rows * cols : rows;
    t->offset = g->num_params;
    t->decay = cols != 0;
    t->residual = residual;
    g->num_params += (t->count + TENSOR_ALIGN_FLOATS - 1) / TENSOR_ALIGN_FLOATS * TENSOR_ALIGN_FLOATS;
}

static void build_layout(nnl_gpt *g)
{
    const int64_t C = g->C;
    char name[64];
    add_tensor(g, "transformer.wte.weight", g->V, C, 0);
    add_tensor(g, "transformer.wpe.weight", g->T, C, 0);
    for (int64_t l = 0; l < g->L; l++) {
        const int64_t rows[GPT_BLOCK_TENSORS] = {C, C, 3 * C, 3 * C, C, C, C, C, 4 * C, 4 * C, C, C};
        const int64_t cols[GPT_BLOCK_TENSORS] = {0, 0, C, 0, C, 0, 0, 0, C, 0, 4 * C, 0};
        for (int i = 0; i < GPT_BLOCK_TENSORS; i++) {
            snprintf(name, sizeof name, "transformer.h.%lld.%s", (long long)l, block_names[i]);
            add_tensor(g, name, rows[i], cols[i], i == GPT_ATTPROJ_W || i == GPT_FCPROJ_W);
        }
    }
    add_tensor(g, "transformer.ln_f.weight", C, 0, 0);
    add_tensor(g, "transformer.ln_f.bias", C, 0, 0);
}

nnl_status gpt_view_create(const nnl_gpt *g, float *base, gpt_view *view)
{
    view->blocks = nnl_alloc_zeroed(sizeof(gpt_block_view) * (size_t)g->L);
    if (!view->blocks)
        return nnl_error(NNL_E_NOMEM, "gpt: cannot allocate %lld block views", (long long)g->L);
    const gpt_tensor_info *t = g->tensors;
    view->wte = base + t[0].offset;
    view->wpe = base + t[1].offset;
    for (int64_t l = 0; l < g->L; l++)
        for (int i = 0; i < GPT_BLOCK_TENSORS; i++)
            view->blocks[l].t[i] = base + t[2 + l * GPT_BLOCK_TENSORS + i].offset;
    view->lnf_w = base + t[g->num_tensors - 2].offset;
    view->lnf_b = base + t[g->num_tensors - 1].offset;
    return NNL_OK;
}

void gpt_view_free(gpt_view *view)
{
    nnl_dealloc(view->blocks);
    view->blocks = NULL;
}

nnl_status gpt_alloc(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer,
                     const char *who)
{
    *out = NULL;
    nnl_gpt_config full; /* the caller's config at today's size (core/options.h) */
    NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_config, NNL_GPT_CONFIG_INIT, NNL_GPT_CONFIG_MIN_SIZE, &full, config, who));
    config = &full;
    NNL_TRY(gpt_check_config(config, who));
    nnl_gpt *g = nnl_alloc_zeroed(sizeof *g);
    if (!g)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the model", who);
    g->config = *config;
    g->L = config->n_layer;
    g->NH = config->n_head;
    g->C = config->n_embd;
    g->T = config->block_size;
    g->V = tokenizer->vocab_size;
    nnl_status st = nnl_tokenizer_clone(&g->tokenizer, tokenizer);
    if (st == NNL_OK) {
        g->tensors = nnl_alloc_zeroed(sizeof(gpt_tensor_info) * (size_t)(g->L * GPT_BLOCK_TENSORS + 4));
        if (!g->tensors)
            st = nnl_error(NNL_E_NOMEM, "%s: cannot allocate the tensor table", who);
    }
    if (st == NNL_OK) {
        build_layout(g);
        st = nnl_alloc_floats(&g->params, g->num_params, who);
    }
    if (st == NNL_OK)
        st = gpt_view_create(g, g->params, &g->w);
    if (st != NNL_OK) {
        nnl_gpt_free(g);
        return st;
    }
    nnl_rng_seed(&g->rng, config->seed, 1);
    *out = g;
    return NNL_OK;
}

/* N(0, 0.02) for matrices and embeddings, 0.02 / sqrt(2 L) for the
 * projections into the residual stream (GPT-2), LayerNorm weights 1. */
static void init_weights(nnl_gpt *g)
{
    nnl_rng rng;
    nnl_rng_seed(&rng, g->config.seed, 0);
    for (int i = 0; i < g->num_tensors; i++) {
        const gpt_tensor_info *t = &g->tensors[i];
        float *p = g->params + t->offset;
        int is_norm_weight = strstr(t->name, "ln_") && strstr(t->name, ".weight");
        if (t->ndim == 2) {
            float std = t->residual ? 0.02f / sqrtf(2.0f * (float)g->L) : 0.02f;
            for (int64_t j = 0; j < t->count; j++)
                p[j] = std * nnl_rng_normal(&rng);
        } else {
            for (int64_t j = 0; j < t->count; j++)
                p[j] = is_norm_weight ? 1.0f : 0.0f;
        }
    }
}

nnl_status nnl_gpt_create(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer)
{
    static const char who[] = "nnl_gpt_create";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, config);
    NNL_CHECK_PTR(who, tokenizer);
    NNL_TRY(gpt_alloc(out, config, tokenizer, who));
    init_weights(*out);
    return NNL_OK;
}

nnl_status gpt_ensure_training_state(nnl_gpt *g, const char *who)
{
    if (g->grads)
        return NNL_OK;
    nnl_status st = nnl_alloc_floats(&g->grads, g->num_params, who);
    if (st == NNL_OK)
        st = nnl_alloc_floats(&g->adam_m, g->num_params, who);
    if (st == NNL_OK)
        st = nnl_alloc_floats(&g->adam_v, g->num_params, who);
    if (st == NNL_OK)
        st = gpt_view_create(g, g->grads, &g->g);
    if (st != NNL_OK) {
        nnl_dealloc(g->grads);
        nnl_dealloc(g->adam_m);
        nnl_dealloc(g->adam_v);
        g->grads = g->adam_m = g->adam_v = NULL;
    }
    return st;
}

void nnl_gpt_free(nnl_gpt *gpt)
{
    if (!gpt)
        return;
    gpt_acts_free(&gpt->acts);
    gpt_view_free(&gpt->w);
    gpt_view_free(&gpt->g);
    nnl_dealloc(gpt->params);
    nnl_dealloc(gpt->grads);
    nnl_dealloc(gpt->adam_m);
    nnl_dealloc(gpt->adam_v);
    nnl_dealloc(gpt->tensors);
    nnl_tokenizer_free(gpt->tokenizer);
    nnl_dealloc(gpt);
}

nnl_status nnl_gpt_get_config(const nnl_gpt *gpt, nnl_gpt_config *config)
{
    NNL_CHECK_PTR("nnl_gpt_get_config", gpt);
    NNL_CHECK_PTR("nnl_gpt_get_config", config);
    return NNL_OPTIONS_WRITE(nnl_gpt_config, NNL_GPT_CONFIG_INIT, NNL_GPT_CONFIG_MIN_SIZE, config, &gpt->config,
                             "nnl_gpt_get_config");
}

const nnl_tokenizer *nnl_gpt_tokenizer(const nnl_gpt *gpt) { return gpt ? gpt->tokenizer : NULL; }

int64_t nnl_gpt_param_count(const nnl_gpt *gpt)
{
    if (!gpt)
        return -1;
    int64_t n = 0;
    for (int i = 0; i < gpt->num_tensors; i++)
        n += gpt->tensors[i].count;
    return n;
}

int64_t nnl_gpt_step(const nnl_gpt *gpt) { return gpt ? gpt->step : -1; }

/* ------------------------------------------------------------ summary */

typedef struct text_out {
    char *buf;
    size_t capacity, length;
} text_out;

static void emit(text_out *o, const char *fmt, ...) NNL_PRINTF(2, 3);
static void emit(text_out *o, const char *fmt, ...)
{
    char line[256];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (o->capacity > 0 && o->length < o->capacity - 1) {
        size_t room = o->capacity - 1 - o->length;
        memcpy(o->buf + o->length, line, len < room ? len : room);
        o->buf[o->length + (len < room ? len : room)] = '\0';
    }
    o->length += len;
}

/* 1234567 -> "1,234,567" */
static const char *thousands(char *buf, size_t cap, int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
    size_t j = 0;
    for (int i = 0; i < n && j + 2 < cap; i++) {
        buf[j++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i != n - 1)
            buf[j++] = ',';
    }
    buf[j] = '\0';
    return buf;
}

static void summary_row(text_out *o, const char *layer, const char *shape, int64_t params)
{
    char num[32];
    emit(o, " %-34s %-22s %12s\n", layer, shape, thousands(num, sizeof num, params));
}

nnl_status nnl_gpt_summary(const nnl_gpt *gpt, char *buf, size_t capacity, size_t *length)
{
    NNL_CHECK_PTR("nnl_gpt_summary", gpt);
    if (capacity > 0)
        NNL_CHECK_PTR("nnl_gpt_summary", buf);
    text_out o = {buf, capacity, 0};
    if (capacity > 0)
        buf[0] = '\0';
    const int64_t C = gpt->C, T = gpt->T;
    char shape[64], num[32];
    const char *rule = "======================================================================\n";
    emit(&o, "Model: \"gpt\" (%lld layers, %lld heads, %lld dims, block %lld, vocabulary %lld)\n",
         (long long)gpt->L, (long long)gpt->NH, (long long)C, (long long)T, (long long)gpt->V);
    emit(&o, "%s", rule);
    emit(&o, " %-34s %-22s %12s\n", "Layer (type)", "Output Shape", "Param #");
    emit(&o, "%s", rule);
    snprintf(shape, sizeof shape, "(None, %lld, %lld)", (long long)T, (long long)C);
    summary_row(&o, "wte (Embedding)", shape, gpt->V * C);
    summary_row(&o, "wpe (PositionEmbedding)", shape, T * C);
    int64_t per_block = 0;
    for (int i = 0; i < GPT_BLOCK_TENSORS; i++)
        per_block += gpt->tensors[2 + i].count;
    for (int64_t l = 0; l < gpt->L; l++) {
        char name[64];
        snprintf(name, sizeof name, "h.%lld (TransformerBlock)", (long long)l);
        summary_row(&o, name, shape, per_block);
    }
    summary_row(&o, "ln_f (LayerNorm)", shape, 2 * C);
    snprintf(shape, sizeof shape, "(None, %lld, %lld)", (long long)T, (long long)gpt->V);
    summary_row(&o, "lm_head (Dense, tied to wte)", shape, 0);
    emit(&o, "%s", rule);
    emit(&o, "Total params: %s\n", thousands(num, sizeof num, nnl_gpt_param_count(gpt)));
    emit(&o, "Each block: LayerNorm, causal self-attention (%lld heads of %lld), residual;\n",
         (long long)gpt->NH, (long long)(C / gpt->NH));
    emit(&o, "             LayerNorm, MLP %lld -> %lld (GELU) -> %lld, residual.\n", (long long)C,
         (long long)(4 * C), (long long)C);
    if (length)
        *length = o.length;
    return NNL_OK;
}
