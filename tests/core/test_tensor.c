/* nnl_tensor: creation, ownership, queries, reshape, init, misuse. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"
#include "core/rng.h"

static void create_is_zeroed_and_reports_shape(void **state)
{
    (void)state;
    int64_t dims[3] = {2, 3, 4};
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, 3, dims));
    assert_int_equal(nnl_tensor_ndim(t), 3);
    assert_int_equal(nnl_tensor_size(t), 24);
    assert_int_equal(nnl_tensor_nbytes(t), 96);
    assert_int_equal(nnl_tensor_dim(t, -1), 4);
    assert_int_equal(nnl_tensor_dim(t, 3), -1);
    int64_t got[8];
    assert_ok(nnl_tensor_shape(t, got, 8));
    assert_memory_equal(got, dims, sizeof dims);
    assert_status_msg(nnl_tensor_shape(t, got, 2), NNL_E_INVALID_ARG, "capacity=2");
    for (int i = 0; i < 24; i++)
        assert_true(nnl_tensor_data(t)[i] == 0.0f);
    nnl_tensor_free(t);
    nnl_tensor_free(NULL);
}

static void create_from_copies_and_wrap_borrows(void **state)
{
    (void)state;
    float src[6] = {1, 2, 3, 4, 5, 6};
    int64_t dims[2] = {2, 3};
    nnl_tensor *copy = NULL, *view = NULL;
    assert_ok(nnl_tensor_create_from(&copy, 2, dims, src));
    assert_ok(nnl_tensor_wrap(&view, 2, dims, src));
    src[0] = 42;
    assert_true(nnl_tensor_data(copy)[0] == 1.0f);
    assert_true(nnl_tensor_data(view)[0] == 42.0f);
    assert_ptr_equal(nnl_tensor_data(view), src);
    float out[6];
    assert_ok(nnl_tensor_copy_to(copy, out, 6));
    assert_true(out[5] == 6.0f);
    assert_status_msg(nnl_tensor_copy_to(copy, out, 5), NNL_E_SHAPE, "count=5");
    nnl_tensor_free(view); /* must not free src */
    nnl_tensor_free(copy);
    assert_true(src[1] == 2.0f);
}

static void reshape_keeps_count(void **state)
{
    (void)state;
    int64_t dims[2] = {4, 6}, flat[1] = {24}, wrong[2] = {5, 5};
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, 2, dims));
    assert_ok(nnl_tensor_reshape(t, 1, flat));
    assert_int_equal(nnl_tensor_ndim(t), 1);
    assert_status_msg(nnl_tensor_reshape(t, 2, wrong), NNL_E_SHAPE, "25 elements");
    assert_int_equal(nnl_tensor_dim(t, 0), 24);
    nnl_tensor_free(t);
}

static void bad_shapes_are_refused_before_allocating(void **state)
{
    (void)state;
    nnl_tensor *t = NULL;
    int64_t huge[2] = {INT64_MAX, 2}, many[3] = {1 << 20, 1 << 20, 1 << 20}, zero[1] = {0};
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_status_msg(nnl_tensor_create(&t, 2, huge), NNL_E_NOMEM, "2^40");
    assert_status_msg(nnl_tensor_create(&t, 3, many), NNL_E_NOMEM, "2^40");
    assert_status_msg(nnl_tensor_create(&t, 1, zero), NNL_E_INVALID_ARG, "dims[0]=0");
    assert_status_msg(nnl_tensor_create(&t, 9, nine), NNL_E_INVALID_ARG, "ndim=9");
    assert_status_msg(nnl_tensor_create(&t, -1, nine), NNL_E_INVALID_ARG, "ndim=-1");
    assert_status_msg(nnl_tensor_create(NULL, 1, nine), NNL_E_INVALID_ARG, "out is NULL");
    assert_status_msg(nnl_tensor_create(&t, 2, NULL), NNL_E_INVALID_ARG, "dims is NULL");
    assert_status_msg(nnl_tensor_create_from(&t, 1, nine, NULL), NNL_E_INVALID_ARG, "data is NULL");
    assert_status_msg(nnl_tensor_fill(NULL, 1), NNL_E_INVALID_ARG, "tensor is NULL");
    assert_null(t);
    assert_int_equal(nnl_tensor_size(NULL), -1);
    assert_null(nnl_tensor_data(NULL));
    /* a scalar has ndim 0 and one element */
    assert_ok(nnl_tensor_create(&t, 0, NULL));
    assert_int_equal(nnl_tensor_size(t), 1);
    nnl_tensor_free(t);
}

