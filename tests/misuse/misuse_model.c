/* Misuse of model.h: NULLs, wrong shapes, and calls in the wrong order (fit
 * or evaluate before compile, add after compile, a layer or optimizer that
 * belongs to another model, saving optimizer state of an uncompiled model). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static const int64_t image[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};

static nnl_optimizer *sgd(void)
{
    nnl_optimizer *o = NULL;
    assert_ok(nnl_optimizer_sgd(&o, 0.1f, 0.0f, 0));
    return o;
}

static nnl_tensor *tensor2(int64_t rows, int64_t cols)
{
    const int64_t dims[2] = {rows, cols};
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, 2, dims));
    return t;
}

static void misuse_nnl_model_create(void **state)
{
    (void)state;
    const int64_t zero[2] = {3, 0}, eight[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const int64_t huge[2] = {(int64_t)1 << 40, 2};
    nnl_model *m = (nnl_model *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, NULL, 3, image);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, &m, 0, image);
    assert_null(m);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, &m, -1, image);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, &m, 8, eight);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, &m, 2, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_create, &m, 2, zero);
    expect_misuse(NNL_E_NOMEM, nnl_model_create, &m, 2, huge);
    assert_null(m);
}

static void misuse_nnl_model_free(void **state)
{
    (void)state;
    nnl_model_free(NULL);
}

static void misuse_nnl_model_set_seed(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_seed, NULL, 1);
}

static void misuse_nnl_model_set_padding_token(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_padding_token, NULL, 1);
    nnl_model *images = fixture_cnn(), *tokens;
    const int64_t T = 4;
    assert_ok(nnl_model_create(&tokens, 1, &T));
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_padding_token, tokens, -2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_padding_token, tokens, 1 << 24);
    expect_misuse(NNL_E_SHAPE, nnl_model_set_padding_token, images, 1);
    assert_int_equal(nnl_model_padding_token(tokens), -1);
    assert_ok(nnl_model_set_padding_token(images, -1)); /* none: any model */
    assert_ok(nnl_model_set_padding_token(tokens, 0));
    assert_int_equal(nnl_model_padding_token(tokens), 0);
    nnl_model_free(tokens);
    nnl_model_free(images);
}

static void misuse_nnl_model_padding_token(void **state)
{
    (void)state;
    assert_int_equal(nnl_model_padding_token(NULL), -1);
}

static void misuse_nnl_model_truncate(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_truncate, NULL, 0);
    nnl_model *m = fixture_cnn(), *compiled = fixture_compiled_cnn();
    int n = nnl_model_num_layers(m);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_truncate, m, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_truncate, m, n + 1);
    expect_misuse(NNL_E_STATE, nnl_model_truncate, compiled, 1);
    assert_int_equal(nnl_model_num_layers(compiled), n);
    assert_ok(nnl_model_truncate(m, n)); /* keeps everything */
    assert_ok(nnl_model_truncate(m, 1));
    assert_int_equal(nnl_model_num_layers(m), 1);
    assert_ok(nnl_model_truncate(m, 0));
    nnl_model_free(m);
    nnl_model_free(compiled);
    nnl_gpt *g = fixture_gpt();
    expect_misuse(NNL_E_STATE, nnl_model_truncate, nnl_gpt_model(g), 1);
    nnl_gpt_free(g);
}

static void misuse_nnl_model_set_tokenizer(void **state)
{
    (void)state;
    nnl_tokenizer *t = fixture_tokenizer();
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_tokenizer, NULL, t);
    nnl_model *m = fixture_cnn();
    assert_ok(nnl_model_set_tokenizer(m, t));
    assert_int_equal(nnl_tokenizer_vocab_size(nnl_model_tokenizer(m)), nnl_tokenizer_vocab_size(t));
    assert_ok(nnl_model_set_tokenizer(m, NULL));
    assert_null(nnl_model_tokenizer(m));
    nnl_model_free(m);
    nnl_tokenizer_free(t);
}

static void misuse_nnl_model_tokenizer(void **state)
{
    (void)state;
    assert_null(nnl_model_tokenizer(NULL));
}

static void misuse_nnl_model_set_class_names(void **state)
{
    (void)state;
    const char *names[2] = {"cat", "dog"}, *holes[2] = {"cat", NULL};
    char long_name[1100];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *too_long[1] = {long_name};
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, NULL, names, 2);
    nnl_model *m = fixture_cnn();
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, m, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, m, names, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, m, names, (1 << 16) + 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, m, holes, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_set_class_names, m, too_long, 1);
    assert_ok(nnl_model_set_class_names(m, names, 2));
    assert_string_equal(nnl_model_class_name(m, 1), "dog");
    assert_ok(nnl_model_set_class_names(m, NULL, 0));
    assert_null(nnl_model_class_name(m, 0));
    nnl_model_free(m);
}

