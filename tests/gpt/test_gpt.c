/* GPT model: gradients against finite differences (embeddings, attention,
 * layernorm, GELU and cross-entropy through the whole model, and the GELU and
 * cross-entropy kernels alone), causality, KV-cache logits against the full
 * forward, reproducible generation, checkpoint resume continuing the same
 * loss curve, corrupted checkpoints and bad input failing cleanly, and a
 * short real training run on fortunes-zh's Tang poems. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixtures/fixtures.h"
#include "test_util.h"

#include <unistd.h>

#include "core/rng.h"
#include "data/dataset.h"
#include "data/text.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "nn/generate.h"
#include "nn/gpt_internal.h"

static const char corpus[] =
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
    "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。"
    "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    "Hello world, the quick brown fox jumps over the lazy dog.\n";

static nnl_tokenizer *corpus_tokenizer(void)
{
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, corpus, sizeof corpus - 1, 0));
    return tok;
}

static nnl_gpt *small_gpt(int64_t layers, int64_t heads, int64_t embd, int64_t block, uint64_t seed)
{
    nnl_tokenizer *tok = corpus_tokenizer();
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    c.n_layer = layers, c.n_head = heads, c.n_embd = embd, c.block_size = block, c.seed = seed;
    nnl_gpt *g;
    assert_ok(nnl_gpt_create(&g, &c, tok));
    nnl_tokenizer_free(tok);
    return g;
}

static nnl_model *model_of(nnl_gpt *g) { return nnl_gpt_model(g); }

static int64_t vocab_of(const nnl_gpt *g) { return nnl_tokenizer_vocab_size(nnl_gpt_tokenizer(g)); }

enum { MAX_BATCH = 8 };

/* B windows of random tokens with random next tokens. */
static nnl_dataset *random_batch(nnl_gpt *g, int64_t B, int64_t T, uint32_t seed)
{
    float x[MAX_BATCH * 64], y[MAX_BATCH * 64];
    assert_true(B <= MAX_BATCH && T <= 64);
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 9);
    for (int64_t i = 0; i < B * T; i++) {
        x[i] = (float)nnl_rng_below(&rng, (uint32_t)vocab_of(g));
        y[i] = (float)nnl_rng_below(&rng, (uint32_t)vocab_of(g));
    }
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create(&ds, B, 1, &T, x, 1, &T, y));
    return ds;
}



static void model_gradients_match_finite_differences(void **state)
{
    (void)state;
    const int64_t B = 2, T = 6, C = 8;
    nnl_gpt *g = small_gpt(2, 2, C, T, 3);
    nnl_model *m = model_of(g);
    /* Larger weights than the 0.02 init give gradients well above float noise. */
    nnl_rng rng;
    nnl_rng_seed(&rng, 5, 5);
    for (int i = 0; i < m->num_params; i++) {
        nnl_tensor *v = m->params[i].param->value;
        for (int64_t j = 0; j < v->size; j++)
            v->data[j] = v->data[j] != 0.0f ? 0.3f * nnl_rng_normal(&rng) : 0.1f * nnl_rng_normal(&rng);
    }
    nnl_dataset *batch = random_batch(g, B, T, 1);
    fixture_backward(m, batch, B);
    const float h = 1e-2f;
    for (int pi = 0; pi < m->num_params; pi++) {
        const nnl_param *param = m->params[pi].param;
        for (int probe = 0; probe < 4; probe++) {
            int64_t j = (int64_t)nnl_rng_below(&rng, (uint32_t)param->value->size);
            if (pi == 0) /* the token embedding: probe rows the batch uses */
                j = (int64_t)m->batch_x->data[probe] * C + probe % C;
            float *p = param->value->data + j;
            float saved = *p;
            *p = saved + h;
            double up = fixture_mean_loss(m, batch, B);
            *p = saved - h;
            double down = fixture_mean_loss(m, batch, B);
            *p = saved;
            double numeric = (up - down) / (2.0 * h);
            double analytic = param->grad->data[j];
            if (fabs(numeric - analytic) > 3e-4 + 3e-2 * fabs(numeric))
                fail_msg("%s[%lld]: analytic %g, numeric %g", m->params[pi].name, (long long)j, analytic, numeric);
        }
    }
    nnl_dataset_free(batch);
    nnl_gpt_free(g);
}

