/* Misuse of tensor.h. */
#include <math.h>

#include "misuse.h"

static const int64_t dims23[2] = {2, 3};

static nnl_tensor *tensor23(void)
{
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, 2, dims23));
    return t;
}

/* Shapes every constructor refuses with `status`, and *out left NULL. */
#define expect_bad_shapes(fn, ...)                                                              \
    do {                                                                                        \
        const int64_t zero[2] = {2, 0}, negative[1] = {-4};                                     \
        const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};                                    \
        const int64_t huge[2] = {(int64_t)1 << 40, (int64_t)1 << 40};                           \
        const int64_t maxed[2] = {INT64_MAX, INT64_MAX};                                        \
        nnl_tensor *t = (nnl_tensor *)1;                                                        \
        expect_misuse(NNL_E_INVALID_ARG, fn, NULL, 2, dims23 __VA_ARGS__);                      \
        expect_misuse(NNL_E_INVALID_ARG, fn, &t, -1, dims23 __VA_ARGS__);                       \
        assert_null(t);                                                                         \
        expect_misuse(NNL_E_INVALID_ARG, fn, &t, 9, nine __VA_ARGS__);                          \
        expect_misuse(NNL_E_INVALID_ARG, fn, &t, 2, NULL __VA_ARGS__);                          \
        expect_misuse(NNL_E_INVALID_ARG, fn, &t, 2, zero __VA_ARGS__);                          \
        expect_misuse(NNL_E_INVALID_ARG, fn, &t, 1, negative __VA_ARGS__);                      \
        expect_misuse(NNL_E_NOMEM, fn, &t, 2, huge __VA_ARGS__);                                \
        expect_misuse(NNL_E_NOMEM, fn, &t, 2, maxed __VA_ARGS__);                               \
        assert_null(t);                                                                         \
    } while (0)

static void misuse_nnl_tensor_create(void **state)
{
    (void)state;
    expect_bad_shapes(nnl_tensor_create, );
}

static void misuse_nnl_tensor_create_from(void **state)
{
    (void)state;
    float data[6] = {0};
    expect_bad_shapes(nnl_tensor_create_from, , data);
    nnl_tensor *t = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_create_from, &t, 2, dims23, NULL);
    assert_null(t);
}

static void misuse_nnl_tensor_wrap(void **state)
{
    (void)state;
    float data[6] = {0};
    expect_bad_shapes(nnl_tensor_wrap, , data);
    nnl_tensor *t = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_wrap, &t, 2, dims23, NULL);
    assert_null(t);
}

static void misuse_nnl_tensor_free(void **state)
{
    (void)state;
    nnl_tensor_free(NULL);
    float borrowed[6] = {1, 2, 3, 4, 5, 6};
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_wrap(&t, 2, dims23, borrowed));
    nnl_tensor_free(t); /* never frees the caller's buffer */
    assert_true(borrowed[5] == 6.0f);
}

static void misuse_nnl_tensor_ndim(void **state)
{
    (void)state;
    assert_int_equal(nnl_tensor_ndim(NULL), -1);
}

static void misuse_nnl_tensor_dim(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    assert_int_equal(nnl_tensor_dim(NULL, 0), -1);
    assert_int_equal(nnl_tensor_dim(t, 2), -1);
    assert_int_equal(nnl_tensor_dim(t, -3), -1);
    assert_int_equal(nnl_tensor_dim(t, INT32_MIN), -1);
    assert_int_equal(nnl_tensor_dim(t, INT32_MAX), -1);
    assert_int_equal(nnl_tensor_dim(t, -1), 3);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_shape(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    int64_t dims[8];
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_shape, NULL, dims, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_shape, t, NULL, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_shape, t, dims, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_shape, t, dims, -1);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_size(void **state)
{
    (void)state;
    assert_int_equal(nnl_tensor_size(NULL), -1);
}

static void misuse_nnl_tensor_nbytes(void **state)
{
    (void)state;
    assert_int_equal(nnl_tensor_nbytes(NULL), 0);
}

static void misuse_nnl_tensor_data(void **state)
{
    (void)state;
    assert_null(nnl_tensor_data(NULL));
}

static void misuse_nnl_tensor_data_const(void **state)
{
    (void)state;
    assert_null(nnl_tensor_data_const(NULL));
}

static void misuse_nnl_tensor_copy_to(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    float dst[6];
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_copy_to, NULL, dst, 6);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_copy_to, t, NULL, 6);
    expect_misuse(NNL_E_SHAPE, nnl_tensor_copy_to, t, dst, 5);
    expect_misuse(NNL_E_SHAPE, nnl_tensor_copy_to, t, dst, -6);
    expect_misuse(NNL_E_SHAPE, nnl_tensor_copy_to, t, dst, 0);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_reshape(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    const int64_t five[1] = {5}, zero[2] = {6, 0}, huge[2] = {(int64_t)1 << 40, 2};
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_reshape, NULL, 1, five);
    expect_misuse(NNL_E_SHAPE, nnl_tensor_reshape, t, 1, five);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_reshape, t, 2, zero);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_reshape, t, 1, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_reshape, t, 9, five);
    expect_misuse(NNL_E_NOMEM, nnl_tensor_reshape, t, 2, huge);
    /* a refused reshape leaves the shape alone */
    assert_int_equal(nnl_tensor_ndim(t), 2);
    assert_int_equal(nnl_tensor_dim(t, 1), 3);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_fill(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_fill, NULL, 0.0f);
}

static void misuse_nnl_tensor_init_uniform(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_uniform, NULL, 0, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_uniform, t, 1, 0, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_uniform, t, NAN, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_uniform, t, 0, INFINITY, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_uniform, t, -INFINITY, 0, 1);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_init_normal(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_normal, NULL, 0, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_normal, t, 0, -1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_normal, t, NAN, 1, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_normal, t, 0, INFINITY, 1);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_init_glorot(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_glorot, NULL, 2, 3, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_glorot, t, 0, 3, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_glorot, t, 2, -3, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_glorot, t, INT64_MIN, 3, 1);
    nnl_tensor_free(t);
}

static void misuse_nnl_tensor_init_he(void **state)
{
    (void)state;
    nnl_tensor *t = tensor23();
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_he, NULL, 2, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_he, t, 0, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_init_he, t, -1, 1);
    nnl_tensor_free(t);
}

const misuse_case misuse_tensor_cases[] = {
    MISUSE_CASE(nnl_tensor_create),
    MISUSE_CASE(nnl_tensor_create_from),
    MISUSE_CASE(nnl_tensor_wrap),
    MISUSE_CASE(nnl_tensor_free),
    MISUSE_CASE(nnl_tensor_ndim),
    MISUSE_CASE(nnl_tensor_dim),
    MISUSE_CASE(nnl_tensor_shape),
    MISUSE_CASE(nnl_tensor_size),
    MISUSE_CASE(nnl_tensor_nbytes),
    MISUSE_CASE(nnl_tensor_data),
    MISUSE_CASE(nnl_tensor_data_const),
    MISUSE_CASE(nnl_tensor_copy_to),
    MISUSE_CASE(nnl_tensor_reshape),
    MISUSE_CASE(nnl_tensor_fill),
    MISUSE_CASE(nnl_tensor_init_uniform),
    MISUSE_CASE(nnl_tensor_init_normal),
    MISUSE_CASE(nnl_tensor_init_glorot),
    MISUSE_CASE(nnl_tensor_init_he),
    {NULL, NULL},
};
