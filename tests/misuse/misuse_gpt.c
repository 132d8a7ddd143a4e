/* Misuse of gpt.h: bad configurations and options, mismatched data, and
 * generation from a model that was never trained (allowed: it babbles). */
#include <math.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static nnl_text_dataset *corpus(char *dir, size_t capacity, const char *text, size_t n)
{
    char path[512];
    fixture_temp_dir(dir, capacity);
    fixture_path(path, sizeof path, dir, "corpus.txt");
    fixture_write_file(path, text, n);
    nnl_text_dataset *d = NULL;
    assert_ok(nnl_text_dataset_load(&d, path, NULL, 0, 1));
    return d;
}

static nnl_text_dataset *fixture_corpus(char *dir, size_t capacity)
{
    size_t n;
    const char *text = fixture_text(&n);
    return corpus(dir, capacity, text, n);
}

static void misuse_nnl_gpt_create(void **state)
{
    (void)state;
    nnl_tokenizer *tok = fixture_tokenizer();
    nnl_gpt_config good = NNL_GPT_CONFIG_INIT, c;
    good.n_layer = 1, good.n_head = 2, good.n_embd = 8, good.block_size = 8;
    nnl_gpt *g = (nnl_gpt *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, NULL, &good, tok);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, NULL, tok);
    assert_null(g);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &good, NULL);
    c = good, c.struct_size = 8;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.n_layer = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.n_head = 3; /* does not divide 8 */
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.n_head = -2;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.n_embd = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.block_size = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.block_size = INT64_MAX;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.dropout = 1.0f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    c = good, c.dropout = NAN;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_create, &g, &c, tok);
    /* the largest accepted sizes would need about 2^46 floats: refused, not attempted */
    c = good, c.n_layer = 1024, c.n_embd = 65536, c.n_head = 1;
    expect_misuse(NNL_E_NOMEM, nnl_gpt_create, &g, &c, tok);
    assert_null(g);
    nnl_tokenizer_free(tok);
}

static void misuse_nnl_gpt_free(void **state)
{
    (void)state;
    nnl_gpt_free(NULL);
}

static void misuse_nnl_gpt_get_config(void **state)
{
    (void)state;
    nnl_gpt *g = fixture_gpt();
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_get_config, NULL, &c);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_get_config, g, NULL);
    c.struct_size = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_get_config, g, &c);
    nnl_gpt_free(g);
}

static void misuse_nnl_gpt_tokenizer(void **state)
{
    (void)state;
    assert_null(nnl_gpt_tokenizer(NULL));
}

static void misuse_nnl_gpt_param_count(void **state)
{
    (void)state;
    assert_int_equal(nnl_gpt_param_count(NULL), -1);
}

static void misuse_nnl_gpt_step(void **state)
{
    (void)state;
    assert_int_equal(nnl_gpt_step(NULL), -1);
}

static void misuse_nnl_gpt_summary(void **state)
{
    (void)state;
    nnl_gpt *g = fixture_gpt();
    char tiny[4];
    size_t length = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_summary, NULL, tiny, sizeof tiny, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_summary, g, NULL, 10, &length);
    assert_ok(nnl_gpt_summary(g, tiny, sizeof tiny, &length));
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    assert_true(length > sizeof tiny);
    nnl_gpt_free(g);
}

static void misuse_nnl_gpt_progress_get(void **state)
{
    (void)state;
    assert_true(isnan(nnl_gpt_progress_get(NULL, NNL_GPT_PROGRESS_LOSS)));
}

static int stop_at_once(const nnl_gpt_progress *p, void *user)
{
    *(double *)user = nnl_gpt_progress_get(p, (nnl_gpt_progress_key)-1);
    return 1;
}

static void misuse_nnl_gpt_train(void **state)
{
    (void)state;
    char dir[256], other_dir[256];
    nnl_gpt *g = fixture_gpt();
    nnl_text_dataset *d = fixture_corpus(dir, sizeof dir);
    nnl_text_dataset *other = corpus(other_dir, sizeof other_dir, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
    nnl_gpt_train_options good = NNL_GPT_TRAIN_OPTIONS_INIT, o;
    good.iters = 1, good.batch_size = 2, good.eval_batches = 1, good.warmup_iters = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, NULL, d, &good);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, NULL, &good);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, NULL);
    o = good, o.struct_size = 1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.batch_size = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.iters = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.learning_rate = 0.0f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.learning_rate = NAN;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.beta2 = 1.0f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.eval_batches = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    o = good, o.checkpoint_interval = 1, o.checkpoint_path = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_train, g, d, &o);
    expect_misuse(NNL_E_SHAPE, nnl_gpt_train, g, other, &good); /* another vocabulary */
    double unknown = 0;
    o = good, o.progress = stop_at_once, o.user = &unknown;
    expect_misuse(NNL_E_CANCELLED, nnl_gpt_train, g, d, &o);
    assert_true(isnan(unknown));
    assert_int_equal(nnl_gpt_step(g), 1); /* the step before the stop is kept */
    nnl_text_dataset_free(d);
    nnl_text_dataset_free(other);
    nnl_gpt_free(g);
    fixture_remove_tree(dir);
    fixture_remove_tree(other_dir);
}

