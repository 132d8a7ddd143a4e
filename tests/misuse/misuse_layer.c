/* Misuse of layer.h: bad configurations, wrong shapes, calls in the wrong
 * order (forward before build, backward before a training forward, using a
 * layer that a model owns). */
#include <math.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static const int64_t in4[1] = {4};

static nnl_layer *dense(int64_t units)
{
    nnl_layer *l = NULL;
    assert_ok(nnl_layer_dense(&l, units, NNL_ACT_RELU));
    return l;
}

static nnl_layer *built_dense(void)
{
    nnl_layer *l = dense(3);
    assert_ok(nnl_layer_build(l, 1, in4, 1));
    return l;
}

static nnl_tensor *batch_of(int64_t batch, int64_t features)
{
    const int64_t dims[2] = {batch, features};
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, 2, dims));
    return t;
}

static void misuse_nnl_layer_dense(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, NULL, 3, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, &l, 0, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, &l, -1, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, &l, ((int64_t)1 << 24) + 1, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, &l, 3, (nnl_activation)6);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dense, &l, 3, (nnl_activation)-1);
    assert_null(l);
}

static void misuse_nnl_layer_conv2d(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, NULL, 2, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 0, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 2, 0, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 2, 3, -3, 1, NNL_PAD_SAME, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 2, 3, 3, 0, NNL_PAD_SAME, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 2, 3, 3, 1, (nnl_padding)2, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, 2, 3, 3, 1, NNL_PAD_SAME, (nnl_activation)9);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_conv2d, &l, INT64_MAX, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU);
    assert_null(l);
}

static void misuse_nnl_layer_maxpool2d(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_maxpool2d, NULL, 2, 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_maxpool2d, &l, 0, 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_maxpool2d, &l, 2, -2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_maxpool2d, &l, 2, 2, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_maxpool2d, &l, 2, 2, 1025);
    assert_null(l);
}

static void misuse_nnl_layer_avgpool2d(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_avgpool2d, NULL, 2, 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_avgpool2d, &l, 1025, 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_avgpool2d, &l, 2, 0, 0);
    assert_null(l);
}

static void misuse_nnl_layer_flatten(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_flatten, NULL);
}

static void misuse_nnl_layer_activation(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_activation, NULL, NNL_ACT_RELU);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_activation, &l, NNL_ACT_NONE);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_activation, &l, (nnl_activation)42);
    assert_null(l);
}

static void misuse_nnl_layer_dropout(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dropout, NULL, 0.5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dropout, &l, 1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dropout, &l, -0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_dropout, &l, NAN);
    assert_null(l);
}

static void misuse_nnl_layer_batchnorm(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, NULL, 0.99f, 1e-3f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, 1.0f, 1e-3f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, -0.5f, 1e-3f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, 0.99f, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, 0.99f, NAN);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, NAN, 1e-3f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_batchnorm, &l, 0.99f, INFINITY);
    assert_null(l);
}

static void misuse_nnl_layer_residual(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_residual, NULL);
    /* a block without inner layers cannot be built */
    nnl_layer *block = NULL;
    assert_ok(nnl_layer_residual(&block));
    assert_status_msg(nnl_layer_build(block, 1, in4, 1), NNL_E_STATE, "nnl_layer_build");
    nnl_layer_free(block);
}

static void misuse_nnl_layer_residual_add(void **state)
{
    (void)state;
    nnl_layer *block = NULL, *other = NULL, *inner = dense(4), *built = built_dense();
    assert_ok(nnl_layer_residual(&block));
    assert_ok(nnl_layer_residual(&other));
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_residual_add, NULL, inner);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_residual_add, block, NULL);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_layer_residual_add, inner, block);
    expect_misuse(NNL_E_STATE, nnl_layer_residual_add, block, block);
    expect_misuse(NNL_E_STATE, nnl_layer_residual_add, block, built);
    assert_ok(nnl_layer_residual_add(block, inner));
    expect_misuse(NNL_E_STATE, nnl_layer_residual_add, other, inner); /* inner belongs to block */
    assert_ok(nnl_layer_build(block, 1, in4, 1));
    nnl_layer *late = dense(4);
    expect_misuse(NNL_E_STATE, nnl_layer_residual_add, block, late); /* block already built */
    nnl_layer_free(late);
    nnl_layer_free(block);
    nnl_layer_free(other);
    nnl_layer_free(built);
}

