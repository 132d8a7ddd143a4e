/* GPT: the configuration, the model assembled from layers, the nanoGPT
 * tensor map, GPT-2's initialisation, the accessors and the summary. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "data/text.h"
#include "nn/gpt_internal.h"

/* The parameters of one block in model order, as nanoGPT names them; the
 * four linear weights are transposed between the model and the file. */
enum { GPT_BLOCK_TENSORS = 12 };
static const struct {
    const char *name;
    int transposed, residual;
} block_tensors[GPT_BLOCK_TENSORS] = {
    {"ln_1.weight", 0, 0},       {"ln_1.bias", 0, 0},       {"attn.c_attn.weight", 1, 0},
    {"attn.c_attn.bias", 0, 0},  {"attn.c_proj.weight", 1, 1}, {"attn.c_proj.bias", 0, 0},
    {"ln_2.weight", 0, 0},       {"ln_2.bias", 0, 0},       {"mlp.c_fc.weight", 1, 0},
    {"mlp.c_fc.bias", 0, 0},     {"mlp.c_proj.weight", 1, 1}, {"mlp.c_proj.bias", 0, 0},
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

/* Hand the layer just made (status `made`, in *l) to the model; on failure
 * it is freed. */
static nnl_status add_layer(nnl_model *m, nnl_status made, nnl_layer **l)
{
    if (made != NNL_OK)
        return made;
    nnl_status s = nnl_model_add(m, *l);
    if (s != NNL_OK)
        nnl_layer_free(*l);
    return s;
}

/* The layers of gpt_internal.h's picture, for inputs of block_size token ids. */
static nnl_status build_model(nnl_model **out, const nnl_gpt_config *c, int64_t V)
{
    const int64_t T = c->block_size, C = c->n_embd;
    NNL_TRY(nnl_model_create(out, 1, &T));
    nnl_model *m = *out;
    nnl_layer *l = NULL;
    nnl_status s = add_layer(m, nnl_layer_embedding(&l, V, C), &l);
    if (s == NNL_OK)
        s = add_layer(m, nnl_layer_position_embedding(&l, T), &l);
    if (s == NNL_OK && c->dropout > 0.0f)
        s = add_layer(m, nnl_layer_dropout(&l, c->dropout), &l);
    for (int64_t i = 0; s == NNL_OK && i < c->n_layer; i++)
        s = add_layer(m, nnl_layer_transformer_block_dropout(&l, c->n_head, C, c->dropout), &l);
    if (s == NNL_OK)
        s = add_layer(m, nnl_layer_layernorm(&l, 1e-5f), &l);
    if (s == NNL_OK)
        s = add_layer(m, nnl_layer_tied_output(&l, 0), &l);
    /* The loss is part of the model: evaluation needs no compile. Its layers
     * are fixed: nnl_gpt_* rely on them (gpt_tensors). */
    m->loss = NNL_LOSS_SOFTMAX_CROSSENTROPY;
    m->has_loss = 1;
    m->sealed = 1;
    return s;
}

nnl_status gpt_tensors(const nnl_gpt *gpt, gpt_tensor **out, int *count)
{
    const nnl_model *m = gpt->model;
    gpt_tensor *t = nnl_alloc_zeroed(sizeof *t * (size_t)m->num_params);
    if (!t)
        return nnl_error(NNL_E_NOMEM, "gpt: cannot allocate the tensor table");
    const int64_t L = gpt->config.n_layer;
    for (int i = 0; i < m->num_params; i++) {
        int64_t block = (i - 2) / GPT_BLOCK_TENSORS, k = (i - 2) % GPT_BLOCK_TENSORS;
        if (i == 0 || i == 1)
            snprintf(t[i].name, sizeof t[i].name, "transformer.%s.weight", i == 0 ? "wte" : "wpe");
        else if (block < L)
            snprintf(t[i].name, sizeof t[i].name, "transformer.h.%lld.%s", (long long)block,
                     block_tensors[k].name);
        else
            snprintf(t[i].name, sizeof t[i].name, "transformer.ln_f.%s", i == m->num_params - 2 ? "weight" : "bias");
        int inside = i >= 2 && block < L;
        const nnl_tensor *v = m->params[i].param->value;
        t[i].param = m->params[i].param;
        t[i].slot = i;
        t[i].ndim = v->ndim;
        t[i].transposed = inside && block_tensors[k].transposed;
        t[i].residual = inside && block_tensors[k].residual;
        t[i].dims[0] = v->dims[t[i].transposed ? 1 : 0];
        t[i].dims[1] = v->ndim == 2 ? v->dims[t[i].transposed ? 0 : 1] : 0;
    }
    *out = t;
    *count = m->num_params;
    return NNL_OK;
}

/* src (rows, cols) -> dst (cols, rows), or a plain copy when the tensor is
 * not transposed; the two layouts are each other's transpose, so one
 * function serves both directions. */
static void copy_layout(const gpt_tensor *t, int64_t rows, int64_t cols, const float *src, float *dst)
{
    if (!t->transposed) {
        memcpy(dst, src, sizeof(float) * (size_t)(rows * cols));
        return;
    }
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            dst[c * rows + r] = src[r * cols + c];
}

void gpt_tensor_to_model(const gpt_tensor *t, const float *file, float *model)
{
    copy_layout(t, t->dims[0], t->ndim == 2 ? t->dims[1] : 1, file, model);
}

void gpt_tensor_to_file(const gpt_tensor *t, const float *model, float *file)
{
    copy_layout(t, t->ndim == 2 ? t->dims[1] : 1, t->dims[0], model, file);
}

nnl_status gpt_alloc(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer,
                     const char *who)
{
    *out = NULL;
    nnl_gpt_config full; /* the caller's config at today's size (core/options.h) */
    NNL_TRY(NNL_OPTIONS_READ(nnl_gpt_config, NNL_GPT_CONFIG_INIT, NNL_GPT_CONFIG_MIN_SIZE, &full, config, who));
    NNL_TRY(gpt_check_config(&full, who));
    nnl_gpt *g = nnl_alloc_zeroed(sizeof *g);
    if (!g)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the model", who);
    g->config = full;
    nnl_status st = nnl_tokenizer_clone(&g->tokenizer, tokenizer);
    if (st == NNL_OK)
        st = build_model(&g->model, &full, tokenizer->vocab_size);
    if (st != NNL_OK) {
        nnl_gpt_free(g);
        return nnl_error_in(st, who);
    }
    *out = g;
    return NNL_OK;
}

/* GPT-2's initialisation, drawn in the file's order and layout so that a
 * seed gives the weights it always gave: N(0, 0.02) for matrices and
 * embeddings, 0.02 / sqrt(2 L) for the projections into the residual
 * stream, LayerNorm weights 1, biases 0. */
static nnl_status init_weights(nnl_gpt *g)
{
    gpt_tensor *t;
    int n;
    NNL_TRY(gpt_tensors(g, &t, &n));
    int64_t largest = 0;
    for (int i = 0; i < n; i++)
        largest = t[i].param->value->size > largest ? t[i].param->value->size : largest;
    float *values;
    nnl_status st = nnl_alloc_floats(&values, largest, "nnl_gpt_create");
    nnl_rng rng;
    nnl_rng_seed(&rng, g->config.seed, 0);
    for (int i = 0; st == NNL_OK && i < n; i++) {
        const int64_t count = t[i].param->value->size;
        int is_norm_weight = strstr(t[i].name, "ln_") && strstr(t[i].name, ".weight");
        float std = t[i].residual ? 0.02f / sqrtf(2.0f * (float)g->config.n_layer) : 0.02f;
        for (int64_t j = 0; j < count; j++)
            values[j] = t[i].ndim == 2 ? std * nnl_rng_normal(&rng) : is_norm_weight ? 1.0f : 0.0f;
        gpt_tensor_to_model(&t[i], values, t[i].param->value->data);
    }
    nnl_dealloc(values);
    nnl_dealloc(t);
    return st;
}

nnl_status nnl_gpt_create(nnl_gpt **out, const nnl_gpt_config *config, const nnl_tokenizer *tokenizer)
{
    static const char who[] = "nnl_gpt_create";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, config);
    NNL_CHECK_PTR(who, tokenizer);
    NNL_TRY(gpt_alloc(out, config, tokenizer, who));
    nnl_status st = init_weights(*out);
    if (st != NNL_OK) {
        nnl_gpt_free(*out);
        *out = NULL;
    }
    return st;
}