static void misuse_nnl_model_class_name(void **state)
{
    (void)state;
    assert_null(nnl_model_class_name(NULL, 0));
    nnl_model *m = fixture_cnn();
    const char *names[1] = {"only"};
    assert_ok(nnl_model_set_class_names(m, names, 1));
    assert_null(nnl_model_class_name(m, -1));
    assert_null(nnl_model_class_name(m, 1));
    nnl_model_free(m);
}

static void misuse_nnl_model_add(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *other = fixture_cnn();
    nnl_layer *conv = NULL, *d = NULL;
    assert_ok(nnl_layer_conv2d(&conv, 2, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_NONE));
    assert_ok(nnl_layer_dense(&d, 2, NNL_ACT_NONE));
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_add, NULL, d);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_add, m, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_add, m, conv); /* conv2d after a 1-D output */
    expect_misuse(NNL_E_STATE, nnl_model_add, m, nnl_model_layer(other, 0)); /* owned by other */
    expect_misuse(NNL_E_STATE, nnl_model_add, m, nnl_model_layer(m, 0)); /* already in m */
    assert_int_equal(nnl_model_num_layers(m), 4);
    assert_ok(nnl_model_compile(m, NNL_LOSS_MSE, sgd()));
    expect_misuse(NNL_E_STATE, nnl_model_add, m, d); /* after compile */
    /* on failure the caller still owns the layers */
    nnl_layer_free(conv);
    nnl_layer_free(d);
    nnl_model_free(m);
    nnl_model_free(other);
}

static void misuse_nnl_model_num_layers(void **state)
{
    (void)state;
    assert_int_equal(nnl_model_num_layers(NULL), -1);
}

static void misuse_nnl_model_layer(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    assert_null(nnl_model_layer(NULL, 0));
    assert_null(nnl_model_layer(m, -1));
    assert_null(nnl_model_layer(m, 4));
    assert_null(nnl_model_layer(m, INT32_MIN));
    nnl_model_free(m);
}

static void misuse_nnl_model_param_count(void **state)
{
    (void)state;
    assert_int_equal(nnl_model_param_count(NULL), -1);
}

static void misuse_nnl_model_output_shape(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    int64_t dims[8];
    int ndim;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_output_shape, NULL, dims, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_output_shape, m, NULL, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_output_shape, m, dims, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_output_shape, m, dims, 0, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_output_shape, m, dims, -4, &ndim);
    nnl_model_free(m);
}

static void misuse_nnl_model_summary(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    char tiny[8];
    size_t length = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_summary, NULL, tiny, sizeof tiny, &length);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_summary, m, NULL, 16, &length);
    assert_ok(nnl_model_summary(m, tiny, sizeof tiny, &length)); /* truncates, NUL-terminated */
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    assert_true(length > sizeof tiny);
    assert_ok(nnl_model_summary(m, NULL, 0, NULL));
    nnl_model_free(m);
}

static void misuse_nnl_model_compile(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *other = fixture_cnn(), *empty = NULL, *flat = NULL;
    nnl_optimizer *o = sgd();
    nnl_layer *l = NULL;
    assert_ok(nnl_model_create(&empty, 3, image));
    assert_ok(nnl_model_create(&flat, 3, image));
    assert_ok(nnl_layer_conv2d(&l, 2, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_NONE));
    assert_ok(nnl_model_add(flat, l));
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_compile, NULL, NNL_LOSS_MSE, o);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_compile, m, NNL_LOSS_MSE, NULL);
    expect_misuse(NNL_E_STATE, nnl_model_compile, empty, NNL_LOSS_MSE, o);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_compile, m, (nnl_loss)7, o);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_compile, m, (nnl_loss)-1, o);
    /* cross-entropy needs a 1-D output of classes */
    expect_misuse(NNL_E_SHAPE, nnl_model_compile, flat, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, o);
    assert_ok(nnl_model_compile(other, NNL_LOSS_MSE, o));
    expect_misuse(NNL_E_STATE, nnl_model_compile, m, NNL_LOSS_MSE, o); /* o belongs to other */
    nnl_optimizer_free(o); /* owned: a no-op, other keeps it */
    nnl_model_free(m);
    nnl_model_free(other);
    nnl_model_free(empty);
    nnl_model_free(flat);
}

