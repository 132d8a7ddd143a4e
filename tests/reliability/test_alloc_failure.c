/* Allocation failure: every library operation a user runs (loading IDX and
 * model files, building a model, a training step, saving, GPT training and
 * generation) is run again and again with its 1st, 2nd, 3rd ... allocation
 * failing (nnl_testing_fail_allocation), until it runs without reaching the
 * failing one. Each time it must fail with NNL_E_NOMEM and a message, or, where
 * the library has a fallback (the GEMM packing buffers), succeed with the
 * same result; it must leak nothing (LeakSanitizer, in the ASan build of
 * scripts/test); and afterwards the same operation must work again.
 *
 * Kernels run on one thread here: with several, worker threads allocate in
 * a racy order and "the k-th allocation" would not name one site. */
#include <dirent.h>
#include <stdio.h>

#include "core/alloc.h"
#include "fixtures/fixtures.h"
#include "test_util.h"

/* An operation builds everything it needs, does its work, frees it all and
 * returns its status; on success *digest summarises its result. */
typedef nnl_status (*operation)(void *ctx, uint64_t *digest);

static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u; /* FNV-1a */
    return h;
}

/* Fail each allocation of `op` in turn; returns how many failed. */
static int64_t fail_each_allocation(const char *name, operation op, void *ctx)
{
    uint64_t expected = 0, digest = 0;
    assert_ok(op(ctx, &expected)); /* warm-up: global pools reach their steady state */
    int64_t failed = 0, recovered = 0;
    for (int64_t k = 1;; k++) {
        nnl_clear_error();
        nnl_testing_fail_allocation(k);
        nnl_status s = op(ctx, &digest);
        int64_t made = nnl_testing_fail_allocation(0);
        if (made < k) { /* the k-th allocation was never reached: done */
            assert_ok(s);
            break;
        }
        failed++;
        if (s == NNL_OK) { /* a fallback took over: same result */
            recovered++;
            if (digest != expected)
                fail_msg("%s: allocation %lld failed, the call succeeded with a different result", name,
                         (long long)k);
            continue;
        }
        if (s != NNL_E_NOMEM)
            fail_msg("%s: allocation %lld failed, status %s: %s", name, (long long)k, nnl_status_str(s),
                     nnl_last_error());
        if (strncmp(nnl_last_error(), "nnl_", 4) != 0) /* messages start with the public function */
            fail_msg("%s: allocation %lld failed, message '%s' names no function", name, (long long)k,
                     nnl_last_error());
    }
    assert_ok(op(ctx, &digest)); /* usable afterwards */
    assert_true(digest == expected);
    print_message("alloc-failure: %s: %lld allocations failed one at a time (%lld recovered by a fallback)\n",
                  name, (long long)failed, (long long)recovered);
    assert_true(failed > 0);
    return failed;
}

/* ---- data -------------------------------------------------------------- */

typedef struct files {
    char dir[256];
    char images[512], labels[512], images_gz[512], labels_gz[512];
    char model[512], gpt[512], corpus[512], saved_model[512], saved_gpt[512];
    nnl_model *compiled;   /* what save_model saves (fixtures assert, so they stay outside the failures) */
    uint64_t saved_digest; /* the saved file's contents after the first save, 0 before */
} files;

/* IDX files of 3 images of 4x5 pixels, plain and gzip-compressed. */
static void write_idx(files *f)
{
    unsigned char images[16 + 60] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
    unsigned char labels[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 1};
    for (int i = 0; i < 60; i++)
        images[16 + i] = (unsigned char)(i * 37);
    fixture_write_file(f->images, images, sizeof images);
    fixture_write_file(f->labels, labels, sizeof labels);
    char command[4096];
    snprintf(command, sizeof command, "gzip -c %s > %s && gzip -c %s > %s", f->images, f->images_gz, f->labels,
             f->labels_gz);
    assert_int_equal(system(command), 0);
}

