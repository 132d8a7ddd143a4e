/* Misuse of dataset.h. */
#include <math.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static const int64_t x_dims[2] = {2, 3};

static void misuse_nnl_dataset_create(void **state)
{
    (void)state;
    float x[12] = {0}, y[2] = {0, 1};
    const int64_t zero[2] = {2, 0}, huge[2] = {(int64_t)1 << 30, (int64_t)1 << 10};
    nnl_dataset *ds = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, NULL, 2, 2, x_dims, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 2, x_dims, NULL, 0, NULL, y);
    assert_null(ds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 2, x_dims, x, 0, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 0, 2, x_dims, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, -5, 2, x_dims, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, -1, x_dims, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 8, x_dims, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 2, NULL, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 2, zero, x, 0, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create, &ds, 2, 2, x_dims, x, 1, NULL, y);
    /* too large: refused before anything is read from x or allocated */
    expect_misuse(NNL_E_NOMEM, nnl_dataset_create, &ds, (int64_t)1 << 20, 2, huge, x, 0, NULL, y);
    expect_misuse(NNL_E_NOMEM, nnl_dataset_create, &ds, INT64_MAX, 2, x_dims, x, 0, NULL, y);
    assert_null(ds);
}

static void misuse_nnl_dataset_create_labeled(void **state)
{
    (void)state;
    float x[12] = {0};
    int32_t labels[2] = {0, 1}, negative[2] = {0, -1}, too_big[2] = {1 << 24, 0};
    nnl_dataset *ds = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, NULL, 2, 2, x_dims, x, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 2, 2, x_dims, NULL, labels);
    assert_null(ds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 2, 2, x_dims, x, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 2, 2, x_dims, x, negative);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 2, 2, x_dims, x, too_big);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 0, 2, x_dims, x, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, -1, 2, x_dims, x, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_labeled, &ds, 2, 9, x_dims, x, labels);
    assert_null(ds);
}

static void misuse_nnl_dataset_free(void **state)
{
    (void)state;
    nnl_dataset_free(NULL);
}

static void misuse_nnl_dataset_load_idx(void **state)
{
    (void)state;
    char dir[256], images[512], labels[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(images, sizeof images, dir, "images");
    fixture_path(labels, sizeof labels, dir, "labels");
    nnl_dataset *ds = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx, NULL, images, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx, &ds, NULL, labels);
    assert_null(ds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx, &ds, images, NULL);
    expect_misuse(NNL_E_IO, nnl_dataset_load_idx, &ds, images, labels);
    assert_non_null(strstr(nnl_last_error(), images));
    expect_misuse(NNL_E_IO, nnl_dataset_load_idx, &ds, dir, labels); /* a directory */
    const unsigned char garbage[8] = {0, 0, 8, 1, 0, 0, 0, 9};
    fixture_write_file(images, garbage, sizeof garbage);
    expect_misuse(NNL_E_FORMAT, nnl_dataset_load_idx, &ds, images, labels);
    assert_non_null(strstr(nnl_last_error(), "bad magic"));
    fixture_write_file(images, "", 0);
    expect_misuse(NNL_E_FORMAT, nnl_dataset_load_idx, &ds, images, labels);
    assert_null(ds);
    fixture_remove_tree(dir);
}

static void misuse_nnl_dataset_load_idx_dir(void **state)
{
    (void)state;
    char dir[256];
    fixture_temp_dir(dir, sizeof dir);
    nnl_dataset *train = (nnl_dataset *)1, *test = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx_dir, NULL, &test, dir);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx_dir, &train, NULL, dir);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx_dir, &train, &test, NULL);
    assert_null(train);
    assert_null(test);
    expect_misuse(NNL_E_IO, nnl_dataset_load_idx_dir, &train, &test, dir);
    assert_non_null(strstr(nnl_last_error(), dir));
    expect_misuse(NNL_E_IO, nnl_dataset_load_idx_dir, &train, &test, "/nonexistent/nnlite");
    char long_dir[5000];
    memset(long_dir, 'a', sizeof long_dir - 1);
    long_dir[sizeof long_dir - 1] = '\0';
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_load_idx_dir, &train, &test, long_dir);
    assert_null(train);
    assert_null(test);
    fixture_remove_tree(dir);
}