static void gelu_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { N = 37 };
    float x[N], y[N], dy[N], dx[N], xp[N], yp[N];
    test_fill_random(x, N, 3);
    for (int i = 0; i < N; i++)
        x[i] *= 4.0f, dy[i] = 1.0f;
    k->act_forward(NNL_ACT_KIND_GELU, N, x, y);
    k->act_backward(NNL_ACT_KIND_GELU, N, x, y, dy, dx);
    const float h = 1e-3f;
    for (int i = 0; i < N; i++) {
        memcpy(xp, x, sizeof x);
        xp[i] = x[i] + h;
        k->act_forward(NNL_ACT_KIND_GELU, N, xp, yp);
        double up = yp[i];
        xp[i] = x[i] - h;
        k->act_forward(NNL_ACT_KIND_GELU, N, xp, yp);
        double numeric = (up - yp[i]) / (2.0 * h);
        if (fabs(numeric - dx[i]) > 2e-3 + 1e-2 * fabs(numeric))
            fail_msg("gelu'(%g): analytic %g, numeric %g", x[i], dx[i], numeric);
    }
}

static void cross_entropy_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { ROWS = 3, V = 37 };
    float logits[ROWS * V], dlogits[ROWS * V], probe[ROWS * V];
    int32_t labels[ROWS] = {0, 17, 36};
    test_fill_random(logits, ROWS * V, 8);
    for (int i = 0; i < ROWS * V; i++)
        logits[i] *= 3.0f;
    k->softmax_xent(ROWS, V, logits, labels, 1.0f / ROWS, NULL, dlogits, NULL);
    const float h = 1e-2f;
    for (int i = 0; i < ROWS * V; i += 5) {
        memcpy(probe, logits, sizeof logits);
        probe[i] = logits[i] + h;
        double up = k->softmax_xent(ROWS, V, probe, labels, 1.0f, NULL, NULL, NULL) / ROWS;
        probe[i] = logits[i] - h;
        double down = k->softmax_xent(ROWS, V, probe, labels, 1.0f, NULL, NULL, NULL) / ROWS;
        double numeric = (up - down) / (2.0 * h);
        if (fabs(numeric - dlogits[i]) > 2e-4 + 1e-2 * fabs(numeric))
            fail_msg("dlogits[%d]: analytic %g, numeric %g", i, dlogits[i], numeric);
    }
}

/* Full-sequence logits (n, V) into out; n is the model's block size. */
static void full_logits(nnl_gpt *g, const int32_t *tokens, int64_t n, float *out)
{
    const int64_t x_dims[2] = {1, n}, y_dims[3] = {1, n, vocab_of(g)};
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 2, x_dims));
    assert_ok(nnl_tensor_wrap(&y, 3, y_dims, out));
    for (int64_t i = 0; i < n; i++)
        nnl_tensor_data(x)[i] = (float)tokens[i];
    assert_ok(nnl_model_predict(model_of(g), x, y));
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

static void future_tokens_never_change_earlier_logits(void **state)
{
    (void)state;
    nnl_gpt *g = small_gpt(2, 2, 16, 12, 4);
    const int64_t n = 12, V = vocab_of(g);
    int32_t tokens[12];
    for (int i = 0; i < n; i++)
        tokens[i] = (int32_t)(1 + (i * 7) % (V - 1));
    float *a = malloc(sizeof(float) * (size_t)(n * V)), *b = malloc(sizeof(float) * (size_t)(n * V));
    full_logits(g, tokens, n, a);
    const int64_t changed = 7;
    tokens[changed] = (int32_t)(1 + (tokens[changed] + 3) % (V - 1));
    full_logits(g, tokens, n, b);
    assert_memory_equal(a, b, sizeof(float) * (size_t)(changed * V));
    assert_memory_not_equal(a + changed * V, b + changed * V, sizeof(float) * (size_t)V);
    free(a), free(b);
    nnl_gpt_free(g);
}

static void assert_logits_close(const float *got, const float *want, int64_t V, int64_t pos)
{
    for (int64_t v = 0; v < V; v++)
        if (fabsf(got[v] - want[v]) > 1e-4f * (1.0f + fabsf(want[v])))
            fail_msg("position %lld logit %lld: cached %.7g, full %.7g", (long long)pos, (long long)v,
                     got[v], want[v]);
}