static void write_model_files(files *f)
{
    nnl_model *m = fixture_compiled_cnn();
    assert_ok(nnl_model_save(m, f->model, NNL_SAVE_OPTIMIZER));
    nnl_model_free(m);
    nnl_gpt *g = fixture_gpt();
    assert_ok(nnl_gpt_save(g, f->gpt, NNL_GPT_SAVE_TRAINING));
    nnl_gpt_free(g);
    size_t n;
    const char *text = fixture_text(&n);
    fixture_write_file(f->corpus, text, n);
}

static int setup(void **state)
{
    files *f = calloc(1, sizeof *f);
    fixture_temp_dir(f->dir, sizeof f->dir);
    fixture_path(f->images, sizeof f->images, f->dir, "images.idx");
    fixture_path(f->labels, sizeof f->labels, f->dir, "labels.idx");
    fixture_path(f->images_gz, sizeof f->images_gz, f->dir, "images.idx.gz");
    fixture_path(f->labels_gz, sizeof f->labels_gz, f->dir, "labels.idx.gz");
    fixture_path(f->model, sizeof f->model, f->dir, "cnn.safetensors");
    fixture_path(f->gpt, sizeof f->gpt, f->dir, "gpt.safetensors");
    fixture_path(f->corpus, sizeof f->corpus, f->dir, "corpus.txt");
    fixture_path(f->saved_model, sizeof f->saved_model, f->dir, "saved-cnn.safetensors");
    fixture_path(f->saved_gpt, sizeof f->saved_gpt, f->dir, "saved-gpt.safetensors");
    f->compiled = fixture_compiled_cnn();
    write_idx(f);
    write_model_files(f);
    assert_ok(nnl_set_num_threads(1));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    files *f = *state;
    nnl_model_free(f->compiled);
    fixture_remove_tree(f->dir);
    free(f);
    return 0;
}

/* ---- digests of results ------------------------------------------------ */

static nnl_status digest_dataset(const nnl_dataset *ds, uint64_t *digest)
{
    int64_t n = nnl_dataset_size(ds), dims[8];
    int ndim;
    nnl_dataset_sample_shape(ds, dims + 1, 7, &ndim);
    dims[0] = n;
    nnl_tensor *x = NULL;
    nnl_status s = nnl_tensor_create(&x, ndim + 1, dims);
    if (s == NNL_OK)
        s = nnl_dataset_get_batch(ds, 0, n, x, NULL);
    if (s == NNL_OK)
        *digest = hash_bytes(14695981039346656037u, nnl_tensor_data(x), nnl_tensor_nbytes(x));
    nnl_tensor_free(x);
    return s;
}

/* Predictions of a CNN on a fixed batch (allocates: part of the operation). */
static nnl_status predict_digest(const nnl_model *m, uint64_t *digest)
{
    nnl_tensor *x = NULL, *y = NULL;
    const int64_t x_dims[4] = {2, FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1}, y_dims[2] = {2, FIXTURE_CLASSES};
    nnl_status s = nnl_tensor_create(&x, 4, x_dims);
    if (s == NNL_OK)
        s = nnl_tensor_create(&y, 2, y_dims);
    if (s == NNL_OK) {
        test_fill_random(nnl_tensor_data(x), nnl_tensor_size(x), 5);
        s = nnl_model_predict(m, x, y);
    }
    if (s == NNL_OK)
        *digest = hash_bytes(14695981039346656037u, nnl_tensor_data(y), nnl_tensor_nbytes(y));
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    return s;
}

static int collect_token(const char *piece, int32_t token, void *user)
{
    (void)piece;
    uint64_t *h = user;
    *h = hash_bytes(*h, &token, sizeof token);
    return 0;
}

