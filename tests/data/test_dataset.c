/* nnl_dataset: creation, shapes, batches, shuffle, split, normalisation,
 * augmentation (determinism, identity, geometry, mass) and misuse. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "data/augment.h"
#include "data/dataset.h"

/* count samples of shape {2, 3}; sample i holds 100 * i + k, target i is i % classes. */
static nnl_dataset *make_labeled(int64_t count, int32_t classes)
{
    float *x = malloc((size_t)count * 6 * sizeof *x);
    int32_t *labels = malloc((size_t)count * sizeof *labels);
    assert_non_null(x);
    assert_non_null(labels);
    for (int64_t i = 0; i < count; i++) {
        for (int k = 0; k < 6; k++)
            x[i * 6 + k] = (float)(100 * i + k);
        labels[i] = (int32_t)(i % classes);
    }
    int64_t dims[2] = {2, 3};
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_create_labeled(&ds, count, 2, dims, x, labels));
    free(x);
    free(labels);
    return ds;
}

/* All samples of ds (count * 6 floats, caller frees). */
static float *all_samples(const nnl_dataset *ds)
{
    int64_t n = nnl_dataset_size(ds), dims[3] = {n, 2, 3};
    nnl_tensor *x = NULL;
    assert_ok(nnl_tensor_create(&x, 3, dims));
    assert_ok(nnl_dataset_get_batch(ds, 0, n, x, NULL));
    float *copy = malloc((size_t)n * 6 * sizeof *copy);
    assert_non_null(copy);
    assert_ok(nnl_tensor_copy_to(x, copy, n * 6));
    nnl_tensor_free(x);
    return copy;
}

/* ---- creation and queries ---------------------------------------------- */

static void create_copies_and_reports_shapes(void **state)
{
    (void)state;
    float x[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, y[4] = {0.5f, 1, 2, 3};
    int64_t x_dims[2] = {2, 3}, y_dims[1] = {2};
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_create(&ds, 2, 2, x_dims, x, 1, y_dims, y));
    x[0] = 42; /* copied: the dataset does not see this */
    assert_int_equal(nnl_dataset_size(ds), 2);
    assert_int_equal(nnl_dataset_sample_size(ds), 6);
    assert_int_equal(nnl_dataset_target_size(ds), 2);
    int64_t dims[8];
    int ndim = -1;
    assert_ok(nnl_dataset_sample_shape(ds, dims, 8, &ndim));
    assert_true(ndim == 2 && dims[0] == 2 && dims[1] == 3);
    assert_ok(nnl_dataset_target_shape(ds, dims, 1, &ndim));
    assert_true(ndim == 1 && dims[0] == 2);
    assert_status_msg(nnl_dataset_sample_shape(ds, dims, 1, &ndim), NNL_E_INVALID_ARG,
                      "nnl_dataset_sample_shape: capacity=1, the shape has 2 dims");
    assert_status_msg(nnl_dataset_target_shape(ds, dims, 8, NULL), NNL_E_INVALID_ARG, "ndim is NULL");
    assert_int_equal(nnl_dataset_num_classes(ds), 0); /* targets are vectors */

    int64_t xd[3] = {2, 2, 3}, yd[2] = {2, 2};
    nnl_tensor *bx = NULL, *by = NULL;
    assert_ok(nnl_tensor_create(&bx, 3, xd));
    assert_ok(nnl_tensor_create(&by, 2, yd));
    assert_ok(nnl_dataset_get_batch(ds, 0, 2, bx, by));
    assert_true(nnl_tensor_data(bx)[0] == 0.0f && nnl_tensor_data(bx)[11] == 11.0f);
    assert_true(nnl_tensor_data(by)[0] == 0.5f && nnl_tensor_data(by)[3] == 3.0f);
    int32_t labels[2];
    assert_status_msg(nnl_dataset_get_labels(ds, 0, 2, labels), NNL_E_STATE, "not class labels");
    nnl_tensor_free(bx);
    nnl_tensor_free(by);
    nnl_dataset_free(ds);
    nnl_dataset_free(NULL);
    assert_int_equal(nnl_dataset_size(NULL), -1);
    assert_int_equal(nnl_dataset_num_classes(NULL), 0);
}

