/* Sequential model: the article's CNN, training on real digits, save/load,
 * resume, and every misuse returning its status. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

static nnl_model *article_cnn(uint64_t seed)
{
    const int64_t input[3] = {28, 28, 1};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 3, input));
    assert_ok(nnl_model_set_seed(m, seed));
    assert_ok(nnl_layer_conv2d(&l, 32, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 128, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 10, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    nnl_optimizer *adam;
    assert_ok(nnl_optimizer_adam(&adam, 1e-3f, 0.9f, 0.999f, 1e-7f));
    assert_ok(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam));
    return m;
}

static void summary_matches_keras(void **state)
{
    (void)state;
    nnl_model *m = article_cnn(1);
    assert_int_equal(nnl_model_param_count(m), 320 + 692352 + 1290);
    char text[4096];
    size_t length;
    assert_ok(nnl_model_summary(m, text, sizeof text, &length));
    assert_non_null(strstr(text, "(None, 26, 26, 32)"));
    assert_non_null(strstr(text, "(None, 13, 13, 32)"));
    assert_non_null(strstr(text, "(None, 5408)"));
    assert_non_null(strstr(text, "692352"));
    assert_non_null(strstr(text, "Total params: 693962"));
    assert_int_equal(length, strlen(text));
    char small[10];
    assert_ok(nnl_model_summary(m, small, sizeof small, NULL));
    assert_int_equal(strlen(small), 9);
    nnl_model_free(m);
}

static int load_digits(nnl_dataset **train, nnl_dataset **test)
{
    const char *root = getenv("NNL_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/mnist", root ? root : ".");
    return nnl_dataset_load_idx_dir(train, test, dir) == NNL_OK;
}

static int count_batches(const nnl_progress *p, void *user)
{
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 0)
        (*(int *)user)++;
    return 0;
}

/* The real-digits split (8,000 / 2,000): 2 epochs must reach 95%. */
static void trains_on_real_digits(void **state)
{
    (void)state;
    nnl_dataset *train, *test;
    if (!load_digits(&train, &test))
        skip();
    nnl_model *m = article_cnn(7);
    int batches = 0;
    assert_ok(nnl_model_fit(m, train, NULL, 2, 32, 7, count_batches, &batches));
    assert_int_equal(batches, 2 * 250);
    double loss, accuracy;
    assert_ok(nnl_model_evaluate(m, test, 500, &loss, &accuracy));
    printf("# real digits after 2 epochs: test loss %.4f accuracy %.4f\n", loss, accuracy);
    assert_true(accuracy >= 0.95);

    /* a saved and reloaded model predicts exactly the same */
    char path[] = "/tmp/nnl_test_model_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    nnl_model *loaded;
    assert_ok(nnl_model_load(&loaded, path));
    int64_t n = nnl_dataset_size(test);
    float *a = malloc((size_t)n * 10 * sizeof(float)), *b = malloc((size_t)n * 10 * sizeof(float));
    assert_ok(nnl_model_predict_dataset(m, test, 100, a, NULL));
    assert_ok(nnl_model_predict_dataset(loaded, test, 100, b, NULL));
    assert_memory_equal(a, b, (size_t)n * 10 * sizeof(float));
    /* a loaded model evaluates without compiling: its loss is in the file */
    double loaded_loss, loaded_accuracy;
    assert_ok(nnl_model_evaluate(loaded, test, 100, &loaded_loss, &loaded_accuracy));
    assert_float_equal(loaded_loss, loss, 1e-9);
    assert_float_equal(loaded_accuracy, accuracy, 0.0);
    /* but it trains only once compiled: the file has no optimizer */
    assert_status_msg(nnl_model_fit(loaded, test, NULL, 1, 100, 0, NULL, NULL), NNL_E_STATE, "not compiled");
    free(a);
    free(b);
    unlink(path);
    nnl_model_free(loaded);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

static void copy_weights(nnl_model *m, float *out)
{
    for (int i = 0; i < nnl_model_num_layers(m); i++) {
        nnl_layer *l = nnl_model_layer(m, i);
        for (int p = 0; p < nnl_layer_num_params(l); p++) {
            nnl_tensor *v;
            assert_ok(nnl_layer_param(l, p, NULL, &v, NULL));
            memcpy(out, nnl_tensor_data(v), nnl_tensor_nbytes(v));
            out += nnl_tensor_size(v);
        }
    }
}

/* Training state round-trips: resuming from a checkpoint gives the same
 * weights as never stopping. */
static void resume_continues_identically(void **state)
{
    (void)state;
    enum { N = 64 };
    float x[N * 6], labels[N];
    test_fill_random(x, N * 6, 5);
    for (int i = 0; i < N; i++)
        labels[i] = (float)(x[i * 6] > 0) + (float)(x[i * 6 + 1] > 0);
    const int64_t dims[1] = {6};
    nnl_dataset *data;
    assert_ok(nnl_dataset_create(&data, N, 1, dims, x, 0, NULL, labels));
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, dims));
    assert_ok(nnl_layer_dense(&l, 16, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_batchnorm(&l, 0.9f, 1e-3f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    nnl_optimizer *opt;
    assert_ok(nnl_optimizer_adamw(&opt, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f));
    assert_ok(nnl_optimizer_set_warmup(opt, 3));
    assert_ok(nnl_optimizer_schedule_cosine(opt, 20, 1e-4f));
    assert_ok(nnl_optimizer_set_clip_norm(opt, 1.0f));
    assert_ok(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, opt));
    double initial_loss, loss;
    assert_ok(nnl_model_evaluate(m, data, 64, &initial_loss, NULL));
    assert_ok(nnl_model_fit(m, data, NULL, 2, 8, 1, NULL, NULL));
    char path[] = "/tmp/nnl_test_resume_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_ok(nnl_model_save(m, path, NNL_SAVE_OPTIMIZER));
    nnl_model *resumed;
    assert_ok(nnl_model_load(&resumed, path));
    unlink(path);
    assert_ok(nnl_model_fit(m, data, NULL, 2, 8, 2, NULL, NULL));
    assert_ok(nnl_model_fit(resumed, data, NULL, 2, 8, 2, NULL, NULL));
    int64_t count = nnl_model_param_count(m) + 2 * 16; /* + batch-norm statistics */
    float *a = malloc((size_t)count * sizeof(float)), *b = malloc((size_t)count * sizeof(float));
    copy_weights(m, a);
    copy_weights(resumed, b);
    assert_memory_equal(a, b, (size_t)count * sizeof(float));
    assert_ok(nnl_model_evaluate(m, data, 64, &loss, NULL));
    assert_true(loss < 0.8 * initial_loss); /* and it learned */
    free(a);
    free(b);
    nnl_model_free(m);
    nnl_model_free(resumed);
    nnl_dataset_free(data);
}

static void misuse_returns_status(void **state)
{
    (void)state;
    const int64_t dims[1] = {4}, bad_dims[1] = {5};
    nnl_model *m;
    nnl_layer *l, *conv;
    assert_status_msg(nnl_model_create(&m, 0, dims), NNL_E_INVALID_ARG, "ndim=0");
    assert_ok(nnl_model_create(&m, 1, dims));
    nnl_optimizer *sgd;
    assert_ok(nnl_optimizer_sgd(&sgd, 0.1f, 0.9f, 1));
    assert_status_msg(nnl_model_compile(m, NNL_LOSS_MSE, sgd), NNL_E_STATE, "no layers");
    assert_ok(nnl_layer_conv2d(&conv, 2, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_NONE));
    assert_status_msg(nnl_model_add(m, conv), NNL_E_SHAPE, "expected 3 (height, width, channels)");
    nnl_layer_free(conv); /* not handed over on failure */
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    assert_status_msg(nnl_model_add(m, l), NNL_E_STATE, "belongs to a model");
    nnl_layer_free(l); /* owned by the model: a no-op */

    float x[8] = {0}, y[2] = {0, 1};
    nnl_dataset *data;
    assert_ok(nnl_dataset_create(&data, 2, 1, dims, x, 0, NULL, y));
    assert_status_msg(nnl_model_fit(m, data, NULL, 1, 2, 0, NULL, NULL), NNL_E_STATE, "not compiled");
    assert_status_msg(nnl_model_compile(m, (nnl_loss)9, sgd), NNL_E_INVALID_ARG, "unknown loss");
    assert_ok(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, sgd));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_NONE));
    assert_status_msg(nnl_model_add(m, l), NNL_E_STATE, "compiled");
    nnl_layer_free(l);
    assert_status_msg(nnl_model_fit(m, data, NULL, 0, 2, 0, NULL, NULL), NNL_E_INVALID_ARG, "epochs=0");

    nnl_dataset *wrong;
    assert_ok(nnl_dataset_create(&wrong, 1, 1, bad_dims, x, 0, NULL, y));
    assert_status_msg(nnl_model_fit(m, wrong, NULL, 1, 1, 0, NULL, NULL), NNL_E_SHAPE, "samples have shape [5]");
    nnl_dataset_free(wrong);

    float bad_label[2] = {0, 7};
    nnl_dataset *labels;
    assert_ok(nnl_dataset_create(&labels, 2, 1, dims, x, 0, NULL, bad_label));
    assert_status_msg(nnl_model_fit(m, labels, NULL, 1, 2, 0, NULL, NULL), NNL_E_INVALID_ARG, "label 7");
    nnl_dataset_free(labels);

    float nan_x[8] = {NAN, 0, 0, 0, 1, 1, 1, 1};
    nnl_dataset *nan_data;
    assert_ok(nnl_dataset_create(&nan_data, 2, 1, dims, nan_x, 0, NULL, y));
    assert_status_msg(nnl_model_fit(m, nan_data, NULL, 1, 1, 0, NULL, NULL), NNL_E_NUMERIC, "sample 0 element 0 is nan");
    nnl_dataset_free(nan_data);

    nnl_tensor *in, *out;
    const int64_t in_dims[2] = {1, 5}, out_dims[2] = {1, 3};
    assert_ok(nnl_tensor_create(&in, 2, in_dims));
    assert_ok(nnl_tensor_create(&out, 2, out_dims));
    assert_status_msg(nnl_model_predict(m, in, out), NNL_E_SHAPE, "x has shape [1, 5]");
    assert_ok(nnl_tensor_reshape(in, 1, (const int64_t[]){5}));
    nnl_tensor_free(in);
    assert_ok(nnl_tensor_create(&in, 1, dims));
    nnl_tensor_data(in)[2] = INFINITY;
    assert_status_msg(nnl_model_predict(m, in, out), NNL_E_NUMERIC, "input element 2");
    nnl_tensor_data(in)[2] = 0;
    assert_ok(nnl_model_predict(m, in, out)); /* one sample without a batch dim */
    double sum = nnl_tensor_data(out)[0] + nnl_tensor_data(out)[1] + nnl_tensor_data(out)[2];
    assert_true(fabs(sum - 1.0) < 1e-5);

    assert_status_msg(nnl_model_save(m, "/nonexistent-dir/model.safetensors", 0), NNL_E_IO, "/nonexistent-dir");
    nnl_model *missing = NULL;
    assert_status_msg(nnl_model_load(&missing, "/nonexistent-file"), NNL_E_IO, "/nonexistent-file");
    assert_null(missing);
    assert_status_msg(nnl_model_save(m, "/tmp/x", 8), NNL_E_INVALID_ARG, "flags");
    assert_status_msg(nnl_model_summary(NULL, NULL, 0, NULL), NNL_E_INVALID_ARG, "model is NULL");
    assert_int_equal(nnl_model_num_layers(NULL), -1);
    assert_null(nnl_model_layer(m, 5));
    nnl_tensor_free(in);
    nnl_tensor_free(out);
    nnl_dataset_free(data);
    nnl_model_free(m);
    nnl_model_free(NULL);
}