static void init_is_seeded_and_has_the_right_moments(void **state)
{
    (void)state;
    int64_t dims[1] = {100000};
    nnl_tensor *a = NULL, *b = NULL;
    assert_ok(nnl_tensor_create(&a, 1, dims));
    assert_ok(nnl_tensor_create(&b, 1, dims));
    assert_ok(nnl_tensor_init_normal(a, 1.0f, 2.0f, 7));
    assert_ok(nnl_tensor_init_normal(b, 1.0f, 2.0f, 7));
    assert_memory_equal(nnl_tensor_data(a), nnl_tensor_data(b), nnl_tensor_nbytes(a));
    double sum = 0, sq = 0;
    for (int i = 0; i < 100000; i++) {
        double x = nnl_tensor_data(a)[i];
        sum += x;
        sq += x * x;
    }
    double mean = sum / 1e5, var = sq / 1e5 - mean * mean;
    assert_true(fabs(mean - 1.0) < 0.03);
    assert_true(fabs(sqrt(var) - 2.0) < 0.03);

    assert_ok(nnl_tensor_init_glorot(a, 300, 100, 1));
    float limit = sqrtf(6.0f / 400.0f), lo = 1, hi = -1;
    for (int i = 0; i < 100000; i++) {
        float x = nnl_tensor_data(a)[i];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    assert_true(lo >= -limit && hi < limit && hi > 0.99f * limit && lo < -0.99f * limit);

    assert_ok(nnl_tensor_init_uniform(b, 0.0f, 1.0f, 1));
    assert_ok(nnl_tensor_init_uniform(a, 0.0f, 1.0f, 2));
    assert_true(memcmp(nnl_tensor_data(a), nnl_tensor_data(b), 64) != 0);
    /* the generator is our own PCG32: the same numbers on every machine */
    assert_ok(nnl_tensor_init_uniform(a, 0.0f, 1.0f, 42));
    assert_float_equal(nnl_tensor_data(a)[0], 0.13170373439788818f, 0);
    assert_status_msg(nnl_tensor_init_uniform(a, 1.0f, 0.0f, 1), NNL_E_INVALID_ARG, "low=1 high=0");
    assert_status_msg(nnl_tensor_init_he(a, 0, 1), NNL_E_INVALID_ARG, "fan_in=0");
    assert_ok(nnl_tensor_init_he(a, 50, 3));
    nnl_tensor_free(a);
    nnl_tensor_free(b);
}

/* The generator is PCG32 exactly: the reference implementation's vector. */
static void rng_matches_pcg32_reference(void **state)
{
    (void)state;
    nnl_rng rng;
    nnl_rng_seed(&rng, 42, 54);
    assert_int_equal(nnl_rng_u32(&rng), 0xa15c02b7u);
    assert_int_equal(nnl_rng_u32(&rng), 0x7b47f409u);
    assert_int_equal(nnl_rng_u32(&rng), 0xba1d3330u);
    for (int i = 0; i < 1000; i++)
        assert_true(nnl_rng_below(&rng, 7) < 7);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_is_zeroed_and_reports_shape),
        cmocka_unit_test(create_from_copies_and_wrap_borrows),
        cmocka_unit_test(reshape_keeps_count),
        cmocka_unit_test(bad_shapes_are_refused_before_allocating),
        cmocka_unit_test(init_is_seeded_and_has_the_right_moments),
        cmocka_unit_test(rng_matches_pcg32_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