static void misuse_nnl_progress_get(void **state)
{
    (void)state;
    assert_true(isnan(nnl_progress_get(NULL, NNL_PROGRESS_LOSS)));
}

typedef struct progress_probe {
    int calls;
    double unknown_key;
} progress_probe;

static int probe_progress(const nnl_progress *p, void *user)
{
    progress_probe *probe = user;
    probe->calls++;
    probe->unknown_key = nnl_progress_get(p, (nnl_progress_key)99);
    return 1; /* stop at once */
}

static void misuse_nnl_model_fit(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *compiled = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(8), *flat = NULL, *bad_labels = NULL;
    float x[8 * 2] = {0}, y[8];
    const int64_t two[1] = {2};
    for (int i = 0; i < 8; i++)
        y[i] = 0.5f;
    assert_ok(nnl_dataset_create(&flat, 8, 1, two, x, 0, NULL, y));
    float *pixels = calloc(8 * 36, sizeof *pixels);
    for (int i = 0; i < 8; i++)
        y[i] = (float)(i % 2 ? 7 : 0); /* 7 is not one of the 3 classes */
    assert_ok(nnl_dataset_create(&bad_labels, 8, 3, image, pixels, 0, NULL, y));
    free(pixels);
    expect_misuse(NNL_E_STATE, nnl_model_fit, m, data, NULL, 1, 4, 1, NULL, NULL); /* fit before compile */
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, NULL, data, NULL, 1, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, NULL, NULL, 1, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, data, NULL, 0, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, data, NULL, -1, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, data, NULL, 1, 0, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, data, NULL, 1, INT64_MAX, 1, NULL, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_fit, compiled, flat, NULL, 1, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_fit, compiled, data, flat, 1, 4, 1, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit, compiled, bad_labels, NULL, 1, 8, 1, NULL, NULL);
    progress_probe probe = {0, 0};
    expect_misuse(NNL_E_CANCELLED, nnl_model_fit, compiled, data, NULL, 2, 4, 1, probe_progress, &probe);
    assert_int_equal(probe.calls, 1);
    assert_true(isnan(probe.unknown_key));
    assert_ok(nnl_model_fit(compiled, data, data, 1, 3, 1, NULL, NULL)); /* still usable */
    nnl_dataset_free(data);
    nnl_dataset_free(flat);
    nnl_dataset_free(bad_labels);
    nnl_model_free(m);
    nnl_model_free(compiled);
}

static void misuse_nnl_model_evaluate(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *compiled = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(5), *flat = NULL;
    float x[10] = {0}, y[5] = {0};
    const int64_t two[1] = {2};
    assert_ok(nnl_dataset_create(&flat, 5, 1, two, x, 0, NULL, y));
    double loss, accuracy;
    expect_misuse(NNL_E_STATE, nnl_model_evaluate, m, data, 4, &loss, &accuracy);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate, NULL, data, 4, &loss, &accuracy);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate, compiled, NULL, 4, &loss, &accuracy);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate, compiled, data, 0, &loss, &accuracy);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate, compiled, data, -4, &loss, &accuracy);
    expect_misuse(NNL_E_SHAPE, nnl_model_evaluate, compiled, flat, 4, &loss, &accuracy);
    assert_ok(nnl_model_evaluate(compiled, data, 2, NULL, NULL)); /* outputs optional */
    nnl_dataset_free(data);
    nnl_dataset_free(flat);
    nnl_model_free(m);
    nnl_model_free(compiled);
}

static void misuse_nnl_model_predict(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    nnl_tensor *x = fixture_image_batch(2, 1), *y = tensor2(2, FIXTURE_CLASSES);
    nnl_tensor *wrong_x = tensor2(2, 36), *wrong_y = tensor2(3, FIXTURE_CLASSES);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict, NULL, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict, m, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict, m, x, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict, m, wrong_x, y);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict, m, x, wrong_y);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict, m, y, x);
    nnl_tensor_data(x)[40] = NAN;
    expect_misuse(NNL_E_NUMERIC, nnl_model_predict, m, x, y);
    assert_non_null(strstr(nnl_last_error(), "element 40"));
    nnl_tensor_data(x)[40] = -INFINITY;
    expect_misuse(NNL_E_NUMERIC, nnl_model_predict, m, x, y);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_tensor_free(wrong_x);
    nnl_tensor_free(wrong_y);
    nnl_model_free(m);
}