static nnl_status greedy_digest(nnl_gpt *g, uint64_t *digest)
{
    nnl_gpt_generate_options o = NNL_GPT_GENERATE_OPTIONS_INIT;
    o.max_tokens = 12; /* past block_size 8: the window slides */
    o.temperature = 0.0f;
    *digest = 14695981039346656037u;
    return nnl_gpt_generate(g, "明月", &o, collect_token, digest);
}

/* ---- operations -------------------------------------------------------- */

static nnl_status load_idx_plain(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_dataset *ds = NULL;
    nnl_status s = nnl_dataset_load_idx(&ds, f->images, f->labels);
    if (s == NNL_OK)
        s = digest_dataset(ds, digest);
    nnl_dataset_free(ds);
    return s;
}

static nnl_status load_idx_gzip(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_dataset *ds = NULL;
    nnl_status s = nnl_dataset_load_idx(&ds, f->images_gz, f->labels_gz);
    if (s == NNL_OK)
        s = digest_dataset(ds, digest);
    nnl_dataset_free(ds);
    return s;
}

static nnl_status load_model_and_predict(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_model *m = NULL;
    nnl_status s = nnl_model_load(&m, f->model);
    if (s == NNL_OK)
        s = predict_digest(m, digest);
    nnl_model_free(m);
    return s;
}

/* Every layer type, compiled; nothing is trained. */
static nnl_status build_model(void *ctx, uint64_t *digest)
{
    (void)ctx;
    const int64_t input[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};
    nnl_model *m = NULL;
    nnl_layer *l = NULL, *inner = NULL;
    nnl_optimizer *o = NULL;
    nnl_status s = nnl_model_create(&m, 3, input);
#define ADD(ctor)                                        \
    if (s == NNL_OK && (s = (ctor)) == NNL_OK) {         \
        s = nnl_model_add(m, l);                         \
        if (s != NNL_OK)                                 \
            nnl_layer_free(l);                           \
    }
    ADD(nnl_layer_conv2d(&l, 2, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU));
    ADD(nnl_layer_batchnorm(&l, 0.9f, 1e-3f));
    ADD(nnl_layer_avgpool2d(&l, 2, 2, 0));
    ADD(nnl_layer_flatten(&l));
    if (s == NNL_OK && (s = nnl_layer_residual(&l)) == NNL_OK) {
        if ((s = nnl_layer_dense(&inner, 18, NNL_ACT_GELU)) == NNL_OK && (s = nnl_layer_residual_add(l, inner)) != NNL_OK)
            nnl_layer_free(inner);
        s = s == NNL_OK ? nnl_model_add(m, l) : s;
        if (s != NNL_OK)
            nnl_layer_free(l);
    }
    ADD(nnl_layer_dropout(&l, 0.5f));
    ADD(nnl_layer_dense(&l, FIXTURE_CLASSES, NNL_ACT_SOFTMAX));
#undef ADD
    if (s == NNL_OK && (s = nnl_optimizer_adamw(&o, 1e-3f, 0.9f, 0.999f, 1e-7f, 0.01f)) == NNL_OK &&
        (s = nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, o)) != NNL_OK)
        nnl_optimizer_free(o);
    if (s == NNL_OK)
        s = predict_digest(m, digest);
    nnl_model_free(m);
    return s;
}

/* Load (with Adam state), fit one epoch of two batches, evaluate, predict. */
static nnl_status training_step(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_model *m = NULL;
    nnl_dataset *data = NULL;
    const int64_t dims[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};
    float x[4 * 36];
    int32_t labels[4] = {0, 1, 2, 1}, classes[4];
    test_fill_random(x, 4 * 36, 9);
    double loss;
    nnl_status s = nnl_model_load(&m, f->model);
    if (s == NNL_OK)
        s = nnl_dataset_create_labeled(&data, 4, 3, dims, x, labels);
    if (s == NNL_OK)
        s = nnl_model_fit(m, data, NULL, 1, 2, 3, NULL, NULL);
    if (s == NNL_OK)
        s = nnl_model_evaluate(m, data, 3, &loss, NULL);
    if (s == NNL_OK)
        s = nnl_model_predict_dataset(m, data, 3, NULL, classes);
    if (s == NNL_OK)
        s = predict_digest(m, digest);
    if (s == NNL_OK)
        *digest = hash_bytes(hash_bytes(*digest, &loss, sizeof loss), classes, sizeof classes);
    nnl_dataset_free(data);
    nnl_model_free(m);
    return s;
}