static void kv_cache_matches_full_forward(void **state)
{
    (void)state;
    nnl_gpt *g = small_gpt(2, 4, 32, 16, 6);
    const int64_t n = 16, V = vocab_of(g);
    int32_t tokens[16];
    for (int i = 0; i < n; i++)
        tokens[i] = (int32_t)(1 + (i * 11 + 3) % (V - 1));
    float *full = malloc(sizeof(float) * (size_t)(n * V));
    full_logits(g, tokens, n, full);
    nnl_decoder *dec;
    const float *logits;
    assert_ok(nnl_decoder_create(&dec, model_of(g), "test"));
    for (int64_t i = 0; i < n; i++) {
        assert_ok(nnl_decoder_feed(dec, &tokens[i], 1, &logits));
        assert_logits_close(logits, full + i * V, V, i);
    }
    /* A prompt fed at once (prefill), then one more token. */
    nnl_decoder_reset(dec);
    assert_ok(nnl_decoder_feed(dec, tokens, 9, &logits));
    assert_logits_close(logits, full + 8 * V, V, 8);
    assert_ok(nnl_decoder_feed(dec, tokens + 9, 1, &logits));
    assert_logits_close(logits, full + 9 * V, V, 9);
    nnl_decoder_free(dec);
    free(full);
    nnl_gpt_free(g);
}

/* Logits that the previous GPT implementation (its own forward pass, before
 * the GPT became an nnl_model) computed for tests/fixtures/gpt_v0/gpt.safetensors,
 * a checkpoint it wrote after 20 training steps, on tokens (t * 5 + 3) % V. */
static const float previous_logits[] = {
#include "fixtures/gpt_v0/logits.inc"
};

static void previous_gpt_file_gives_the_same_logits(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/gpt_v0/gpt.safetensors", getenv("NNL_SOURCE_ROOT"));
    nnl_gpt *g;
    assert_ok(nnl_gpt_load(&g, path));
    assert_int_equal(nnl_gpt_step(g), 20); /* its training state came too */
    const int64_t T = 8, V = vocab_of(g);
    assert_int_equal(T * V, sizeof previous_logits / sizeof previous_logits[0]);
    int32_t tokens[8];
    for (int64_t t = 0; t < T; t++)
        tokens[t] = (int32_t)((t * 5 + 3) % V);
    float *logits = malloc(sizeof(float) * (size_t)(T * V));
    full_logits(g, tokens, T, logits);
    for (int64_t i = 0; i < T * V; i++)
        if (fabsf(logits[i] - previous_logits[i]) > 1e-5f * (1.0f + fabsf(previous_logits[i])))
            fail_msg("logit %lld: layer-based %.9g, previous %.9g", (long long)i, logits[i], previous_logits[i]);
    /* The KV cache of nnl_model_generate gives them too, position by position. */
    nnl_decoder *dec;
    const float *step;
    assert_ok(nnl_decoder_create(&dec, model_of(g), "test"));
    for (int64_t t = 0; t < T; t++) {
        assert_ok(nnl_decoder_feed(dec, &tokens[t], 1, &step));
        assert_logits_close(step, previous_logits + t * V, V, t);
    }
    nnl_decoder_free(dec);
    free(logits);
    nnl_gpt_free(g);
}

typedef struct text_sink {
    char text[4096];
    size_t len;
    int tokens;
} text_sink;

static int collect(const char *piece, int32_t token, void *user)
{
    text_sink *s = user;
    (void)token;
    size_t n = strlen(piece);
    if (s->len + n < sizeof s->text) {
        memcpy(s->text + s->len, piece, n + 1);
        s->len += n;
    }
    s->tokens++;
    return 0;
}

static void same_seed_same_text(void **state)
{
    (void)state;
    nnl_gpt *g = small_gpt(1, 2, 16, 8, 7);
    nnl_gpt_generate_options o = NNL_GPT_GENERATE_OPTIONS_INIT;
    o.max_tokens = 40; /* several slides of the 8-token window */
    o.temperature = 1.5f;
    o.top_k = 0;
    text_sink a = {{0}, 0, 0}, b = {{0}, 0, 0}, c = {{0}, 0, 0};
    assert_ok(nnl_gpt_generate(g, "明月", &o, collect, &a));
    assert_ok(nnl_gpt_generate(g, "明月", &o, collect, &b));
    o.seed = 2;
    o.top_p = 0.9f;
    assert_ok(nnl_gpt_generate(g, "明月", &o, collect, &c));
    assert_int_equal(a.tokens, 40);
    assert_string_equal(a.text, b.text);
    assert_string_not_equal(a.text, c.text);
    text_sink greedy = {{0}, 0, 0};
    o.temperature = 0.0f;
    o.max_tokens = 3;
    assert_ok(nnl_gpt_generate(g, "", &o, collect, &greedy)); /* empty prompt */
    assert_int_equal(greedy.tokens, 3);
    assert_status_msg(nnl_gpt_generate(g, "\xE6\x98", &o, collect, &greedy), NNL_E_FORMAT, "invalid UTF-8");
    o.top_p = 0.0f;
    assert_status_msg(nnl_gpt_generate(g, "x", &o, collect, &greedy), NNL_E_INVALID_ARG, "top_p=0");
    nnl_gpt_free(g);
}