/* Linear regression with MSE and SGD recovers the line. */
static void mse_regression_recovers_weights(void **state)
{
    (void)state;
    enum { N = 200 };
    float x[N * 2], t[N];
    test_fill_random(x, N * 2, 9);
    for (int i = 0; i < N; i++)
        t[i] = 3.0f * x[2 * i] - 2.0f * x[2 * i + 1] + 0.5f;
    const int64_t dims[1] = {2}, one[1] = {1};
    nnl_dataset *data;
    assert_ok(nnl_dataset_create(&data, N, 1, dims, x, 1, one, t));
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, dims));
    assert_ok(nnl_layer_dense(&l, 1, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    nnl_optimizer *sgd;
    assert_ok(nnl_optimizer_sgd(&sgd, 0.1f, 0.0f, 0));
    assert_ok(nnl_model_compile(m, NNL_LOSS_MSE, sgd));
    assert_ok(nnl_model_fit(m, data, NULL, 60, 20, 3, NULL, NULL));
    nnl_tensor *w, *b;
    assert_ok(nnl_layer_param(nnl_model_layer(m, 0), 0, NULL, &w, NULL));
    assert_ok(nnl_layer_param(nnl_model_layer(m, 0), 1, NULL, &b, NULL));
    assert_float_equal(nnl_tensor_data(w)[0], 3.0f, 1e-3);
    assert_float_equal(nnl_tensor_data(w)[1], -2.0f, 1e-3);
    assert_float_equal(nnl_tensor_data(b)[0], 0.5f, 1e-3);
    double loss, accuracy;
    assert_ok(nnl_model_evaluate(m, data, 50, &loss, &accuracy));
    assert_true(loss < 1e-6 && isnan(accuracy));
    nnl_model_free(m);
    nnl_dataset_free(data);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(summary_matches_keras),
        cmocka_unit_test(misuse_returns_status),
        cmocka_unit_test(mse_regression_recovers_weights),
        cmocka_unit_test(resume_continues_identically),
        cmocka_unit_test(trains_on_real_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