/* Scalar whole-number targets count as labels; anything else does not. */
static void scalar_whole_targets_are_labels(void **state)
{
    (void)state;
    float x[3] = {1, 2, 3}, labels[3] = {2, 0, 4}, reals[3] = {2, 0.5f, 4};
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_create(&ds, 3, 0, NULL, x, 0, NULL, labels));
    assert_int_equal(nnl_dataset_num_classes(ds), 5);
    int64_t dims[1];
    int ndim = -1;
    assert_ok(nnl_dataset_target_shape(ds, NULL, 0, &ndim));
    assert_int_equal(ndim, 0);
    assert_ok(nnl_dataset_sample_shape(ds, dims, 1, &ndim));
    assert_int_equal(ndim, 0);
    nnl_dataset_free(ds);
    assert_ok(nnl_dataset_create(&ds, 3, 0, NULL, x, 0, NULL, reals));
    assert_int_equal(nnl_dataset_num_classes(ds), 0);
    nnl_dataset_free(ds);

    ds = make_labeled(7, 3);
    assert_int_equal(nnl_dataset_num_classes(ds), 3);
    int32_t got[3];
    assert_ok(nnl_dataset_get_labels(ds, 4, 3, got));
    assert_true(got[0] == 1 && got[1] == 2 && got[2] == 0);
    nnl_dataset_free(ds);
}

