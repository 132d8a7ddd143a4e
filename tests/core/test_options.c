/* Sized option structs (docs/versioning.md): the helper in core/options.h on
 * a struct that has grown since its first release, then every public sized
 * struct through its functions: smaller than the first release's size
 * rejected, today's size accepted, a larger struct from a newer nnlite
 * accepted when its unknown tail is zero and rejected, naming the struct,
 * when it is not. */
#include <stdio.h>

#include "fixtures/fixtures.h"
#include "test_util.h"

#include "core/options.h"

/* A struct whose first release ended at b; c came later. */
typedef struct demo_options {
    size_t struct_size;
    int64_t a;
    double b;
    int32_t c;
} demo_options;
#define DEMO_OPTIONS_INIT { sizeof(demo_options), 1, 2.0, 3 }
#define DEMO_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(demo_options, b)

/* A caller's struct with room for a tail past today's size. */
typedef struct {
    demo_options o;
    unsigned char tail[16];
} demo_big;

static void an_older_struct_gets_the_defaults_of_its_missing_members(void **state)
{
    (void)state;
    assert_true(DEMO_MIN_SIZE < sizeof(demo_options));
    demo_options caller = {DEMO_MIN_SIZE, 10, 20.0, 99}; /* c is not part of an older struct */
    demo_options out;
    assert_ok(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &caller, "demo"));
    assert_int_equal(out.struct_size, sizeof(demo_options));
    assert_int_equal(out.a, 10);
    assert_true(out.b == 20.0);
    assert_int_equal(out.c, 3);

    caller.struct_size = sizeof caller;
    assert_ok(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &caller, "demo"));
    assert_int_equal(out.c, 99);

    caller.struct_size = DEMO_MIN_SIZE - 1;
    assert_status_msg(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &caller, "demo"),
                      NNL_E_INVALID_ARG, "demo: demo_options struct_size=");
    assert_true(strstr(nnl_last_error(), "DEMO_OPTIONS_INIT") != NULL);
    caller.struct_size = 0;
    assert_status_msg(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &caller, "demo"),
                      NNL_E_INVALID_ARG, "struct_size=0");
    /* On failure the output holds the defaults. */
    assert_int_equal(out.a, 1);
    assert_int_equal(out.c, 3);
}

static void a_newer_struct_needs_a_zero_tail(void **state)
{
    (void)state;
    demo_big big;
    memset(&big, 0, sizeof big);
    big.o = (demo_options){sizeof(demo_options) + sizeof big.tail, 10, 20.0, 30};
    demo_options out;
    assert_ok(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &big.o, "demo"));
    assert_int_equal(out.struct_size, sizeof(demo_options));
    assert_int_equal(out.c, 30);

    big.tail[15] = 1;
    assert_status_msg(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &big.o, "demo"),
                      NNL_E_INVALID_ARG, "demo: demo_options struct_size=");
    char byte[32];
    snprintf(byte, sizeof byte, "byte %zu", sizeof(demo_options) + 15);
    assert_true(strstr(nnl_last_error(), byte) != NULL);

    /* A tail beyond the bytes struct_size counts is not read. */
    big.o.struct_size = sizeof(demo_options) + 15;
    assert_ok(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &big.o, "demo"));

    big.o.struct_size = NNL_OPTIONS_MAX_SIZE + 1;
    assert_status_msg(NNL_OPTIONS_READ(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &out, &big.o, "demo"),
                      NNL_E_INVALID_ARG, "is not a struct size");
}

static void writing_stays_within_struct_size(void **state)
{
    (void)state;
    const demo_options value = {sizeof(demo_options), 10, 20.0, 30};
    demo_options older = {DEMO_MIN_SIZE, 0, 0.0, 99};
    assert_ok(NNL_OPTIONS_WRITE(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &older, &value, "demo"));
    assert_int_equal(older.struct_size, DEMO_MIN_SIZE);
    assert_int_equal(older.a, 10);
    assert_true(older.b == 20.0);
    assert_int_equal(older.c, 99); /* past the caller's struct_size */

    demo_big big;
    memset(&big, 0xab, sizeof big);
    big.o.struct_size = sizeof(demo_options) + sizeof big.tail;
    assert_ok(NNL_OPTIONS_WRITE(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &big.o, &value, "demo"));
    assert_int_equal(big.o.struct_size, sizeof(demo_options) + sizeof big.tail);
    assert_int_equal(big.o.c, 30);
    for (size_t i = 0; i < sizeof big.tail; i++)
        assert_int_equal(big.tail[i], 0xab); /* members this library does not know: left alone */

    older.struct_size = DEMO_MIN_SIZE - 1;
    assert_status_msg(NNL_OPTIONS_WRITE(demo_options, DEMO_OPTIONS_INIT, DEMO_MIN_SIZE, &older, &value, "demo"),
                      NNL_E_INVALID_ARG, "demo_options struct_size=");
}