/* ---------------------------------------------------- training and files */

static char *write_corpus(void)
{
    static char path[32];
    strcpy(path, "/tmp/nnl-gpt-corpus-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    for (int i = 0; i < 20; i++)
        fputs(corpus, f);
    fclose(f);
    return path;
}

typedef struct loss_log {
    double losses[64];
    int count;
} loss_log;

static int record_loss(const nnl_gpt_progress *p, void *user)
{
    loss_log *log = user;
    int step = (int)nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_STEP);
    if (step >= 1 && step <= 64)
        log->losses[step - 1] = nnl_gpt_progress_get(p, NNL_GPT_PROGRESS_LOSS);
    log->count++;
    return 0;
}

static nnl_gpt_train_options tiny_options(int64_t iters, loss_log *log)
{
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.iters = iters;
    o.lr_decay_iters = 8;
    o.warmup_iters = 2;
    o.batch_size = 3;
    o.eval_batches = 2;
    o.learning_rate = 3e-3f;
    o.progress = record_loss;
    o.user = log;
    return o;
}

static void resumed_training_continues_the_same_loss_curve(void **state)
{
    (void)state;
    const char *path = write_corpus();
    nnl_text_dataset *data;
    assert_ok(nnl_text_dataset_load(&data, path, NULL, 0, 1));
    nnl_tokenizer *tok;
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    c.n_layer = 2, c.n_head = 2, c.n_embd = 16, c.block_size = 8, c.dropout = 0.1f;
    assert_ok(nnl_tokenizer_clone(&tok, nnl_text_dataset_tokenizer(data)));

    loss_log straight = {{0}, 0}, first = {{0}, 0}, second = {{0}, 0};
    nnl_gpt *a, *b, *resumed;
    assert_ok(nnl_gpt_create(&a, &c, tok));
    nnl_gpt_train_options o = tiny_options(8, &straight);
    assert_ok(nnl_gpt_train(a, data, &o));
    assert_int_equal(nnl_gpt_step(a), 8);

    assert_ok(nnl_gpt_create(&b, &c, tok));
    o = tiny_options(4, &first);
    assert_ok(nnl_gpt_train(b, data, &o));
    char ckpt[] = "/tmp/nnl-gpt-ckpt-XXXXXX";
    close(mkstemp(ckpt));
    assert_ok(nnl_gpt_save(b, ckpt, NNL_GPT_SAVE_TRAINING));
    assert_ok(nnl_gpt_load(&resumed, ckpt));
    assert_int_equal(nnl_gpt_step(resumed), 4);
    o = tiny_options(8, &second);
    o.lr_decay_iters = 8;
    assert_ok(nnl_gpt_train(resumed, data, &o));
    assert_int_equal(second.count, 4);
    for (int i = 0; i < 8; i++)
        assert_float_equal(i < 4 ? first.losses[i] : second.losses[i], straight.losses[i], 0.0);
    const nnl_model *ma = model_of(a), *mr = model_of(resumed);
    for (int i = 0; i < ma->num_params; i++)
        assert_memory_equal(mr->params[i].param->value->data, ma->params[i].param->value->data,
                            sizeof(float) * (size_t)ma->params[i].param->value->size);

    nnl_gpt_free(a), nnl_gpt_free(b), nnl_gpt_free(resumed);
    nnl_tokenizer_free(tok);
    nnl_text_dataset_free(data);
    remove(ckpt);
    remove(path);
}

