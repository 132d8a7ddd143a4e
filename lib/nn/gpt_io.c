/* GPT model files: safetensors with the architecture, vocabulary and
 * training state in __metadata__ (lib/io/safetensors.h does the atomic write
 * and the validation of the layout). Loading checks every metadata value
 * and every tensor shape before the model is used. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "data/text.h"
#include "io/safetensors.h"
#include "nn/gpt_internal.h"

#define GPT_FORMAT "nnlite.gpt"
#define GPT_FORMAT_VERSION "1"

static const char *const moment_prefix[2] = {"optimizer.exp_avg.", "optimizer.exp_avg_sq."};

static nnl_status add_number(nnl_st_writer *w, const char *key, const char *fmt, ...) NNL_PRINTF(3, 4);
static nnl_status add_number(nnl_st_writer *w, const char *key, const char *fmt, ...)
{
    char value[64];
    va_list args;
    va_start(args, fmt);
    vsnprintf(value, sizeof value, fmt, args);
    va_end(args);
    return nnl_st_writer_add_metadata(w, key, value);
}

static nnl_status add_metadata(nnl_st_writer *w, const nnl_gpt *g, int training)
{
    const nnl_model *m = g->model;
    const nnl_gpt_config *c = &g->config;
    NNL_TRY(nnl_st_writer_add_metadata(w, "format", GPT_FORMAT));
    NNL_TRY(nnl_st_writer_add_metadata(w, "format_version", GPT_FORMAT_VERSION));
    NNL_TRY(add_number(w, "n_layer", "%lld", (long long)c->n_layer));
    NNL_TRY(add_number(w, "n_head", "%lld", (long long)c->n_head));
    NNL_TRY(add_number(w, "n_embd", "%lld", (long long)c->n_embd));
    NNL_TRY(add_number(w, "block_size", "%lld", (long long)c->block_size));
    NNL_TRY(add_number(w, "vocab_size", "%lld", (long long)nnl_tokenizer_vocab_size(g->tokenizer)));
    NNL_TRY(add_number(w, "dropout", "%.9g", (double)c->dropout));
    NNL_TRY(add_number(w, "seed", "%" PRIu64, c->seed));
    char *vocab;
    NNL_TRY(nnl_tokenizer_serialize(g->tokenizer, &vocab));
    nnl_status st = nnl_st_writer_add_metadata(w, "vocab", vocab);
    nnl_dealloc(vocab);
    NNL_TRY(st);
    if (training) {
        /* The batch generator of a model that has not trained yet is the one
         * its first training will seed (fit's steps mode, stream 1). */
        nnl_rng rng = m->train_rng;
        if (!m->train_rng_seeded)
            nnl_rng_seed(&rng, g->config.seed, 1);
        NNL_TRY(add_number(w, "step", "%lld", (long long)nnl_gpt_step(g)));
        NNL_TRY(add_number(w, "rng_state", "%" PRIu64, rng.state));
        NNL_TRY(add_number(w, "rng_increment", "%" PRIu64, rng.increment));
    }
    return NNL_OK;
}

/* Each tensor in the file's layout, and with training state its two AdamW
 * moments (zeros before the first step), laid out one after the other in
 * `staging` (the writer borrows the data until it saves). */
static nnl_status add_tensors(nnl_st_writer *w, const nnl_gpt *g, const gpt_tensor *t, int n, int training,
                              float *staging)
{
    const nnl_optimizer *opt = g->model->optimizer;
    char name[128];
    for (int i = 0; i < n; i++) {
        const int64_t size = t[i].param->value->size;
        gpt_tensor_to_file(&t[i], t[i].param->value->data, staging);
        NNL_TRY(nnl_st_writer_add_tensor(w, t[i].name, t[i].ndim, t[i].dims, staging));
        staging += size;
        if (!training)
            continue;
        for (int k = 0; k < 2; k++) {
            const float *moment = opt ? (k == 0 ? opt->first : opt->second)[t[i].slot] : NULL;
            if (moment)
                gpt_tensor_to_file(&t[i], moment, staging);
            else
                memset(staging, 0, sizeof(float) * (size_t)size);
            snprintf(name, sizeof name, "%s%s", moment_prefix[k], t[i].name);
            NNL_TRY(nnl_st_writer_add_tensor(w, name, t[i].ndim, t[i].dims, staging));
            staging += size;
        }
    }
    return NNL_OK;
}

static int64_t total_floats(const gpt_tensor *t, int n)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++)
        total += t[i].param->value->size;
    return total;
}