/* ------------------------------------------------------ the public structs */

typedef struct {
    nnl_gpt_config c;
    unsigned char tail[24];
} big_config;

static void gpt_config_sizes(void **state)
{
    (void)state;
    assert_int_equal(NNL_GPT_CONFIG_MIN_SIZE, sizeof(nnl_gpt_config)); /* no older release */
    nnl_tokenizer *tok = fixture_tokenizer();
    big_config big;
    memset(&big, 0, sizeof big);
    big.c = (nnl_gpt_config)NNL_GPT_CONFIG_INIT;
    big.c.n_layer = 1, big.c.n_head = 2, big.c.n_embd = 8, big.c.block_size = 8;
    nnl_gpt *g = NULL;

    big.c.struct_size = NNL_GPT_CONFIG_MIN_SIZE - 1;
    assert_status_msg(nnl_gpt_create(&g, &big.c, tok), NNL_E_INVALID_ARG, "nnl_gpt_create: nnl_gpt_config struct_size=");
    assert_null(g);

    big.c.struct_size = sizeof(nnl_gpt_config);
    assert_ok(nnl_gpt_create(&g, &big.c, tok));
    nnl_gpt_free(g);

    big.c.struct_size = sizeof big;
    assert_ok(nnl_gpt_create(&g, &big.c, tok));
    assert_int_equal(nnl_gpt_param_count(g) > 0, 1);

    /* get_config: today's size, a newer caller's larger struct (its tail left
     * alone), a struct below the minimum. */
    nnl_gpt_config got = NNL_GPT_CONFIG_INIT;
    assert_ok(nnl_gpt_get_config(g, &got));
    assert_int_equal(got.struct_size, sizeof(nnl_gpt_config));
    assert_int_equal(got.n_embd, 8);
    big_config out;
    memset(&out, 0x5a, sizeof out);
    out.c.struct_size = sizeof out;
    assert_ok(nnl_gpt_get_config(g, &out.c));
    assert_int_equal(out.c.struct_size, sizeof out);
    assert_int_equal(out.c.n_head, 2);
    assert_int_equal(out.tail[0], 0x5a);
    got.struct_size = NNL_GPT_CONFIG_MIN_SIZE - 1;
    assert_status_msg(nnl_gpt_get_config(g, &got), NNL_E_INVALID_ARG, "nnl_gpt_get_config: nnl_gpt_config struct_size=");
    nnl_gpt_free(g);
    g = NULL;

    big.tail[sizeof big.tail - 1] = 7;
    assert_status_msg(nnl_gpt_create(&g, &big.c, tok), NNL_E_INVALID_ARG, "nnl_gpt_create: nnl_gpt_config struct_size=");
    assert_true(strstr(nnl_last_error(), "not zero") != NULL);
    assert_null(g);
    nnl_tokenizer_free(tok);
}

typedef struct {
    nnl_gpt_train_options o;
    unsigned char tail[24];
} big_train_options;

static int count_steps(const nnl_gpt_progress *progress, void *user)
{
    (void)progress;
    ++*(int *)user;
    return 0;
}

static void gpt_train_options_sizes(void **state)
{
    (void)state;
    assert_int_equal(NNL_GPT_TRAIN_OPTIONS_MIN_SIZE, sizeof(nnl_gpt_train_options));
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "corpus.txt");
    size_t n;
    const char *text = fixture_text(&n);
    fixture_write_file(path, text, n);
    nnl_text_dataset *d = NULL;
    assert_ok(nnl_text_dataset_load(&d, path, NULL, 0, 1));
    nnl_gpt *g = fixture_gpt();
    int steps = 0;
    big_train_options big;
    memset(&big, 0, sizeof big);
    big.o = (nnl_gpt_train_options)NNL_GPT_TRAIN_OPTIONS_INIT;
    big.o.batch_size = 2, big.o.eval_batches = 1, big.o.warmup_iters = 0;
    big.o.progress = count_steps, big.o.user = &steps;

    big.o.iters = 1, big.o.struct_size = NNL_GPT_TRAIN_OPTIONS_MIN_SIZE - 1;
    assert_status_msg(nnl_gpt_train(g, d, &big.o), NNL_E_INVALID_ARG, "nnl_gpt_train: nnl_gpt_train_options struct_size=");
    assert_int_equal(nnl_gpt_step(g), 0);

    big.o.struct_size = sizeof(nnl_gpt_train_options);
    assert_ok(nnl_gpt_train(g, d, &big.o));
    assert_int_equal(nnl_gpt_step(g), 1);

    /* The members of a larger struct are read: iters and the callback. */
    big.o.iters = 2, big.o.struct_size = sizeof big;
    assert_ok(nnl_gpt_train(g, d, &big.o));
    assert_int_equal(nnl_gpt_step(g), 2);
    assert_int_equal(steps, 2);

    big.o.iters = 3, big.tail[3] = 1;
    assert_status_msg(nnl_gpt_train(g, d, &big.o), NNL_E_INVALID_ARG, "nnl_gpt_train: nnl_gpt_train_options struct_size=");
    assert_true(strstr(nnl_last_error(), "not zero") != NULL);
    assert_int_equal(nnl_gpt_step(g), 2);

    nnl_gpt_free(g);
    nnl_text_dataset_free(d);
    fixture_remove_tree(dir);
}