static void creation_misuse_is_reported(void **state)
{
    (void)state;
    float x[4] = {0}, y[4] = {0};
    int32_t labels[2] = {1, -1};
    int64_t dims[2] = {2, 0}, ok_dims[1] = {2}, nine[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    int64_t big[2] = {1 << 20, 1 << 20};
    nnl_dataset *ds = (nnl_dataset *)&ds; /* every failure resets it to NULL */
    assert_status_msg(nnl_dataset_create(NULL, 2, 1, ok_dims, x, 0, NULL, y), NNL_E_INVALID_ARG,
                      "nnl_dataset_create: out is NULL");
    assert_status_msg(nnl_dataset_create(&ds, 2, 1, ok_dims, NULL, 0, NULL, y), NNL_E_INVALID_ARG,
                      "x is NULL");
    assert_null(ds);
    assert_status_msg(nnl_dataset_create(&ds, 0, 1, ok_dims, x, 0, NULL, y), NNL_E_INVALID_ARG,
                      "count=0, expected >= 1");
    assert_status_msg(nnl_dataset_create(&ds, 2, 2, dims, x, 0, NULL, y), NNL_E_INVALID_ARG,
                      "nnl_dataset_create: x: dims[1]=0");
    assert_status_msg(nnl_dataset_create(&ds, 2, 1, ok_dims, x, 8, nine, y), NNL_E_INVALID_ARG,
                      "y_ndim=8, expected 0..7");
    assert_status_msg(nnl_dataset_create(&ds, 2, 1, ok_dims, x, 1, NULL, y), NNL_E_INVALID_ARG,
                      "y: dims is NULL");
    assert_status_msg(nnl_dataset_create(&ds, 1 << 20, 2, big, x, 0, NULL, y), NNL_E_NOMEM,
                      "exceed 2^40 floats");
    assert_status_msg(nnl_dataset_create_labeled(&ds, 2, 1, ok_dims, x, labels), NNL_E_INVALID_ARG,
                      "labels[1]=-1, expected 0..16777215");
    assert_status_msg(nnl_dataset_create_labeled(&ds, 2, 1, ok_dims, x, NULL), NNL_E_INVALID_ARG,
                      "labels is NULL");
    assert_null(ds);
}

static void allocation_failures_leave_nothing_behind(void **state)
{
    (void)state;
    nnl_dataset *whole = make_labeled(6, 3);
    for (int64_t k = 1;; k++) {
        nnl_testing_fail_allocation(k);
        nnl_dataset *a = NULL, *b = NULL;
        nnl_status s = nnl_dataset_split(whole, 2, &a, &b);
        int64_t made = nnl_testing_fail_allocation(0);
        if (s == NNL_OK) {
            assert_true(made < k);
            nnl_dataset_free(a);
            nnl_dataset_free(b);
            break;
        }
        assert_int_equal(s, NNL_E_NOMEM);
        assert_true(a == NULL && b == NULL);
    }
    nnl_dataset_free(whole);
}

/* ---- batches ----------------------------------------------------------- */

static void batches_check_ranges_and_shapes(void **state)
{
    (void)state;
    nnl_dataset *ds = make_labeled(5, 5);
    int64_t good[3] = {2, 2, 3}, flat[2] = {2, 6}, yd[1] = {2}, wrong_y[2] = {2, 1};
    nnl_tensor *x = NULL, *xf = NULL, *y = NULL, *yw = NULL;
    assert_ok(nnl_tensor_create(&x, 3, good));
    assert_ok(nnl_tensor_create(&xf, 2, flat));
    assert_ok(nnl_tensor_create(&y, 1, yd));
    assert_ok(nnl_tensor_create(&yw, 2, wrong_y));
    assert_ok(nnl_dataset_get_batch(ds, 3, 2, x, y));
    assert_true(nnl_tensor_data(x)[0] == 300.0f && nnl_tensor_data(x)[6] == 400.0f);
    assert_true(nnl_tensor_data(y)[1] == 4.0f);
    assert_status_msg(nnl_dataset_get_batch(ds, 0, 2, xf, y), NNL_E_SHAPE,
                      "nnl_dataset_get_batch: x has shape [2, 6], expected [2, 2, 3]");
    assert_status_msg(nnl_dataset_get_batch(ds, 0, 2, x, yw), NNL_E_SHAPE,
                      "y has shape [2, 1], expected [2]");
    assert_status_msg(nnl_dataset_get_batch(ds, 4, 2, x, y), NNL_E_INVALID_ARG,
                      "start=4 count=2 is not a non-empty range of the 5 samples");
    assert_status_msg(nnl_dataset_get_batch(ds, -1, 2, x, y), NNL_E_INVALID_ARG, "start=-1");
    assert_status_msg(nnl_dataset_get_batch(ds, 0, 0, x, y), NNL_E_INVALID_ARG, "count=0");
    assert_status_msg(nnl_dataset_get_batch(ds, INT64_MAX, 2, x, y), NNL_E_INVALID_ARG, "start=");
    assert_status_msg(nnl_dataset_get_batch(NULL, 0, 2, x, y), NNL_E_INVALID_ARG, "dataset is NULL");
    assert_status_msg(nnl_dataset_get_batch(ds, 0, 2, NULL, y), NNL_E_INVALID_ARG, "x is NULL");
    int32_t labels[2];
    assert_status_msg(nnl_dataset_get_labels(ds, 1, 5, labels), NNL_E_INVALID_ARG, "count=5");
    assert_status_msg(nnl_dataset_get_labels(ds, 0, 2, NULL), NNL_E_INVALID_ARG, "labels is NULL");
    nnl_tensor_free(x);
    nnl_tensor_free(xf);
    nnl_tensor_free(y);
    nnl_tensor_free(yw);
    nnl_dataset_free(ds);
}

/* The training loop's gather: by index, no allocation, indices checked. */
static void fill_batch_gathers_without_allocating(void **state)
{
    (void)state;
    nnl_dataset *ds = make_labeled(6, 6);
    int64_t indices[3] = {5, 0, 2}, bad[2] = {1, 6};
    float x[18], y[3];
    nnl_testing_fail_allocation(0);
    assert_ok(nnl_dataset_fill_batch(ds, indices, 3, x, y, NULL));
    assert_int_equal(nnl_testing_fail_allocation(0), 0);
    assert_true(x[0] == 500.0f && x[6] == 0.0f && x[12] == 200.0f && x[17] == 205.0f);
    assert_true(y[0] == 5.0f && y[1] == 0.0f && y[2] == 2.0f);
    assert_ok(nnl_dataset_fill_batch(ds, indices, 3, x, NULL, NULL));
    assert_status_msg(nnl_dataset_fill_batch(ds, bad, 2, x, y, NULL), NNL_E_INVALID_ARG,
                      "indices[1]=6, the dataset has 6 samples");
    assert_status_msg(nnl_dataset_fill_batch(ds, NULL, 2, x, y, NULL), NNL_E_INVALID_ARG,
                      "indices is NULL");
    nnl_dataset_free(ds);
}

/* ---- shuffle and split ------------------------------------------------- */

static void shuffle_is_a_seeded_fisher_yates(void **state)
{
    (void)state;
    enum { N = 50 };
    nnl_dataset *a = make_labeled(N, N), *b = make_labeled(N, N), *c = make_labeled(N, N);
    assert_ok(nnl_dataset_shuffle(a, 7));
    assert_ok(nnl_dataset_shuffle(b, 7));
    assert_ok(nnl_dataset_shuffle(c, 8));
    float *xa = all_samples(a), *xb = all_samples(b), *xc = all_samples(c);
    assert_memory_equal(xa, xb, N * 6 * sizeof(float));
    assert_true(memcmp(xa, xc, N * 6 * sizeof(float)) != 0);

    /* The order is the documented algorithm on PCG32: the same on every machine. */
    int64_t order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    nnl_rng rng;
    nnl_rng_seed(&rng, 7, 0x5348);
    for (int i = N - 1; i > 0; i--) {
        int j = (int)nnl_rng_below(&rng, (uint32_t)(i + 1));
        int64_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int32_t labels[N];
    assert_ok(nnl_dataset_get_labels(a, 0, N, labels));
    for (int i = 0; i < N; i++) {
        assert_int_equal(labels[i], order[i]);        /* targets moved with ... */
        assert_true(xa[i * 6 + 5] == (float)(100 * order[i] + 5)); /* ... their samples */
    }
    assert_status_msg(nnl_dataset_shuffle(NULL, 1), NNL_E_INVALID_ARG, "dataset is NULL");
    free(xa);
    free(xb);
    free(xc);
    nnl_dataset_free(a);
    nnl_dataset_free(b);
    nnl_dataset_free(c);
}

static void split_copies_both_parts(void **state)
{
    (void)state;
    nnl_dataset *ds = make_labeled(5, 4), *first = NULL, *second = NULL;
    assert_ok(nnl_dataset_set_augmentation(ds, 10, 0, 0, 3));
    assert_ok(nnl_dataset_split(ds, 2, &first, &second));
    assert_int_equal(nnl_dataset_size(first), 2);
    assert_int_equal(nnl_dataset_size(second), 3);
    /* the parts keep the class count of the whole (the first lacks classes 2, 3) */
    assert_int_equal(nnl_dataset_num_classes(first), 4);
    assert_true(nnl_dataset_augmenting(second));
    float *x2 = all_samples(second);
    assert_true(x2[0] == 200.0f && x2[17] == 405.0f);
    assert_ok(nnl_dataset_scale(first, 2.0f)); /* copies: the whole is unchanged */
    float *x = all_samples(ds);
    assert_true(x[6] == 100.0f);
    nnl_dataset_free(first);
    nnl_dataset_free(second);
    assert_status_msg(nnl_dataset_split(ds, 5, &first, &second), NNL_E_INVALID_ARG,
                      "nnl_dataset_split: first_count=5, expected 1..4");
    assert_true(first == NULL && second == NULL);
    assert_status_msg(nnl_dataset_split(ds, 0, &first, &second), NNL_E_INVALID_ARG, "first_count=0");
    assert_status_msg(nnl_dataset_split(ds, 1, NULL, &second), NNL_E_INVALID_ARG, "first is NULL");
    free(x);
    free(x2);
    nnl_dataset_free(ds);
}

/* ---- value transforms -------------------------------------------------- */

static void normalize_scale_and_statistics(void **state)
{
    (void)state;
    nnl_dataset *ds = make_labeled(10, 2);
    float mean, std;
    assert_ok(nnl_dataset_mean_std(ds, &mean, &std));
    /* values 100 i + k, i < 10, k < 6 */
    double sum = 0, squares = 0;
    for (int i = 0; i < 10; i++)
        for (int k = 0; k < 6; k++)
            sum += 100 * i + k;
    double m = sum / 60;
    for (int i = 0; i < 10; i++)
        for (int k = 0; k < 6; k++)
            squares += (100 * i + k - m) * (100 * i + k - m);
    assert_float_equal(mean, m, 1e-4);
    assert_float_equal(std, sqrt(squares / 60), 1e-3);
    assert_ok(nnl_dataset_normalize(ds, mean, std));
    float m2, s2;
    assert_ok(nnl_dataset_mean_std(ds, &m2, &s2));
    assert_float_equal(m2, 0.0f, 1e-6);
    assert_float_equal(s2, 1.0f, 1e-6);
    assert_ok(nnl_dataset_scale(ds, 3.0f));
    assert_ok(nnl_dataset_mean_std(ds, &m2, &s2));
    assert_float_equal(s2, 3.0f, 1e-5);
    int32_t labels[10];
    assert_ok(nnl_dataset_get_labels(ds, 0, 10, labels)); /* targets untouched */
    assert_int_equal(labels[9], 1);
    assert_status_msg(nnl_dataset_normalize(ds, 0.0f, 0.0f), NNL_E_INVALID_ARG,
                      "nnl_dataset_normalize: mean=0 std=0");
    assert_status_msg(nnl_dataset_normalize(ds, NAN, 1.0f), NNL_E_INVALID_ARG, "mean=nan");
    assert_status_msg(nnl_dataset_scale(ds, INFINITY), NNL_E_INVALID_ARG, "factor=inf");
    assert_status_msg(nnl_dataset_mean_std(ds, NULL, &s2), NNL_E_INVALID_ARG, "mean is NULL");
    nnl_dataset_free(ds);
}

/* ---- augmentation ------------------------------------------------------ */

enum { SIDE = 28 };

/* n images of SIDE x SIDE x 1: a filled disc of radius 6 at the centre
 * (the shape of a digit's mass), background 0. */
static nnl_dataset *make_discs(int64_t n)
{
    float *x = calloc((size_t)n * SIDE * SIDE, sizeof *x);
    int32_t *labels = calloc((size_t)n, sizeof *labels);
    assert_non_null(x);
    assert_non_null(labels);
    for (int64_t i = 0; i < n; i++) {
        for (int r = 0; r < SIDE; r++) {
            for (int c = 0; c < SIDE; c++) {
                float dr = (float)r - 13.5f, dc = (float)c - 13.5f;
                x[(i * SIDE + r) * SIDE + c] = dr * dr + dc * dc <= 36.0f ? 1.0f : 0.0f;
            }
        }
    }
    int64_t dims[3] = {SIDE, SIDE, 1};
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_create_labeled(&ds, n, 3, dims, x, labels));
    free(x);
    free(labels);
    return ds;
}

static double sum_of(const float *x, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

static void augmentation_settings_are_checked(void **state)
{
    (void)state;
    nnl_dataset *images = make_discs(2), *vectors = make_labeled(2, 2);
    assert_status_msg(nnl_dataset_set_augmentation(images, -1, 0, 0, 1), NNL_E_INVALID_ARG,
                      "max_rotation_degrees=-1");
    assert_status_msg(nnl_dataset_set_augmentation(images, 181, 0, 0, 1), NNL_E_INVALID_ARG,
                      "max_rotation_degrees=181");
    assert_status_msg(nnl_dataset_set_augmentation(images, 0, 1.0f, 0, 1), NNL_E_INVALID_ARG,
                      "max_scale_delta=1");
    assert_status_msg(nnl_dataset_set_augmentation(images, 0, 0, NAN, 1), NNL_E_INVALID_ARG,
                      "max_shift_pixels=nan");
    assert_status_msg(nnl_dataset_set_augmentation(NULL, 0, 0, 0, 1), NNL_E_INVALID_ARG,
                      "dataset is NULL");
    assert_false(nnl_dataset_augmenting(images));
    /* {2, 3} samples are read as 2 x 3 single-channel images */
    assert_ok(nnl_dataset_set_augmentation(vectors, 5, 0, 0, 1));
    float x[4] = {0}, y[4] = {0};
    int64_t dims[1] = {2};
    nnl_dataset *flat = NULL;
    assert_ok(nnl_dataset_create(&flat, 2, 1, dims, x, 0, NULL, y));
    assert_status_msg(nnl_dataset_set_augmentation(flat, 5, 0, 0, 1), NNL_E_SHAPE,
                      "samples have shape [2]; augmentation needs images");
    assert_ok(nnl_dataset_set_augmentation(flat, 0, 0, 0, 1)); /* disabling is always fine */
    nnl_dataset_free(images);
    nnl_dataset_free(vectors);
    nnl_dataset_free(flat);
}

/* Zero limits, or no rng, give the stored images exactly. */
static void zero_augmentation_is_the_identity(void **state)
{
    (void)state;
    enum { N = 4 };
    nnl_dataset *ds = make_discs(N);
    assert_ok(nnl_dataset_normalize(ds, 0.25f, 0.5f)); /* background -0.5 */
    int64_t indices[N] = {0, 1, 2, 3};
    static float stored[N * SIDE * SIDE], drawn[N * SIDE * SIDE];
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, stored, NULL, NULL));
    nnl_rng rng;
    assert_ok(nnl_dataset_set_augmentation(ds, 0, 0, 0, 9));
    nnl_dataset_seed_augment_rng(ds, &rng);
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, drawn, NULL, &rng));
    assert_memory_equal(stored, drawn, sizeof stored);
    assert_ok(nnl_dataset_set_augmentation(ds, 30, 0.1f, 2, 9));
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, drawn, NULL, NULL));
    assert_memory_equal(stored, drawn, sizeof stored);
    /* and the identity transform itself is exact */
    nnl_affine identity = {.angle = 0, .scale = 1, .shift_x = 0, .shift_y = 0};
    nnl_affine_apply(&identity, stored, drawn, SIDE, SIDE, 1);
    assert_memory_equal(stored, drawn, SIDE * SIDE * sizeof(float));
    nnl_dataset_free(ds);
}