static void misuse_nnl_model_predict_dataset(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    nnl_dataset *data = fixture_images(3), *flat = NULL, *with_nan = NULL;
    float x[6] = {0}, y[3] = {0}, pixels[3 * 36] = {0}, outputs[3 * FIXTURE_CLASSES];
    int32_t classes[3];
    const int64_t two[1] = {2};
    assert_ok(nnl_dataset_create(&flat, 3, 1, two, x, 0, NULL, y));
    pixels[2 * 36 + 5] = NAN;
    assert_ok(nnl_dataset_create(&with_nan, 3, 3, image, pixels, 0, NULL, y));
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_dataset, NULL, data, 2, outputs, classes);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_dataset, m, NULL, 2, outputs, classes);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_dataset, m, data, 0, outputs, classes);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_dataset, m, data, INT64_MAX, outputs, classes);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict_dataset, m, flat, 2, outputs, classes);
    expect_misuse(NNL_E_NUMERIC, nnl_model_predict_dataset, m, with_nan, 2, outputs, classes);
    assert_ok(nnl_model_predict_dataset(m, data, 2, NULL, NULL));
    nnl_dataset_free(data);
    nnl_dataset_free(flat);
    nnl_dataset_free(with_nan);
    nnl_model_free(m);
}

static void misuse_nnl_model_predict_multilabel(void **state)
{
    (void)state;
    nnl_model *softmax = fixture_cnn(), *head = NULL;
    nnl_dataset *data = fixture_images(3), *flat = NULL;
    const int64_t two[1] = {2};
    const float x[6] = {0}, y[3] = {0};
    assert_ok(nnl_dataset_create(&flat, 3, 1, two, x, 0, NULL, y));
    nnl_layer *l = NULL;
    assert_ok(nnl_model_create(&head, 1, two));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SIGMOID));
    assert_ok(nnl_model_add(head, l));
    float probabilities[3 * FIXTURE_CLASSES], thresholds[3] = {0.5f, NAN, 0.5f};
    uint8_t labels[3 * FIXTURE_CLASSES];
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_multilabel, NULL, flat, 2, NULL, probabilities, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_multilabel, head, NULL, 2, NULL, probabilities, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_multilabel, head, flat, 0, NULL, probabilities, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_multilabel, head, flat, 2, thresholds, probabilities,
                  labels);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict_multilabel, head, data, 2, NULL, probabilities, labels);
    expect_misuse(NNL_E_STATE, nnl_model_predict_multilabel, softmax, data, 2, NULL, probabilities, labels);
    assert_ok(nnl_model_predict_multilabel(head, flat, 2, NULL, probabilities, labels));
    nnl_dataset_free(data);
    nnl_dataset_free(flat);
    nnl_model_free(softmax);
    nnl_model_free(head);
}

static void misuse_nnl_model_save(void **state)
{
    (void)state;
    char dir[256], path[512], missing[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "m.safetensors");
    fixture_path(missing, sizeof missing, dir, "no/such/dir/m.safetensors");
    nnl_model *m = fixture_cnn();
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_save, NULL, path, NNL_SAVE_WEIGHTS);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_save, m, NULL, NNL_SAVE_WEIGHTS);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_save, m, path, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_save, m, path, -1);
    expect_misuse(NNL_E_STATE, nnl_model_save, m, path, NNL_SAVE_OPTIMIZER); /* not compiled */
    expect_misuse(NNL_E_IO, nnl_model_save, m, missing, NNL_SAVE_WEIGHTS);
    assert_non_null(strstr(nnl_last_error(), missing));
    expect_misuse(NNL_E_IO, nnl_model_save, m, dir, NNL_SAVE_WEIGHTS); /* a directory */
    expect_misuse(NNL_E_IO, nnl_model_save, m, "", NNL_SAVE_WEIGHTS);
    assert_int_equal(access(path, F_OK), -1);
    nnl_model_free(m);
    fixture_remove_tree(dir);
}