static void misuse_nnl_dataset_size(void **state)
{
    (void)state;
    assert_int_equal(nnl_dataset_size(NULL), -1);
}

static void misuse_nnl_dataset_sample_shape(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(3);
    int64_t dims[8];
    int ndim;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_sample_shape, NULL, dims, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_sample_shape, ds, dims, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_sample_shape, ds, NULL, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_sample_shape, ds, dims, 2, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_sample_shape, ds, dims, -1, &ndim);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_target_shape(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(3);
    int ndim = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_target_shape, NULL, NULL, 0, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_target_shape, ds, NULL, 0, NULL);
    assert_ok(nnl_dataset_target_shape(ds, NULL, 0, &ndim)); /* labels: ndim 0 needs no dims */
    assert_int_equal(ndim, 0);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_num_classes(void **state)
{
    (void)state;
    assert_int_equal(nnl_dataset_num_classes(NULL), 0);
}

static void misuse_nnl_dataset_class_name(void **state)
{
    (void)state;
    assert_null(nnl_dataset_class_name(NULL, 0));
    nnl_dataset *ds = fixture_images(4); /* labelled, classes without names */
    assert_null(nnl_dataset_class_name(ds, 0));
    assert_null(nnl_dataset_class_name(ds, -1));
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_get_batch(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(4);
    nnl_tensor *x = fixture_image_batch(2, 1), *wrong = fixture_image_batch(3, 1), *y = NULL;
    const int64_t y_dims[1] = {2};
    assert_ok(nnl_tensor_create(&y, 1, y_dims));
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, NULL, 0, 2, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, 0, 2, NULL, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, -1, 2, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, 3, 2, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, 0, 0, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, 0, -2, x, y);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_batch, ds, 2, INT64_MAX, x, y);
    expect_misuse(NNL_E_SHAPE, nnl_dataset_get_batch, ds, 0, 2, wrong, y);
    expect_misuse(NNL_E_SHAPE, nnl_dataset_get_batch, ds, 0, 2, x, wrong);
    nnl_tensor_free(x);
    nnl_tensor_free(wrong);
    nnl_tensor_free(y);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_get_labels(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(4), *regression = NULL;
    float x[2] = {0, 1}, y[2] = {0.5f, 1.5f};
    const int64_t one[1] = {1};
    assert_ok(nnl_dataset_create(&regression, 2, 1, one, x, 0, NULL, y));
    int32_t labels[4];
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_labels, NULL, 0, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_labels, ds, 0, 2, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_labels, ds, 3, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_labels, ds, INT64_MIN, 2, labels);
    expect_misuse(NNL_E_STATE, nnl_dataset_get_labels, regression, 0, 2, labels);
    nnl_dataset_free(ds);
    nnl_dataset_free(regression);
}

static void misuse_nnl_dataset_create_multilabel(void **state)
{
    (void)state;
    const float x[3] = {0, 1, 2};
    const uint8_t labels[6] = {0, 1, 1, 1, 0, 0}, bad[6] = {0, 1, 1, 7, 0, 0};
    const int64_t one[1] = {1}, zero[1] = {0};
    nnl_dataset *ds = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, NULL, 3, 1, one, x, 3, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 3, 1, one, NULL, 3, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 3, 1, one, x, 3, 2, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_dataset_create_multilabel, &ds, 3, 1, one, x, 2, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 3, 1, one, x, 3, 0, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 3, 1, zero, x, 3, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 0, 1, one, x, 0, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_create_multilabel, &ds, 3, 1, one, x, 3, 2, bad);
    assert_non_null(strstr(nnl_last_error(), "labels[1][1]=7"));
    assert_null(ds);
}