static void misuse_nnl_gpt_evaluate(void **state)
{
    (void)state;
    char dir[256], other_dir[256];
    nnl_gpt *g = fixture_gpt();
    nnl_text_dataset *d = fixture_corpus(dir, sizeof dir);
    nnl_text_dataset *other = corpus(other_dir, sizeof other_dir, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
    double loss;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, NULL, d, NNL_SPLIT_TRAIN, 1, 2, 1, &loss);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, g, NULL, NNL_SPLIT_TRAIN, 1, 2, 1, &loss);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, g, d, NNL_SPLIT_TRAIN, 1, 2, 1, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, g, d, (nnl_text_split)3, 1, 2, 1, &loss);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, g, d, NNL_SPLIT_TRAIN, 0, 2, 1, &loss);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_evaluate, g, d, NNL_SPLIT_TRAIN, 1, -2, 1, &loss);
    expect_misuse(NNL_E_SHAPE, nnl_gpt_evaluate, g, other, NNL_SPLIT_TRAIN, 1, 2, 1, &loss);
    nnl_text_dataset_free(d);
    nnl_text_dataset_free(other);
    nnl_gpt_free(g);
    fixture_remove_tree(dir);
    fixture_remove_tree(other_dir);
}

static int count_tokens(const char *piece, int32_t token, void *user)
{
    (void)piece;
    (void)token;
    (*(int *)user)++;
    return 0;
}

static void misuse_nnl_gpt_generate(void **state)
{
    (void)state;
    nnl_gpt *g = fixture_gpt();
    nnl_gpt_generate_options good = NNL_GPT_GENERATE_OPTIONS_INIT, o;
    good.max_tokens = 20;
    int n = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, NULL, "a", &good, count_tokens, &n);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, NULL, &good, count_tokens, &n);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &good, NULL, &n);
    expect_misuse(NNL_E_FORMAT, nnl_gpt_generate, g, "a\xfe", &good, count_tokens, &n);
    o = good, o.struct_size = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.max_tokens = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.temperature = -0.5f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.temperature = NAN;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.top_k = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.top_p = 0.0f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    o = good, o.top_p = 1.5f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_generate, g, "a", &o, count_tokens, &n);
    assert_int_equal(n, 0);
    /* a model that was never trained generates (noise): that is not an error;
     * unknown characters, an empty prompt and a prompt longer than the context are fine too */
    assert_ok(nnl_gpt_generate(g, "☃ unknown ☃ and a prompt longer than eight tokens", &good, count_tokens, &n));
    assert_int_equal(n, 20);
    assert_ok(nnl_gpt_generate(g, "", NULL, count_tokens, &n));
    o = good, o.top_k = 1000000, o.temperature = 1e-30f, o.top_p = 1e-30f;
    assert_ok(nnl_gpt_generate(g, "床", &o, count_tokens, &n));
    nnl_gpt_free(g);
}

static void misuse_nnl_gpt_save(void **state)
{
    (void)state;
    char dir[256], path[512], missing[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "g.safetensors");
    fixture_path(missing, sizeof missing, dir, "no/such/g.safetensors");
    nnl_gpt *g = fixture_gpt();
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_save, NULL, path, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_save, g, NULL, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_save, g, path, 2);
    expect_misuse(NNL_E_IO, nnl_gpt_save, g, missing, 0);
    assert_non_null(strstr(nnl_last_error(), missing));
    expect_misuse(NNL_E_IO, nnl_gpt_save, g, dir, NNL_GPT_SAVE_TRAINING);
    nnl_gpt_free(g);
    fixture_remove_tree(dir);
}

static void misuse_nnl_gpt_load(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "g.safetensors");
    nnl_gpt *g = (nnl_gpt *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_load, NULL, path);
    expect_misuse(NNL_E_INVALID_ARG, nnl_gpt_load, &g, NULL);
    expect_misuse(NNL_E_IO, nnl_gpt_load, &g, path);
    assert_non_null(strstr(nnl_last_error(), path));
    expect_misuse(NNL_E_IO, nnl_gpt_load, &g, dir);
    fixture_write_file(path, "\x02\0\0\0\0\0\0\0{}", 10);
    expect_misuse(NNL_E_FORMAT, nnl_gpt_load, &g, path);
    nnl_model *m = fixture_cnn(); /* a model file of the other kind */
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    nnl_model_free(m);
    expect_misuse(NNL_E_FORMAT, nnl_gpt_load, &g, path);
    assert_null(g);
    fixture_remove_tree(dir);
}

static void misuse_nnl_gpt_model(void **state)
{
    (void)state;
    assert_null(nnl_gpt_model(NULL));
    /* the GPT's model keeps its layers and is compiled by nnl_gpt_train */
    nnl_gpt *g = fixture_gpt();
    nnl_model *m = nnl_gpt_model(g);
    nnl_layer *l = NULL;
    nnl_optimizer *o = NULL;
    assert_ok(nnl_layer_dense(&l, 4, NNL_ACT_NONE));
    assert_ok(nnl_optimizer_sgd(&o, 0.1f, 0.0f, 0));
    assert_status_msg(nnl_model_add(m, l), NNL_E_STATE, "belongs to a GPT");
    assert_status_msg(nnl_model_compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, o), NNL_E_STATE, "belongs to a GPT");
    nnl_layer_free(l);
    nnl_optimizer_free(o);
    nnl_gpt_free(g);
}

const misuse_case misuse_gpt_cases[] = {
    MISUSE_CASE(nnl_gpt_create),
    MISUSE_CASE(nnl_gpt_free),
    MISUSE_CASE(nnl_gpt_get_config),
    MISUSE_CASE(nnl_gpt_tokenizer),
    MISUSE_CASE(nnl_gpt_param_count),
    MISUSE_CASE(nnl_gpt_step),
    MISUSE_CASE(nnl_gpt_summary),
    MISUSE_CASE(nnl_gpt_progress_get),
    MISUSE_CASE(nnl_gpt_train),
    MISUSE_CASE(nnl_gpt_evaluate),
    MISUSE_CASE(nnl_gpt_generate),
    MISUSE_CASE(nnl_gpt_save),
    MISUSE_CASE(nnl_gpt_load),
    MISUSE_CASE(nnl_gpt_model),
    {NULL, NULL},
};