static void misuse_nnl_model_load(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "m.safetensors");
    nnl_model *m = (nnl_model *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_load, NULL, path);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_load, &m, NULL);
    expect_misuse(NNL_E_IO, nnl_model_load, &m, path);
    assert_null(m);
    assert_non_null(strstr(nnl_last_error(), path));
    expect_misuse(NNL_E_IO, nnl_model_load, &m, dir);
    fixture_write_file(path, "not a model", 11);
    expect_misuse(NNL_E_FORMAT, nnl_model_load, &m, path);
    assert_non_null(strstr(nnl_last_error(), path));
    nnl_gpt *g = fixture_gpt(); /* a model file of the other kind */
    assert_ok(nnl_gpt_save(g, path, NNL_GPT_SAVE_WEIGHTS));
    nnl_gpt_free(g);
    expect_misuse(NNL_E_FORMAT, nnl_model_load, &m, path);
    assert_null(m);
    fixture_remove_tree(dir);
}

static void misuse_nnl_model_fit_with(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *compiled = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(8);
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.batch_size = 4;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit_with, NULL, data, &o);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit_with, compiled, NULL, &o);
    expect_misuse(NNL_E_STATE, nnl_model_fit_with, m, data, &o); /* not compiled */
    const nnl_fit_options bad[] = {
        {sizeof o, 0, 0, 4, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 1, 0, 0},      /* epochs 0 */
        {sizeof o, 1, -1, 4, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 1, 0, 0},     /* negative steps */
        {sizeof o, 1, 0, 0, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 1, 0, 0},      /* batch 0 */
        {sizeof o, 1, 2, 4, NULL, -1, 0, NULL, 0, NULL, NULL, 0.0f, 1, 0, 0},     /* negative interval */
        {sizeof o, 1, 2, 4, NULL, 0, 0, NULL, 1, NULL, NULL, 0.0f, 1, 0, 0},      /* checkpoints, no path */
        {sizeof o, 1, 0, 4, NULL, 0, 0, "x", 1, NULL, NULL, 0.0f, 1, 0, 0},       /* checkpoints by epochs */
        {sizeof o, 1, 2, 4, NULL, 0, 0, NULL, 0, NULL, NULL, -1.0f, 1, 0, 0},     /* negative clip */
        {sizeof o, 1, 2, 4, NULL, 0, 0, NULL, 0, NULL, NULL, NAN, 1, 0, 0},       /* NaN clip */
        {sizeof o, 1, 2, 4, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 1, -1, 0},     /* negative threads */
        {offsetof(nnl_fit_options, threads), 1, 2, 4, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 1, 0, 0}, /* too old */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_misuse(NNL_E_INVALID_ARG, nnl_model_fit_with, compiled, data, &bad[i]);
    nnl_dataset *other = fixture_images(4);
    assert_ok(nnl_dataset_scale(other, 1.0f));
    const int64_t flat[1] = {FIXTURE_IMAGE_SIZE * FIXTURE_IMAGE_SIZE};
    float x[4 * FIXTURE_IMAGE_SIZE * FIXTURE_IMAGE_SIZE] = {0};
    const int32_t labels[4] = {0, 1, 2, 0};
    nnl_dataset *wrong = NULL;
    assert_ok(nnl_dataset_create_labeled(&wrong, 4, 1, flat, x, labels));
    o.validation = wrong;
    expect_misuse(NNL_E_SHAPE, nnl_model_fit_with, compiled, data, &o);
    nnl_dataset_free(wrong);
    nnl_dataset_free(other);
    nnl_dataset_free(data);
    nnl_model_free(m);
    nnl_model_free(compiled);
}

static void misuse_nnl_model_evaluate_sampled(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *compiled = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(8);
    double loss;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate_sampled, NULL, data, 1, 4, 1, &loss, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate_sampled, compiled, NULL, 1, 4, 1, &loss, NULL);
    expect_misuse(NNL_E_STATE, nnl_model_evaluate_sampled, m, data, 1, 4, 1, &loss, NULL); /* no loss */
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate_sampled, compiled, data, 0, 4, 1, &loss, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate_sampled, compiled, data, 1, 0, 1, &loss, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_evaluate_sampled, compiled, data, 1, (1 << 20) + 1, 1, &loss, NULL);
    nnl_dataset_free(data);
    nnl_model_free(m);
    nnl_model_free(compiled);
}

static int count_token(int32_t token, void *user)
{
    (void)token;
    ++*(int *)user;
    return 0;
}