static void misuse_nnl_layer_free(void **state)
{
    (void)state;
    nnl_layer_free(NULL);
    /* a layer owned by a model is left alone: the model still works after */
    nnl_model *m = fixture_cnn();
    nnl_layer_free(nnl_model_layer(m, 0));
    nnl_tensor *x = fixture_image_batch(1, 3), *y = batch_of(1, FIXTURE_CLASSES);
    assert_ok(nnl_model_predict(m, x, y));
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

static void misuse_nnl_layer_type(void **state)
{
    (void)state;
    assert_string_equal(nnl_layer_type(NULL), "");
}

static void misuse_nnl_layer_build(void **state)
{
    (void)state;
    nnl_layer *l = dense(3), *conv = NULL;
    const int64_t zero[1] = {0}, eight[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const int64_t huge[2] = {(int64_t)1 << 30, (int64_t)1 << 21};
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_build, NULL, 1, in4, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_build, l, 1, NULL, 1);
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 0, in4, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_build, l, -1, in4, 1);
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 8, eight, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_build, l, 1, zero, 1);
    /* the kernel would need 2^41 floats: refused before allocating */
    nnl_layer *wide = dense(1 << 20);
    expect_misuse(NNL_E_NOMEM, nnl_layer_build, wide, 2, huge, 1);
    nnl_layer_free(wide);
    assert_ok(nnl_layer_conv2d(&conv, 2, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_NONE));
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, conv, 1, in4, 1); /* conv needs HxWxC */
    const int64_t small[3] = {2, 2, 1};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, conv, 3, small, 1); /* 3x3 window on 2x2 */
    assert_ok(nnl_layer_build(l, 1, in4, 1));
    expect_misuse(NNL_E_STATE, nnl_layer_build, l, 1, in4, 1); /* twice */
    nnl_model *m = fixture_cnn();
    expect_misuse(NNL_E_STATE, nnl_layer_build, nnl_model_layer(m, 3), 1, in4, 1); /* owned */
    nnl_model_free(m);
    nnl_layer_free(conv);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_output_shape(void **state)
{
    (void)state;
    nnl_layer *unbuilt = dense(3), *l = built_dense();
    int64_t dims[8];
    int ndim;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_output_shape, NULL, dims, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_output_shape, l, NULL, 8, &ndim);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_output_shape, l, dims, 8, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_output_shape, l, dims, 0, &ndim);
    expect_misuse(NNL_E_STATE, nnl_layer_output_shape, unbuilt, dims, 8, &ndim);
    nnl_layer_free(unbuilt);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_num_params(void **state)
{
    (void)state;
    assert_int_equal(nnl_layer_num_params(NULL), -1);
}

static void misuse_nnl_layer_param_count(void **state)
{
    (void)state;
    nnl_layer *unbuilt = dense(3);
    assert_int_equal(nnl_layer_param_count(NULL), -1);
    assert_int_equal(nnl_layer_param_count(unbuilt), 0);
    nnl_layer_free(unbuilt);
}

static void misuse_nnl_layer_param(void **state)
{
    (void)state;
    nnl_layer *l = built_dense(), *unbuilt = dense(3);
    nnl_tensor *value;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_param, NULL, 0, NULL, &value, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_param, l, -1, NULL, &value, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_param, l, 2, NULL, &value, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_param, l, INT32_MIN, NULL, &value, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_param, unbuilt, 0, NULL, &value, NULL);
    assert_ok(nnl_layer_param(l, 1, NULL, NULL, NULL)); /* every output optional */
    nnl_layer_free(l);
    nnl_layer_free(unbuilt);
}