typedef struct {
    nnl_gpt_generate_options o;
    unsigned char tail[24];
} big_generate_options;

static int count_tokens(const char *piece, int32_t token, void *user)
{
    (void)piece, (void)token;
    ++*(int *)user;
    return 0;
}

static void gpt_generate_options_sizes(void **state)
{
    (void)state;
    assert_int_equal(NNL_GPT_GENERATE_OPTIONS_MIN_SIZE, sizeof(nnl_gpt_generate_options));
    nnl_gpt *g = fixture_gpt();
    big_generate_options big;
    memset(&big, 0, sizeof big);
    big.o = (nnl_gpt_generate_options)NNL_GPT_GENERATE_OPTIONS_INIT;
    big.o.max_tokens = 3;
    int tokens = 0;

    big.o.struct_size = NNL_GPT_GENERATE_OPTIONS_MIN_SIZE - 1;
    assert_status_msg(nnl_gpt_generate(g, "a", &big.o, count_tokens, &tokens), NNL_E_INVALID_ARG,
                      "nnl_gpt_generate: nnl_gpt_generate_options struct_size=");
    assert_int_equal(tokens, 0);

    big.o.struct_size = sizeof(nnl_gpt_generate_options);
    assert_ok(nnl_gpt_generate(g, "a", &big.o, count_tokens, &tokens));
    assert_int_equal(tokens, 3);

    big.o.struct_size = sizeof big, big.o.max_tokens = 5;
    tokens = 0;
    assert_ok(nnl_gpt_generate(g, "a", &big.o, count_tokens, &tokens));
    assert_int_equal(tokens, 5);

    big.tail[0] = 0x80;
    tokens = 0;
    assert_status_msg(nnl_gpt_generate(g, "a", &big.o, count_tokens, &tokens), NNL_E_INVALID_ARG,
                      "nnl_gpt_generate: nnl_gpt_generate_options struct_size=");
    assert_true(strstr(nnl_last_error(), "not zero") != NULL);
    assert_int_equal(tokens, 0);
    nnl_gpt_free(g);
}

typedef struct {
    nnl_fit_options o;
    unsigned char tail[16];
} big_fit_options;

static int steps_seen(const nnl_progress *p, void *user)
{
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 0)
        ++*(int *)user;
    return 0;
}

static void fit_options_sizes(void **state)
{
    (void)state;
    assert_true(NNL_FIT_OPTIONS_MIN_SIZE <= sizeof(nnl_fit_options)); /* its last member, without the tail padding */
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(8);
    big_fit_options big;
    memset(&big, 0, sizeof big);
    big.o = (nnl_fit_options)NNL_FIT_OPTIONS_INIT;
    big.o.steps = 2, big.o.batch_size = 4, big.o.progress = steps_seen;
    int steps = 0;
    big.o.user = &steps;

    big.o.struct_size = NNL_FIT_OPTIONS_MIN_SIZE - 1;
    assert_status_msg(nnl_model_fit_with(m, data, &big.o), NNL_E_INVALID_ARG,
                      "nnl_model_fit_with: nnl_fit_options struct_size=");
    assert_int_equal(steps, 0);

    big.o.struct_size = sizeof(nnl_fit_options);
    assert_ok(nnl_model_fit_with(m, data, &big.o));
    assert_int_equal(steps, 2);

    big.o.struct_size = sizeof big, big.o.steps = 3;
    steps = 0;
    assert_ok(nnl_model_fit_with(m, data, &big.o));
    assert_int_equal(steps, 3);

    big.tail[3] = 1;
    steps = 0;
    assert_status_msg(nnl_model_fit_with(m, data, &big.o), NNL_E_INVALID_ARG,
                      "nnl_model_fit_with: nnl_fit_options struct_size=");
    assert_true(strstr(nnl_last_error(), "not zero") != NULL);
    assert_int_equal(steps, 0);
    nnl_dataset_free(data);
    nnl_model_free(m);
}