static void save_and_load_keep_generation(void **state)
{
    (void)state;
    nnl_gpt *g = small_gpt(1, 2, 16, 8, 11), *back;
    char path[] = "/tmp/nnl-gpt-model-XXXXXX";
    close(mkstemp(path));
    assert_ok(nnl_gpt_save(g, path, NNL_GPT_SAVE_WEIGHTS));
    assert_ok(nnl_gpt_load(&back, path));
    assert_int_equal(nnl_gpt_param_count(back), nnl_gpt_param_count(g));
    assert_int_equal(nnl_gpt_step(back), 0);
    nnl_gpt_generate_options o = NNL_GPT_GENERATE_OPTIONS_INIT;
    o.max_tokens = 20;
    text_sink x = {{0}, 0, 0}, y = {{0}, 0, 0};
    assert_ok(nnl_gpt_generate(g, "春", &o, collect, &x));
    assert_ok(nnl_gpt_generate(back, "春", &o, collect, &y));
    assert_string_equal(x.text, y.text);
    char summary[2048];
    size_t len;
    assert_ok(nnl_gpt_summary(back, summary, sizeof summary, &len));
    assert_non_null(strstr(summary, "Total params"));
    assert_int_equal(strlen(summary), len);
    nnl_gpt_free(g), nnl_gpt_free(back);
    remove(path);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(*size);
    assert_int_equal(fread(buf, 1, *size, f), *size);
    fclose(f);
    return buf;
}

static void write_all(const char *path, const unsigned char *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(buf, 1, size, f);
    fclose(f);
}

static void corrupted_checkpoints_fail_cleanly(void **state)
{
    (void)state;
    nnl_gpt *g = small_gpt(1, 1, 4, 4, 12), *back;
    char path[] = "/tmp/nnl-gpt-bad-XXXXXX";
    close(mkstemp(path));
    assert_ok(nnl_gpt_save(g, path, NNL_GPT_SAVE_TRAINING));
    size_t size;
    unsigned char *good = read_all(path, &size), *bad = malloc(size);
    /* Every truncation and a byte flip at many offsets: an error or a valid model, never a crash. */
    for (size_t cut = 0; cut < size; cut += 1 + cut / 8) {
        write_all(path, good, cut);
        back = NULL;
        assert_int_not_equal(nnl_gpt_load(&back, path), NNL_OK);
        assert_null(back);
    }
    for (size_t at = 0; at < size; at += 3) {
        memcpy(bad, good, size);
        bad[at] ^= 0x5A;
        write_all(path, bad, size);
        back = NULL;
        if (nnl_gpt_load(&back, path) == NNL_OK)
            nnl_gpt_free(back);
        else
            assert_true(strlen(nnl_last_error()) > 0);
    }
    /* A valid safetensors file whose metadata lies. */
    static const char *const cases[][3] = {
        {"format", "other", "format"},
        {"n_layer", "0", "n_layer"},
        {"n_head", "3", "n_head"},
        {"vocab_size", "5", "vocab"},
        {"vocab", "3,2", "vocab"},
        {"dropout", "nan", "dropout"},
        {"rng_increment", "2", "rng_increment"},
    };
    const char *const keys[] = {"format", "format_version", "n_layer", "n_head", "n_embd", "block_size",
                                "vocab_size", "dropout", "seed", "vocab", "step", "rng_state", "rng_increment"};
    nnl_st_file *file;
    write_all(path, good, size);
    assert_ok(nnl_st_file_load(&file, path));
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        nnl_st_writer *w;
        assert_ok(nnl_st_writer_create(&w));
        for (size_t ki = 0; ki < sizeof keys / sizeof keys[0]; ki++) {
            const char *value = strcmp(keys[ki], cases[ci][0]) == 0 ? cases[ci][1] : nnl_st_file_metadata(file, keys[ki]);
            assert_ok(nnl_st_writer_add_metadata(w, keys[ki], value));
        }
        gpt_tensor *t;
        int count;
        assert_ok(gpt_tensors(g, &t, &count));
        for (int ti = 0; ti < count; ti++) {
            const float *data;
            assert_ok(nnl_st_file_tensor(file, t[ti].name, t[ti].ndim, t[ti].dims, &data));
            assert_ok(nnl_st_writer_add_tensor(w, t[ti].name, t[ti].ndim, t[ti].dims, data));
        }
        free(t);
        char other[] = "/tmp/nnl-gpt-meta-XXXXXX";
        close(mkstemp(other));
        assert_ok(nnl_st_writer_save(w, other));
        nnl_st_writer_free(w);
        assert_status_msg(nnl_gpt_load(&back, other), NNL_E_FORMAT, cases[ci][2]);
        remove(other);
    }
    nnl_st_file_free(file);
    assert_status_msg(nnl_gpt_load(&back, "/nonexistent/model.safetensors"), NNL_E_IO, "/nonexistent");
    free(good), free(bad);
    nnl_gpt_free(g);
    remove(path);
}