/* No temporary file may be left next to the saved one. */
static void assert_no_temporary_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp."))
            fail_msg("a failed save left %s/%s behind", dir, e->d_name);
    closedir(d);
}

/* Save over the previous save: a failed save leaves that file as it was. */
static nnl_status save_model(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_status s = nnl_model_save(f->compiled, f->saved_model, NNL_SAVE_OPTIMIZER);
    assert_no_temporary_files(f->dir);
    size_t n = 0;
    unsigned char *bytes = fixture_read_file(f->saved_model, &n);
    assert_non_null(bytes);
    *digest = hash_bytes(14695981039346656037u, bytes, n);
    free(bytes);
    if (f->saved_digest)
        assert_true(*digest == f->saved_digest);
    f->saved_digest = *digest;
    return s;
}

static nnl_status load_gpt_and_generate(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_gpt *g = NULL;
    nnl_status s = nnl_gpt_load(&g, f->gpt);
    if (s == NNL_OK)
        s = greedy_digest(g, digest);
    nnl_gpt_free(g);
    return s;
}

/* Tokenize a corpus file, train two steps, save with the training state. */
static nnl_status train_gpt(void *ctx, uint64_t *digest)
{
    files *f = ctx;
    nnl_gpt *g = NULL;
    nnl_text_dataset *data = NULL;
    nnl_status s = nnl_gpt_load(&g, f->gpt);
    if (s == NNL_OK)
        s = nnl_text_dataset_load(&data, f->corpus, nnl_gpt_tokenizer(g), NNL_TEXT_STRICT, 1);
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.iters = 2, o.batch_size = 2, o.eval_batches = 1, o.warmup_iters = 1;
    if (s == NNL_OK)
        s = nnl_gpt_train(g, data, &o);
    if (s == NNL_OK)
        s = nnl_gpt_save(g, f->saved_gpt, NNL_GPT_SAVE_TRAINING);
    if (s == NNL_OK)
        s = greedy_digest(g, digest);
    assert_no_temporary_files(f->dir);
    nnl_text_dataset_free(data);
    nnl_gpt_free(g);
    return s;
}

/* ---- tests ------------------------------------------------------------- */

static void loading_idx_files(void **state)
{
    fail_each_allocation("load IDX (plain)", load_idx_plain, *state);
    fail_each_allocation("load IDX (gzip)", load_idx_gzip, *state);
}

static void loading_a_model_file(void **state)
{
    fail_each_allocation("load model file (Adam state) and predict", load_model_and_predict, *state);
}

static void building_a_model(void **state)
{
    fail_each_allocation("build and compile a model of every layer type", build_model, *state);
}

static void a_training_step(void **state)
{
    fail_each_allocation("train one epoch, evaluate, predict", training_step, *state);
}

static void saving_a_model(void **state)
{
    fail_each_allocation("save a model with its optimizer", save_model, *state);
}

static void gpt_loading_and_generation(void **state)
{
    fail_each_allocation("load a GPT and generate", load_gpt_and_generate, *state);
}

static void gpt_training_and_saving(void **state)
{
    fail_each_allocation("tokenize a corpus, train a GPT, save it", train_gpt, *state);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading_idx_files),
        cmocka_unit_test(loading_a_model_file),
        cmocka_unit_test(building_a_model),
        cmocka_unit_test(a_training_step),
        cmocka_unit_test(saving_a_model),
        cmocka_unit_test(gpt_loading_and_generation),
        cmocka_unit_test(gpt_training_and_saving),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