static void misuse_nnl_model_generate(void **state)
{
    (void)state;
    nnl_model *cnn = fixture_cnn();
    nnl_gpt *gpt = fixture_gpt();
    nnl_model *m = nnl_gpt_model(gpt);
    const int32_t prompt[2] = {1, 2}, out_of_range[1] = {1 << 20};
    int count = 0;
    nnl_generate_options o = NNL_GENERATE_OPTIONS_INIT;
    o.max_tokens = 3;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, NULL, prompt, 2, &o, count_token, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, m, NULL, 2, &o, count_token, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, m, prompt, 2, &o, NULL, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, m, prompt, 0, &o, count_token, &count);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, m, out_of_range, 1, &o, count_token, &count);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_model_generate, cnn, prompt, 2, &o, count_token, &count);
    const nnl_generate_options bad[] = {
        {sizeof o, -1, 0.8f, 0, 1.0f, 1}, {sizeof o, 3, -1.0f, 0, 1.0f, 1}, {sizeof o, 3, NAN, 0, 1.0f, 1},
        {sizeof o, 3, 0.8f, -1, 1.0f, 1}, {sizeof o, 3, 0.8f, 0, 0.0f, 1}, {sizeof o, 3, 0.8f, 0, 1.5f, 1},
        {4, 3, 0.8f, 0, 1.0f, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_misuse(NNL_E_INVALID_ARG, nnl_model_generate, m, prompt, 2, &bad[i], count_token, &count);
    assert_int_equal(count, 0);
    assert_ok(nnl_model_generate(m, prompt, 2, &o, count_token, &count));
    assert_int_equal(count, 3);
    nnl_model_free(cnn);
    nnl_gpt_free(gpt);
}

static void misuse_nnl_model_attention_weights(void **state)
{
    (void)state;
    nnl_model *cnn = fixture_cnn();
    nnl_gpt *gpt = fixture_gpt();
    nnl_model *m = nnl_gpt_model(gpt);
    const int32_t tokens[3] = {1, 2, 3}, out_of_range[1] = {1 << 20};
    int64_t layers = 0, heads = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_attention_weights, NULL, tokens, 3, NULL, 0, &layers, &heads);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_attention_weights, m, NULL, 3, NULL, 0, &layers, &heads);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_attention_weights, m, tokens, 0, NULL, 0, &layers, &heads);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_model_attention_weights, cnn, tokens, 3, NULL, 0, &layers, &heads);
    assert_ok(nnl_model_attention_weights(m, tokens, 3, NULL, 0, &layers, &heads));
    float *w = calloc((size_t)(layers * heads * 9), sizeof(float));
    assert_non_null(w);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_attention_weights, m, tokens, 3, w, layers * heads * 9 - 1, NULL,
                  NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_attention_weights, m, out_of_range, 1, w, layers * heads, NULL, NULL);
    assert_ok(nnl_model_attention_weights(m, tokens, 3, w, layers * heads * 9, NULL, NULL));
    assert_float_equal(w[0], 1.0f, 1e-6); /* the first query sees only itself */
    free(w);
    nnl_model_free(cnn);
    nnl_gpt_free(gpt);
}

const misuse_case misuse_model_cases[] = {
    MISUSE_CASE(nnl_model_create),
    MISUSE_CASE(nnl_model_free),
    MISUSE_CASE(nnl_model_set_seed),
    MISUSE_CASE(nnl_model_set_padding_token),
    MISUSE_CASE(nnl_model_padding_token),
    MISUSE_CASE(nnl_model_truncate),
    MISUSE_CASE(nnl_model_set_tokenizer),
    MISUSE_CASE(nnl_model_tokenizer),
    MISUSE_CASE(nnl_model_set_class_names),
    MISUSE_CASE(nnl_model_class_name),
    MISUSE_CASE(nnl_model_add),
    MISUSE_CASE(nnl_model_num_layers),
    MISUSE_CASE(nnl_model_layer),
    MISUSE_CASE(nnl_model_param_count),
    MISUSE_CASE(nnl_model_output_shape),
    MISUSE_CASE(nnl_model_summary),
    MISUSE_CASE(nnl_model_compile),
    MISUSE_CASE(nnl_progress_get),
    MISUSE_CASE(nnl_model_fit),
    MISUSE_CASE(nnl_model_evaluate),
    MISUSE_CASE(nnl_model_predict),
    MISUSE_CASE(nnl_model_predict_dataset),
    MISUSE_CASE(nnl_model_predict_multilabel),
    MISUSE_CASE(nnl_model_save),
    MISUSE_CASE(nnl_model_load),
    MISUSE_CASE(nnl_model_fit_with),
    MISUSE_CASE(nnl_model_evaluate_sampled),
    MISUSE_CASE(nnl_model_generate),
    MISUSE_CASE(nnl_model_attention_weights),
    {NULL, NULL},
};