static void augmentation_is_seeded(void **state)
{
    (void)state;
    enum { N = 8 };
    nnl_dataset *ds = make_discs(N);
    int64_t indices[N] = {0, 1, 2, 3, 4, 5, 6, 7};
    static float a[N * SIDE * SIDE], b[N * SIDE * SIDE], stored[N * SIDE * SIDE];
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, stored, NULL, NULL));
    nnl_rng rng;
    assert_ok(nnl_dataset_set_augmentation(ds, 20, 0.1f, 2, 11));
    nnl_dataset_seed_augment_rng(ds, &rng);
    nnl_testing_fail_allocation(0);
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, a, NULL, &rng));
    assert_int_equal(nnl_testing_fail_allocation(0), 0);
    nnl_dataset_seed_augment_rng(ds, &rng);
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, b, NULL, &rng));
    assert_memory_equal(a, b, sizeof a);
    assert_true(memcmp(a, stored, sizeof a) != 0);
    /* each image gets its own transform */
    assert_true(memcmp(a, a + SIDE * SIDE, SIDE * SIDE * sizeof(float)) != 0);
    assert_ok(nnl_dataset_set_augmentation(ds, 20, 0.1f, 2, 12));
    nnl_dataset_seed_augment_rng(ds, &rng);
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, b, NULL, &rng));
    assert_true(memcmp(a, b, sizeof a) != 0);
    nnl_dataset_free(ds);
}