static void bad_arguments_are_reported(void **state)
{
    (void)state;
    nnl_tokenizer *tok = corpus_tokenizer();
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    nnl_gpt *g;
    c.n_head = 3;
    assert_status_msg(nnl_gpt_create(&g, &c, tok), NNL_E_INVALID_ARG, "n_head=3");
    c.n_head = 4, c.dropout = 1.0f;
    assert_status_msg(nnl_gpt_create(&g, &c, tok), NNL_E_INVALID_ARG, "dropout=1");
    c.dropout = 0.0f, c.struct_size = 8;
    assert_status_msg(nnl_gpt_create(&g, &c, tok), NNL_E_INVALID_ARG, "struct_size=8");
    assert_status_msg(nnl_gpt_create(&g, NULL, tok), NNL_E_INVALID_ARG, "config");
    nnl_tokenizer_free(tok);
    g = small_gpt(1, 1, 4, 4, 1);
    const char *path = write_corpus();
    nnl_text_dataset *data;
    assert_ok(nnl_text_dataset_load(&data, path, NULL, 0, 1));
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.batch_size = 0;
    assert_status_msg(nnl_gpt_train(g, data, &o), NNL_E_INVALID_ARG, "batch_size=0");
    o.batch_size = 2, o.checkpoint_interval = 5;
    assert_status_msg(nnl_gpt_train(g, data, &o), NNL_E_INVALID_ARG, "checkpoint_path");
    nnl_gpt_free(NULL);
    nnl_gpt_free(g);
    nnl_text_dataset_free(data);
    remove(path);
}

static void tang_poems_training_lowers_the_loss(void **state)
{
    (void)state;
    const char *path = "/usr/share/games/fortunes/tang300";
    FILE *f = fopen(path, "rb");
    if (!f)
        skip();
    fclose(f);
    nnl_text_dataset *data;
    assert_ok(nnl_text_dataset_load(&data, path, NULL, NNL_TEXT_STRIP_ANSI, 1));
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    c.n_layer = 2, c.n_head = 2, c.n_embd = 64, c.block_size = 32;
    nnl_gpt *g;
    assert_ok(nnl_gpt_create(&g, &c, nnl_text_dataset_tokenizer(data)));
    double before, after;
    assert_ok(nnl_gpt_evaluate(g, data, NNL_SPLIT_VALIDATION, 4, 8, 1, &before));
    loss_log log = {{0}, 0};
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.iters = 60, o.batch_size = 8, o.warmup_iters = 5, o.learning_rate = 5e-3f, o.min_lr = 5e-4f;
    o.eval_interval = 0, o.eval_batches = 4;
    o.progress = record_loss;
    o.user = &log;
    assert_ok(nnl_gpt_train(g, data, &o));
    assert_ok(nnl_gpt_evaluate(g, data, NNL_SPLIT_VALIDATION, 4, 8, 1, &after));
    /* log(vocabulary) ~ 8 at the start; the frequent characters alone bring it well down. */
    if (!(after < before - 1.5))
        fail_msg("validation loss %.3f -> %.3f after 60 steps", before, after);
    assert_true(log.losses[59] < log.losses[0] - 1.5);
    nnl_gpt_free(g);
    nnl_text_dataset_free(data);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_gradients_match_finite_differences),
        cmocka_unit_test(gelu_backward_matches_finite_differences),
        cmocka_unit_test(cross_entropy_backward_matches_finite_differences),
        cmocka_unit_test(future_tokens_never_change_earlier_logits),
        cmocka_unit_test(kv_cache_matches_full_forward),
        cmocka_unit_test(previous_gpt_file_gives_the_same_logits),
        cmocka_unit_test(same_seed_same_text),
        cmocka_unit_test(resumed_training_continues_the_same_loss_curve),
        cmocka_unit_test(save_and_load_keep_generation),
        cmocka_unit_test(corrupted_checkpoints_fail_cleanly),
        cmocka_unit_test(bad_arguments_are_reported),
        cmocka_unit_test(tang_poems_training_lowers_the_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