void nnl_gpt_free(nnl_gpt *gpt)
{
    if (!gpt)
        return;
    nnl_model_free(gpt->model);
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

nnl_model *nnl_gpt_model(nnl_gpt *gpt) { return gpt ? gpt->model : NULL; }

int64_t nnl_gpt_param_count(const nnl_gpt *gpt) { return gpt ? nnl_model_param_count(gpt->model) : -1; }

int64_t nnl_gpt_step(const nnl_gpt *gpt)
{
    if (!gpt)
        return -1;
    return gpt->model->optimizer ? gpt->model->optimizer->steps : 0;
}

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
    const nnl_gpt_config *c = &gpt->config;
    const nnl_model *m = gpt->model;
    const int64_t C = c->n_embd, T = c->block_size, L = c->n_layer, NH = c->n_head;
    const int64_t V = nnl_tokenizer_vocab_size(gpt->tokenizer);
    const int first_block = c->dropout > 0.0f ? 3 : 2;
    char shape[64], num[32];
    const char *rule = "======================================================================\n";
    emit(&o, "Model: \"gpt\" (%lld layers, %lld heads, %lld dims, block %lld, vocabulary %lld)\n",
         (long long)L, (long long)NH, (long long)C, (long long)T, (long long)V);
    emit(&o, "%s", rule);
    emit(&o, " %-34s %-22s %12s\n", "Layer (type)", "Output Shape", "Param #");
    emit(&o, "%s", rule);
    snprintf(shape, sizeof shape, "(None, %lld, %lld)", (long long)T, (long long)C);
    summary_row(&o, "wte (Embedding)", shape, nnl_layer_param_count(m->layers[0]));
    summary_row(&o, "wpe (PositionEmbedding)", shape, nnl_layer_param_count(m->layers[1]));
    for (int64_t l = 0; l < L; l++) {
        char name[64];
        snprintf(name, sizeof name, "h.%lld (TransformerBlock)", (long long)l);
        summary_row(&o, name, shape, nnl_layer_param_count(m->layers[first_block + l]));
    }
    summary_row(&o, "ln_f (LayerNorm)", shape, nnl_layer_param_count(m->layers[m->num_layers - 2]));
    snprintf(shape, sizeof shape, "(None, %lld, %lld)", (long long)T, (long long)V);
    summary_row(&o, "lm_head (Dense, tied to wte)", shape, 0);
    emit(&o, "%s", rule);
    emit(&o, "Total params: %s\n", thousands(num, sizeof num, nnl_gpt_param_count(gpt)));
    emit(&o, "Each block: LayerNorm, causal self-attention (%lld heads of %lld), residual;\n",
         (long long)NH, (long long)(C / NH));
    emit(&o, "             LayerNorm, MLP %lld -> %lld (GELU) -> %lld, residual.\n", (long long)C,
         (long long)(4 * C), (long long)C);
    if (length)
        *length = o.length;
    return NNL_OK;
}