nnl_status nnl_gpt_save(const nnl_gpt *gpt, const char *path, int flags)
{
    static const char who[] = "nnl_gpt_save";
    NNL_CHECK_PTR(who, gpt);
    NNL_CHECK_PTR(who, path);
    if (flags & ~NNL_GPT_SAVE_TRAINING)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown flags 0x%x", who, (unsigned)flags);
    const int training = (flags & NNL_GPT_SAVE_TRAINING) != 0;
    gpt_tensor *t;
    int n;
    NNL_TRY(nnl_error_in(gpt_tensors(gpt, &t, &n), who));
    float *staging = NULL;
    nnl_st_writer *w = NULL;
    nnl_status st = nnl_alloc_floats(&staging, total_floats(t, n) * (training ? 3 : 1), who);
    if (st == NNL_OK)
        st = nnl_st_writer_create(&w);
    if (st == NNL_OK)
        st = add_metadata(w, gpt, training);
    if (st == NNL_OK)
        st = add_tensors(w, gpt, t, n, training, staging);
    if (st == NNL_OK)
        st = nnl_st_writer_save(w, path);
    nnl_st_writer_free(w);
    nnl_dealloc(staging);
    nnl_dealloc(t);
    return nnl_error_in(st, who);
}

/* ------------------------------------------------------------ loading */

typedef struct loader {
    const nnl_st_file *file;
    const char *path;
} loader;

static nnl_status bad(const loader *ld, const char *key, const char *value, const char *expected)
{
    return nnl_error(NNL_E_FORMAT, "nnl_gpt_load: '%s': metadata %s=%s%s%s, expected %s", ld->path, key,
                     value ? "'" : "", value ? value : "(missing)", value ? "'" : "", expected);
}

static nnl_status read_u64(const loader *ld, const char *key, uint64_t *out)
{
    const char *v = nnl_st_file_metadata(ld->file, key);
    char *end;
    errno = 0;
    if (!v || *v < '0' || *v > '9')
        return bad(ld, key, v, "an unsigned integer");
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || *end)
        return bad(ld, key, v, "an unsigned integer");
    *out = (uint64_t)x;
    return NNL_OK;
}

static nnl_status read_int(const loader *ld, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    uint64_t x = 0;
    NNL_TRY(read_u64(ld, key, &x));
    if (x < (uint64_t)lo || x > (uint64_t)hi) {
        char range[64];
        snprintf(range, sizeof range, "an integer in [%lld, %lld]", (long long)lo, (long long)hi);
        return bad(ld, key, nnl_st_file_metadata(ld->file, key), range);
    }
    *out = (int64_t)x;
    return NNL_OK;
}

static nnl_status read_config(const loader *ld, nnl_gpt_config *c, int64_t *vocab_size)
{
    const char *format = nnl_st_file_metadata(ld->file, "format");
    if (!format || strcmp(format, GPT_FORMAT) != 0)
        return bad(ld, "format", format, "'" GPT_FORMAT "' (not an nnlite GPT file)");
    const char *version = nnl_st_file_metadata(ld->file, "format_version");
    if (!version || strcmp(version, GPT_FORMAT_VERSION) != 0)
        return bad(ld, "format_version", version, GPT_FORMAT_VERSION);
    NNL_TRY(read_int(ld, "n_layer", 1, 1024, &c->n_layer));
    NNL_TRY(read_int(ld, "n_head", 1, 65536, &c->n_head));
    NNL_TRY(read_int(ld, "n_embd", 1, 65536, &c->n_embd));
    NNL_TRY(read_int(ld, "block_size", 1, 1 << 20, &c->block_size));
    NNL_TRY(read_int(ld, "vocab_size", 1, NNL_UNICODE_MAX + 2, vocab_size));
    NNL_TRY(read_u64(ld, "seed", &c->seed));
    const char *dropout = nnl_st_file_metadata(ld->file, "dropout");
    char *end;
    float p = dropout ? strtof(dropout, &end) : NAN;
    if (!dropout || *end || !(p >= 0.0f && p < 1.0f))
        return bad(ld, "dropout", dropout, "a number in [0, 1)");
    c->dropout = p;
    if (c->n_embd % c->n_head != 0)
        return bad(ld, "n_head", nnl_st_file_metadata(ld->file, "n_head"), "a divisor of n_embd");
    return NNL_OK;
}

/* A weight or AdamW moment with a NaN or infinity is NNL_E_NUMERIC naming
 * it; otherwise it goes to `dst` in the model's layout. */
static nnl_status read_tensor(const loader *ld, const gpt_tensor *t, const char *name, float *dst)
{
    const float *data;
    NNL_TRY(nnl_st_file_tensor(ld->file, name, t->ndim, t->dims, &data));
    int64_t bad = nnl_first_non_finite(data, t->param->value->size);
    if (bad >= 0)
        return nnl_error(NNL_E_NUMERIC, "nnl_gpt_load: '%s': tensor %s has a NaN or infinity at %lld", ld->path, name,
                         (long long)bad);
    gpt_tensor_to_model(t, data, dst);
    return NNL_OK;
}

static nnl_status read_weights(const loader *ld, const gpt_tensor *t, int n)
{
    for (int i = 0; i < n; i++)
        NNL_TRY(read_tensor(ld, &t[i], t[i].name, t[i].param->value->data));
    return NNL_OK;
}

/* The step, the batch generator and AdamW's moments: the model comes back
 * compiled with an AdamW whose settings nnl_gpt_train() sets from its options. */