/* Rotation about the centre moves mass but keeps it (a disc away from the
 * border loses none); scaling by s changes it by about s^2. */
static void rotation_keeps_the_mass(void **state)
{
    (void)state;
    enum { N = 32 };
    nnl_dataset *ds = make_discs(N);
    int64_t indices[N];
    for (int i = 0; i < N; i++)
        indices[i] = i;
    static float stored[N * SIDE * SIDE], drawn[N * SIDE * SIDE];
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, stored, NULL, NULL));
    nnl_rng rng;
    assert_ok(nnl_dataset_set_augmentation(ds, 45, 0, 0, 5));
    nnl_dataset_seed_augment_rng(ds, &rng);
    assert_ok(nnl_dataset_fill_batch(ds, indices, N, drawn, NULL, &rng));
    for (int i = 0; i < N; i++) {
        double before = sum_of(stored + i * SIDE * SIDE, SIDE * SIDE);
        double after = sum_of(drawn + i * SIDE * SIDE, SIDE * SIDE);
        assert_true(fabs(after - before) < 0.03 * before);
    }
    float square[SIDE * SIDE], out[SIDE * SIDE];
    memcpy(square, stored, sizeof square);
    nnl_affine bigger = {.angle = 0.3f, .scale = 1.2f};
    nnl_affine_apply(&bigger, square, out, SIDE, SIDE, 1);
    double ratio = sum_of(out, SIDE * SIDE) / sum_of(square, SIDE * SIDE);
    assert_true(fabs(ratio - 1.44) < 0.06);
    nnl_dataset_free(ds);
}