static void misuse_nnl_dataset_is_multilabel(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(4);
    assert_int_equal(nnl_dataset_is_multilabel(NULL), 0);
    assert_int_equal(nnl_dataset_is_multilabel(ds), 0);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_get_multilabels(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(4), *multi = NULL;
    const float x[2] = {0, 1};
    const uint8_t rows[4] = {1, 0, 1, 1};
    const int64_t one[1] = {1};
    assert_ok(nnl_dataset_create_multilabel(&multi, 2, 1, one, x, 2, 2, rows));
    uint8_t labels[8];
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_multilabels, NULL, 0, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_multilabels, multi, 0, 2, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_multilabels, multi, 1, 2, labels);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_get_multilabels, multi, INT64_MIN, 2, labels);
    expect_misuse(NNL_E_STATE, nnl_dataset_get_multilabels, ds, 0, 2, labels);
    assert_ok(nnl_dataset_get_multilabels(multi, 0, 2, labels));
    assert_memory_equal(labels, rows, 4);
    nnl_dataset_free(ds);
    nnl_dataset_free(multi);
}

static void misuse_nnl_dataset_shuffle(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_shuffle, NULL, 1);
}

static void misuse_nnl_dataset_split(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(4), *a = (nnl_dataset *)1, *b = (nnl_dataset *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, NULL, 2, &a, &b);
    assert_null(a);
    assert_null(b);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, 2, NULL, &b);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, 2, &a, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, 0, &a, &b);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, 4, &a, &b);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, -1, &a, &b);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_split, ds, INT64_MAX, &a, &b);
    assert_null(a);
    assert_null(b);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_normalize(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, NULL, 0, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, ds, 0, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, ds, 0, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, ds, NAN, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, ds, 0, INFINITY);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_normalize, ds, 0, NAN);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_scale(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_scale, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_scale, ds, NAN);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_scale, ds, -INFINITY);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_mean_std(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(2);
    float mean, std;
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_mean_std, NULL, &mean, &std);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_mean_std, ds, NULL, &std);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_mean_std, ds, &mean, NULL);
    nnl_dataset_free(ds);
}

static void misuse_nnl_dataset_set_augmentation(void **state)
{
    (void)state;
    nnl_dataset *ds = fixture_images(2), *flat = NULL;
    float x[4] = {0};
    int32_t labels[2] = {0, 1};
    const int64_t two[1] = {2};
    assert_ok(nnl_dataset_create_labeled(&flat, 2, 1, two, x, labels));
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, NULL, 10, 0.1f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, -1, 0.1f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, 181, 0.1f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, NAN, 0.1f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, 10, 1.0f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, 10, -0.1f, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, 10, 0.1f, -1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_dataset_set_augmentation, ds, 10, 0.1f, INFINITY, 1);
    expect_misuse(NNL_E_SHAPE, nnl_dataset_set_augmentation, flat, 10, 0.1f, 1, 1);
    assert_ok(nnl_dataset_set_augmentation(flat, 0, 0, 0, 1)); /* disabling is always fine */
    nnl_dataset_free(ds);
    nnl_dataset_free(flat);
}

const misuse_case misuse_dataset_cases[] = {
    MISUSE_CASE(nnl_dataset_create),
    MISUSE_CASE(nnl_dataset_create_labeled),
    MISUSE_CASE(nnl_dataset_free),
    MISUSE_CASE(nnl_dataset_load_idx),
    MISUSE_CASE(nnl_dataset_load_idx_dir),
    MISUSE_CASE(nnl_dataset_size),
    MISUSE_CASE(nnl_dataset_sample_shape),
    MISUSE_CASE(nnl_dataset_target_shape),
    MISUSE_CASE(nnl_dataset_num_classes),
    MISUSE_CASE(nnl_dataset_class_name),
    MISUSE_CASE(nnl_dataset_get_batch),
    MISUSE_CASE(nnl_dataset_get_labels),
    MISUSE_CASE(nnl_dataset_create_multilabel),
    MISUSE_CASE(nnl_dataset_is_multilabel),
    MISUSE_CASE(nnl_dataset_get_multilabels),
    MISUSE_CASE(nnl_dataset_shuffle),
    MISUSE_CASE(nnl_dataset_split),
    MISUSE_CASE(nnl_dataset_normalize),
    MISUSE_CASE(nnl_dataset_scale),
    MISUSE_CASE(nnl_dataset_mean_std),
    MISUSE_CASE(nnl_dataset_set_augmentation),
    {NULL, NULL},
};