static nnl_status read_training_state(const loader *ld, nnl_gpt *g, const gpt_tensor *t, int n)
{
    if (!nnl_st_file_metadata(ld->file, "step"))
        return NNL_OK; /* a weights-only file */
    int64_t step = 0;
    uint64_t state = 0, increment = 0;
    NNL_TRY(read_int(ld, "step", 0, INT64_MAX, &step));
    NNL_TRY(read_u64(ld, "rng_state", &state));
    NNL_TRY(read_u64(ld, "rng_increment", &increment));
    if (increment % 2 == 0)
        return bad(ld, "rng_increment", nnl_st_file_metadata(ld->file, "rng_increment"), "an odd number");
    nnl_model *m = g->model;
    nnl_optimizer *adamw;
    NNL_TRY(nnl_optimizer_adamw(&adamw, 1e-3f, 0.9f, 0.99f, 1e-8f, 0.1f));
    nnl_status s = nnl_model_attach(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, adamw);
    if (s != NNL_OK) {
        nnl_optimizer_free(adamw);
        return s;
    }
    char name[128];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            snprintf(name, sizeof name, "%s%s", moment_prefix[k], t[i].name);
            NNL_TRY(read_tensor(ld, &t[i], name, (k == 0 ? m->optimizer->first : m->optimizer->second)[t[i].slot]));
        }
    m->optimizer->steps = step;
    m->train_rng.state = state;
    m->train_rng.increment = increment;
    m->train_rng_seeded = 1;
    return NNL_OK;
}

/* Parameters of the architecture (the tensors of gpt_tensors() in gpt.c); a file must hold at least this many
 * floats, which is checked before the model is allocated. */
static int64_t architecture_floats(const nnl_gpt_config *c, int64_t vocab_size)
{
    const int64_t C = c->n_embd;
    return vocab_size * C + c->block_size * C + c->n_layer * (12 * C * C + 13 * C) + 2 * C;
}

static nnl_status check_file_holds(const loader *ld, const nnl_gpt_config *c, int64_t vocab_size)
{
    int64_t floats = architecture_floats(c, vocab_size);
    uint64_t bytes = nnl_st_file_data_size(ld->file);
    if (bytes / sizeof(float) < (uint64_t)floats)
        return nnl_error(NNL_E_FORMAT, "nnl_gpt_load: '%s': the architecture needs %lld parameters but the file "
                         "holds %llu bytes of tensors", ld->path, (long long)floats, (unsigned long long)bytes);
    return NNL_OK;
}

/* Loading from a parsed file: shared by nnl_gpt_load() and gpt_load_from_memory(). */
static nnl_status gpt_from_file(nnl_gpt **out, const nnl_st_file *file, const char *path)
{
    static const char who[] = "nnl_gpt_load";
    loader ld = {file, path};
    nnl_gpt_config config = NNL_GPT_CONFIG_INIT;
    int64_t vocab_size = 0;
    nnl_tokenizer *tok = NULL;
    nnl_gpt *g = NULL;
    nnl_status st = read_config(&ld, &config, &vocab_size);
    if (st == NNL_OK)
        st = check_file_holds(&ld, &config, vocab_size);
    if (st == NNL_OK) {
        const char *vocab = nnl_st_file_metadata(file, "vocab");
        char label[300];
        snprintf(label, sizeof label, "%s: '%s': metadata vocab", who, path);
        st = vocab ? nnl_tokenizer_parse(&tok, vocab, label) : bad(&ld, "vocab", NULL, "a vocabulary");
    }
    if (st == NNL_OK && tok->vocab_size != vocab_size)
        st = nnl_error(NNL_E_FORMAT, "%s: '%s': the vocabulary has %lld tokens but vocab_size=%lld", who, path,
                       (long long)tok->vocab_size, (long long)vocab_size);
    if (st == NNL_OK)
        st = gpt_alloc(&g, &config, tok, who);
    gpt_tensor *t = NULL;
    int n = 0;
    if (st == NNL_OK)
        st = gpt_tensors(g, &t, &n);
    if (st == NNL_OK)
        st = read_weights(&ld, t, n);
    if (st == NNL_OK)
        st = read_training_state(&ld, g, t, n);
    nnl_dealloc(t);
    nnl_tokenizer_free(tok);
    if (st != NNL_OK) {
        nnl_gpt_free(g);
        return nnl_error_in(st, who);
    }
    *out = g;
    return NNL_OK;
}

nnl_status nnl_gpt_load(nnl_gpt **out, const char *path)
{
    static const char who[] = "nnl_gpt_load";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, path);
    nnl_st_file *file;
    nnl_status st = nnl_st_file_load(&file, path);
    if (st != NNL_OK)
        return nnl_error_in(st, who);
    st = gpt_from_file(out, file, path);
    nnl_st_file_free(file);
    return st;
}

nnl_status gpt_load_from_memory(nnl_gpt **out, const void *bytes, size_t size, const char *label)
{
    *out = NULL;
    nnl_st_file *file;
    nnl_status st = nnl_st_file_parse(&file, bytes, size, label);
    if (st != NNL_OK)
        return nnl_error_in(st, "nnl_gpt_load");
    st = gpt_from_file(out, file, label);
    nnl_st_file_free(file);
    return st;
}