static void misuse_nnl_layer_forward(void **state)
{
    (void)state;
    nnl_layer *l = built_dense(), *unbuilt = dense(3);
    nnl_tensor *x = batch_of(2, 4), *y = batch_of(2, 3), *wrong_x = batch_of(2, 5), *wrong_y = batch_of(2, 4);
    nnl_tensor *other_batch = batch_of(3, 3);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, NULL, x, y, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, l, NULL, y, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, l, x, NULL, 0);
    expect_misuse(NNL_E_STATE, nnl_layer_forward, unbuilt, x, y, 0);
    expect_misuse(NNL_E_SHAPE, nnl_layer_forward, l, wrong_x, y, 0);
    expect_misuse(NNL_E_SHAPE, nnl_layer_forward, l, x, wrong_y, 0);
    expect_misuse(NNL_E_SHAPE, nnl_layer_forward, l, x, other_batch, 0);
    expect_misuse(NNL_E_SHAPE, nnl_layer_forward, l, y, x, 0);
    nnl_model *m = fixture_cnn();
    expect_misuse(NNL_E_STATE, nnl_layer_forward, nnl_model_layer(m, 3), x, y, 0); /* owned */
    nnl_model_free(m);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_tensor_free(wrong_x);
    nnl_tensor_free(wrong_y);
    nnl_tensor_free(other_batch);
    nnl_layer_free(l);
    nnl_layer_free(unbuilt);
}

static void misuse_nnl_layer_backward(void **state)
{
    (void)state;
    nnl_layer *l = built_dense(), *unbuilt = dense(3);
    nnl_tensor *x = batch_of(2, 4), *y = batch_of(2, 3), *wrong = batch_of(2, 5);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_backward, NULL, y, x);
    expect_misuse(NNL_E_STATE, nnl_layer_backward, unbuilt, y, x);
    expect_misuse(NNL_E_STATE, nnl_layer_backward, l, y, x); /* no forward yet */
    assert_ok(nnl_layer_forward(l, x, y, 0));
    expect_misuse(NNL_E_STATE, nnl_layer_backward, l, y, x); /* an inference forward */
    assert_ok(nnl_layer_forward(l, x, y, 1));
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_backward, l, NULL, x);
    expect_misuse(NNL_E_SHAPE, nnl_layer_backward, l, wrong, x);
    expect_misuse(NNL_E_SHAPE, nnl_layer_backward, l, y, wrong);
    assert_ok(nnl_layer_backward(l, y, NULL)); /* dx is optional */
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_tensor_free(wrong);
    nnl_layer_free(l);
    nnl_layer_free(unbuilt);
}

static void misuse_nnl_layer_zero_grad(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_zero_grad, NULL);
    nnl_layer *unbuilt = dense(2);
    assert_ok(nnl_layer_zero_grad(unbuilt)); /* nothing to zero */
    nnl_layer_free(unbuilt);
}

static void misuse_nnl_layer_embedding(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_embedding, NULL, 10, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_embedding, &l, 0, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_embedding, &l, ((int64_t)1 << 24) + 1, 4);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_embedding, &l, 10, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_embedding, &l, 10, -4);
    assert_null(l);
    /* ids must be whole numbers in [0, vocab) */
    const int64_t seq[1] = {3};
    assert_ok(nnl_layer_embedding(&l, 10, 4));
    assert_ok(nnl_layer_build(l, 1, seq, 1));
    nnl_tensor *ids = batch_of(1, 3), *y = NULL;
    const int64_t y_dims[3] = {1, 3, 4};
    assert_ok(nnl_tensor_create(&y, 3, y_dims));
    nnl_tensor_data(ids)[1] = 10;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, l, ids, y, 0);
    assert_non_null(strstr(nnl_last_error(), "input[1]=10"));
    nnl_tensor_data(ids)[1] = 2.5f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, l, ids, y, 0);
    nnl_tensor_data(ids)[1] = -1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_forward, l, ids, y, 0);
    nnl_tensor_free(ids);
    nnl_tensor_free(y);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_layernorm(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_layernorm, NULL, 1e-5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_layernorm, &l, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_layernorm, &l, -1e-5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_layernorm, &l, 1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_layernorm, &l, NAN);
    assert_null(l);
}