typedef struct {
    nnl_generate_options o;
    unsigned char tail[16];
} big_model_generate_options;

static int count_ids(int32_t token, void *user)
{
    (void)token;
    ++*(int *)user;
    return 0;
}

static void generate_options_sizes(void **state)
{
    (void)state;
    assert_true(NNL_GENERATE_OPTIONS_MIN_SIZE <= sizeof(nnl_generate_options));
    nnl_gpt *g = fixture_gpt();
    nnl_model *m = nnl_gpt_model(g);
    const int32_t prompt[1] = {1};
    big_model_generate_options big;
    memset(&big, 0, sizeof big);
    big.o = (nnl_generate_options)NNL_GENERATE_OPTIONS_INIT;
    big.o.max_tokens = 3;
    int tokens = 0;

    big.o.struct_size = NNL_GENERATE_OPTIONS_MIN_SIZE - 1;
    assert_status_msg(nnl_model_generate(m, prompt, 1, &big.o, count_ids, &tokens), NNL_E_INVALID_ARG,
                      "nnl_model_generate: nnl_generate_options struct_size=");
    assert_int_equal(tokens, 0);

    big.o.struct_size = sizeof(nnl_generate_options);
    assert_ok(nnl_model_generate(m, prompt, 1, &big.o, count_ids, &tokens));
    assert_int_equal(tokens, 3);

    big.o.struct_size = sizeof big, big.o.max_tokens = 5;
    tokens = 0;
    assert_ok(nnl_model_generate(m, prompt, 1, &big.o, count_ids, &tokens));
    assert_int_equal(tokens, 5);

    big.tail[15] = 7;
    tokens = 0;
    assert_status_msg(nnl_model_generate(m, prompt, 1, &big.o, count_ids, &tokens), NNL_E_INVALID_ARG,
                      "nnl_model_generate: nnl_generate_options struct_size=");
    assert_int_equal(tokens, 0);
    nnl_gpt_free(g);
}

typedef struct {
    nnl_rnn_options o;
    unsigned char tail[16];
} big_rnn_options;

static void rnn_options_sizes(void **state)
{
    (void)state;
    assert_true(NNL_RNN_OPTIONS_MIN_SIZE <= sizeof(nnl_rnn_options));
    nnl_status (*const makers[3])(nnl_layer **, const nnl_rnn_options *) = {nnl_layer_rnn, nnl_layer_lstm,
                                                                           nnl_layer_gru};
    for (int i = 0; i < 3; i++) {
        big_rnn_options big;
        memset(&big, 0, sizeof big);
        big.o = (nnl_rnn_options)NNL_RNN_OPTIONS_INIT;
        big.o.hidden = 7;
        nnl_layer *l = NULL;
        big.o.struct_size = NNL_RNN_OPTIONS_MIN_SIZE - 1;
        assert_status_msg(makers[i](&l, &big.o), NNL_E_INVALID_ARG, "nnl_rnn_options struct_size=");
        assert_null(l);
        big.o.struct_size = sizeof(nnl_rnn_options);
        assert_ok(makers[i](&l, &big.o));
        const int64_t in[2] = {3, 2};
        assert_ok(nnl_layer_build(l, 2, in, 1));
        int64_t dims[2];
        int ndim;
        assert_ok(nnl_layer_output_shape(l, dims, 2, &ndim));
        assert_int_equal(dims[1], 7); /* the caller's hidden size was read */
        nnl_layer_free(l);
        big.o.struct_size = sizeof big;
        assert_ok(makers[i](&l, &big.o));
        nnl_layer_free(l);
        l = NULL;
        big.tail[0] = 1;
        assert_status_msg(makers[i](&l, &big.o), NNL_E_INVALID_ARG, "not zero");
        assert_null(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_older_struct_gets_the_defaults_of_its_missing_members),
        cmocka_unit_test(a_newer_struct_needs_a_zero_tail),
        cmocka_unit_test(writing_stays_within_struct_size),
        cmocka_unit_test(gpt_config_sizes),
        cmocka_unit_test(gpt_train_options_sizes),
        cmocka_unit_test(gpt_generate_options_sizes),
        cmocka_unit_test(fit_options_sizes),
        cmocka_unit_test(generate_options_sizes),
        cmocka_unit_test(rnn_options_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