/* The geometry: a quarter turn and a whole-pixel shift move pixels exactly
 * where the documented formula says, channel by channel. */
static void transforms_move_pixels_where_documented(void **state)
{
    (void)state;
    enum { H = 5, W = 5, C = 2 };
    float src[H * W * C], dst[H * W * C];
    for (int i = 0; i < H * W * C; i++)
        src[i] = (float)(i + 1) * (i % 2 ? -1.0f : 1.0f); /* channel 1 is negative */
    /* source = c + R(-a)(p - c): with a = pi/2, dst(r, col) = src(row 4 - col, column r) */
    nnl_affine quarter = {.angle = 1.5707963f, .scale = 1};
    nnl_affine_apply(&quarter, src, dst, H, W, C);
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            for (int ch = 0; ch < C; ch++)
                assert_float_equal(dst[(r * W + c) * C + ch], src[((4 - c) * W + r) * C + ch], 1e-4);
    /* shift right by one: column 0 is background, the channel's minimum */
    nnl_affine right = {.scale = 1, .shift_x = 1};
    nnl_affine_apply(&right, src, dst, H, W, C);
    for (int r = 0; r < H; r++) {
        assert_true(dst[(r * W) * C + 0] == 1.0f);   /* min of channel 0 */
        assert_true(dst[(r * W) * C + 1] == -50.0f); /* min of channel 1 */
        for (int c = 1; c < W; c++)
            for (int ch = 0; ch < C; ch++)
                assert_true(dst[(r * W + c) * C + ch] == src[(r * W + c - 1) * C + ch]);
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_copies_and_reports_shapes),
        cmocka_unit_test(scalar_whole_targets_are_labels),
        cmocka_unit_test(creation_misuse_is_reported),
        cmocka_unit_test(allocation_failures_leave_nothing_behind),
        cmocka_unit_test(batches_check_ranges_and_shapes),
        cmocka_unit_test(fill_batch_gathers_without_allocating),
        cmocka_unit_test(shuffle_is_a_seeded_fisher_yates),
        cmocka_unit_test(split_copies_both_parts),
        cmocka_unit_test(normalize_scale_and_statistics),
        cmocka_unit_test(augmentation_settings_are_checked),
        cmocka_unit_test(zero_augmentation_is_the_identity),
        cmocka_unit_test(augmentation_is_seeded),
        cmocka_unit_test(rotation_keeps_the_mass),
        cmocka_unit_test(transforms_move_pixels_where_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