static void misuse_nnl_layer_causal_self_attention(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_causal_self_attention, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_causal_self_attention, &l, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_causal_self_attention, &l, 4097);
    assert_null(l);
    assert_ok(nnl_layer_causal_self_attention(&l, 3));
    const int64_t not_divisible[2] = {5, 8}, one_dim[1] = {6};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 2, not_divisible, 1);
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 1, one_dim, 1);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_transformer_block(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block, NULL, 2, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block, &l, 3, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block, &l, 0, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block, &l, 2, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block, &l, 2, ((int64_t)1 << 20) + 2);
    assert_null(l);
    assert_ok(nnl_layer_transformer_block(&l, 2, 8));
    const int64_t wrong_width[2] = {4, 6};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 2, wrong_width, 1);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_self_attention(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_self_attention, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_self_attention, &l, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_self_attention, &l, 4097);
    assert_null(l);
    assert_ok(nnl_layer_self_attention(&l, 3));
    const int64_t not_divisible[2] = {5, 8}, one_dim[1] = {6};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 2, not_divisible, 1);
    assert_non_null(strstr(nnl_last_error(), "self_attention"));
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 1, one_dim, 1);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_encoder_block(void **state)
{
    (void)state;
    nnl_layer *l = (nnl_layer *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, NULL, 2, 8, 0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 3, 8, 0.1f);
    assert_null(l);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 0, 8, 0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 2, 0, 0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 2, 8, -0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 2, 8, 1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_encoder_block, &l, 2, 8, NAN);
    assert_ok(nnl_layer_encoder_block(&l, 2, 8, 0.1f));
    const int64_t wrong_width[2] = {5, 6};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 2, wrong_width, 1);
    assert_non_null(strstr(nnl_last_error(), "encoder_block"));
    nnl_layer_free(l);
}

static void misuse_nnl_layer_select_position(void **state)
{
    (void)state;
    nnl_layer *l = (nnl_layer *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_select_position, NULL, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_select_position, &l, -1);
    assert_null(l);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_select_position, &l, 1 << 20);
    assert_ok(nnl_layer_select_position(&l, 2));
    const int64_t short_seq[2] = {2, 4}, flat[1] = {8};
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 2, short_seq, 1);
    expect_misuse(NNL_E_SHAPE, nnl_layer_build, l, 1, flat, 1);
    nnl_layer_free(l);
}

static void misuse_nnl_layer_transformer_block_dropout(void **state)
{
    (void)state;
    nnl_layer *l = (nnl_layer *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block_dropout, NULL, 2, 8, 0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block_dropout, &l, 3, 8, 0.1f);
    assert_null(l);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block_dropout, &l, 2, 8, -0.1f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block_dropout, &l, 2, 8, 1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_transformer_block_dropout, &l, 2, 8, NAN);
}

static void misuse_nnl_layer_position_embedding(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_position_embedding, NULL, 8);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_position_embedding, &l, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_position_embedding, &l, ((int64_t)1 << 20) + 1);
    /* more positions than its table: a shape error when built */
    assert_ok(nnl_layer_position_embedding(&l, 4));
    const int64_t in[2] = {5, 8};
    assert_status_msg(nnl_layer_build(l, 2, in, 1), NNL_E_SHAPE, "position_embedding");
    const int64_t flat[1] = {4};
    assert_status_msg(nnl_layer_build(l, 1, flat, 1), NNL_E_SHAPE, "(T, C)");
    nnl_layer_free(l);
}

static void misuse_nnl_layer_tied_output(void **state)
{
    (void)state;
    nnl_layer *l = NULL, *dense = NULL, *embedding = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_tied_output, NULL, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_layer_tied_output, &l, -1);
    /* alone (no model) or pointing at a layer that is not an embedding: a state error when added */
    assert_ok(nnl_layer_tied_output(&l, 0));
    const int64_t in[2] = {4, 8};
    assert_status_msg(nnl_layer_build(l, 2, in, 1), NNL_E_STATE, "not an embedding");
    nnl_model *m = NULL;
    const int64_t tokens[1] = {4};
    assert_ok(nnl_model_create(&m, 1, tokens));
    assert_ok(nnl_layer_embedding(&embedding, 10, 8));
    assert_ok(nnl_model_add(m, embedding));
    assert_ok(nnl_layer_dense(&dense, 6, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, dense));
    assert_status_msg(nnl_model_add(m, l), NNL_E_SHAPE, "the embedding has 8"); /* dense gives 6 features */
    nnl_layer_free(l);
    assert_ok(nnl_layer_tied_output(&l, 1)); /* layer 1 is the dense layer */
    assert_status_msg(nnl_model_add(m, l), NNL_E_STATE, "not an embedding");
    nnl_layer_free(l);
    nnl_model_free(m);
}

/* The recurrent constructors share their checks; each is called by name. */
static void misuse_recurrent(nnl_status (*make)(nnl_layer **, const nnl_rnn_options *), const char *name)
{
    nnl_layer *l = (nnl_layer *)1;
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    assert_status_msg(make(NULL, &o), NNL_E_INVALID_ARG, name);
    const nnl_rnn_options bad[] = {
        {sizeof o, 0, 1, 0, 0}, {sizeof o, -5, 1, 0, 0}, {sizeof o, (1 << 16) + 1, 1, 0, 0},
        {sizeof o, 8, 2, 0, 0}, {sizeof o, 8, 1, -1, 0}, {sizeof o, 8, 1, 0, 7}, {8, 8, 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status_msg(make(&l, &bad[i]), NNL_E_INVALID_ARG, name);
        assert_null(l);
    }
    /* built for anything but (T, I) */
    assert_ok(make(&l, NULL));
    const int64_t flat[1] = {5}, image[3] = {4, 4, 1};
    assert_status_msg(nnl_layer_build(l, 1, flat, 1), NNL_E_SHAPE, "(T, I)");
    assert_status_msg(nnl_layer_build(l, 3, image, 1), NNL_E_SHAPE, "(T, I)");
    nnl_layer_free(l);
}

static void misuse_nnl_layer_rnn(void **state)
{
    (void)state;
    misuse_recurrent(nnl_layer_rnn, "nnl_layer_rnn");
}

static void misuse_nnl_layer_lstm(void **state)
{
    (void)state;
    misuse_recurrent(nnl_layer_lstm, "nnl_layer_lstm");
}

static void misuse_nnl_layer_gru(void **state)
{
    (void)state;
    misuse_recurrent(nnl_layer_gru, "nnl_layer_gru");
}


const misuse_case misuse_layer_cases[] = {
    MISUSE_CASE(nnl_layer_dense),
    MISUSE_CASE(nnl_layer_conv2d),
    MISUSE_CASE(nnl_layer_maxpool2d),
    MISUSE_CASE(nnl_layer_avgpool2d),
    MISUSE_CASE(nnl_layer_flatten),
    MISUSE_CASE(nnl_layer_activation),
    MISUSE_CASE(nnl_layer_dropout),
    MISUSE_CASE(nnl_layer_batchnorm),
    MISUSE_CASE(nnl_layer_residual),
    MISUSE_CASE(nnl_layer_residual_add),
    MISUSE_CASE(nnl_layer_free),
    MISUSE_CASE(nnl_layer_type),
    MISUSE_CASE(nnl_layer_build),
    MISUSE_CASE(nnl_layer_output_shape),
    MISUSE_CASE(nnl_layer_num_params),
    MISUSE_CASE(nnl_layer_param_count),
    MISUSE_CASE(nnl_layer_param),
    MISUSE_CASE(nnl_layer_forward),
    MISUSE_CASE(nnl_layer_backward),
    MISUSE_CASE(nnl_layer_zero_grad),
    MISUSE_CASE(nnl_layer_embedding),
    MISUSE_CASE(nnl_layer_layernorm),
    MISUSE_CASE(nnl_layer_causal_self_attention),
    MISUSE_CASE(nnl_layer_self_attention),
    MISUSE_CASE(nnl_layer_encoder_block),
    MISUSE_CASE(nnl_layer_select_position),
    MISUSE_CASE(nnl_layer_transformer_block),
    MISUSE_CASE(nnl_layer_transformer_block_dropout),
    MISUSE_CASE(nnl_layer_position_embedding),
    MISUSE_CASE(nnl_layer_tied_output),
    MISUSE_CASE(nnl_layer_rnn),
    MISUSE_CASE(nnl_layer_lstm),
    MISUSE_CASE(nnl_layer_gru),
    {NULL, NULL},
};
