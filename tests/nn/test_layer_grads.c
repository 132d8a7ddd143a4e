/* Every layer's backward against central finite differences of its forward,
 * through the public standalone layer API. Loss L = sum(y * r) for a fixed
 * random r, so dL/dy = r. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

enum { MAX_CHECKS = 120 };

typedef struct grad_case {
    nnl_layer *layer;
    int ndim;
    int64_t dims[4];
    int64_t batch;
} grad_case;

static double loss_of(nnl_layer *l, nnl_tensor *x, nnl_tensor *y, const float *r)
{
    assert_ok(nnl_layer_forward(l, x, y, 1));
    double sum = 0;
    for (int64_t i = 0; i < nnl_tensor_size(y); i++)
        sum += (double)nnl_tensor_data(y)[i] * r[i];
    return sum;
}

/* Compare analytic gradient `analytic` of the values in `v` with differences. */
static void compare(const char *what, nnl_layer *l, nnl_tensor *x, nnl_tensor *y, const float *r, float *v,
                    const float *analytic, int64_t n)
{
    const float eps = 1e-3f; /* small, so that few inputs straddle a ReLU or max-pool kink */
    int64_t step = n > MAX_CHECKS ? n / MAX_CHECKS : 1;
    for (int64_t i = 0; i < n; i += step) {
        float saved = v[i];
        v[i] = saved + eps;
        double plus = loss_of(l, x, y, r);
        v[i] = saved - eps;
        double minus = loss_of(l, x, y, r);
        v[i] = saved;
        double numeric = (plus - minus) / (2.0 * eps);
        double err = fabs(numeric - analytic[i]);
        if (err > 5e-3 + 2e-2 * fabs(numeric))
            fail_msg("%s %s[%lld]: analytic %.6f, numeric %.6f", nnl_layer_type(l), what, (long long)i,
                     (double)analytic[i], numeric);
    }
}

static void check_gradients(grad_case c)
{
    int64_t in_dims[5];
    in_dims[0] = c.batch;
    for (int i = 0; i < c.ndim; i++)
        in_dims[i + 1] = c.dims[i];
    assert_ok(nnl_layer_build(c.layer, c.ndim, c.dims, 3));
    int64_t out_dims[5];
    int out_ndim;
    assert_ok(nnl_layer_output_shape(c.layer, out_dims + 1, 4, &out_ndim));
    out_dims[0] = c.batch;
    nnl_tensor *x, *y, *dx, *dy;
    assert_ok(nnl_tensor_create(&x, c.ndim + 1, in_dims));
    assert_ok(nnl_tensor_create(&dx, c.ndim + 1, in_dims));
    assert_ok(nnl_tensor_create(&y, out_ndim + 1, out_dims));
    assert_ok(nnl_tensor_create(&dy, out_ndim + 1, out_dims));
    test_fill_random(nnl_tensor_data(x), nnl_tensor_size(x), 11);
    test_fill_random(nnl_tensor_data(dy), nnl_tensor_size(dy), 12);
    /* make parameters non-trivial (biases, batch-norm gamma/beta) */
    for (int p = 0; p < nnl_layer_num_params(c.layer); p++) {
        nnl_tensor *value, *grad;
        assert_ok(nnl_layer_param(c.layer, p, NULL, &value, &grad));
        if (grad)
            for (int64_t i = 0; i < nnl_tensor_size(value); i++)
                nnl_tensor_data(value)[i] += 0.1f * (float)((i * 7 + p) % 5 - 2);
    }
    assert_ok(nnl_layer_zero_grad(c.layer));
    assert_ok(nnl_layer_forward(c.layer, x, y, 1));
    assert_ok(nnl_layer_backward(c.layer, dy, dx));
    const float *r = nnl_tensor_data(dy);
    compare("input", c.layer, x, y, r, nnl_tensor_data(x), nnl_tensor_data(dx), nnl_tensor_size(x));
    for (int p = 0; p < nnl_layer_num_params(c.layer); p++) {
        const char *name;
        nnl_tensor *value, *grad;
        assert_ok(nnl_layer_param(c.layer, p, &name, &value, &grad));
        if (grad)
            compare(name, c.layer, x, y, r, nnl_tensor_data(value), nnl_tensor_data(grad), nnl_tensor_size(value));
    }
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_tensor_free(dx);
    nnl_tensor_free(dy);
    nnl_layer_free(c.layer);
}

static void dense_gradients(void **state)
{
    (void)state;
    for (nnl_activation act = NNL_ACT_NONE; act <= NNL_ACT_SOFTMAX; act++) {
        grad_case c = {NULL, 1, {7}, 3};
        assert_ok(nnl_layer_dense(&c.layer, 5, act));
        check_gradients(c);
    }
    grad_case seq = {NULL, 2, {4, 6}, 2}; /* a sequence: dense applies per position */
    assert_ok(nnl_layer_dense(&seq.layer, 3, NNL_ACT_GELU));
    check_gradients(seq);
}

static void conv2d_gradients(void **state)
{
    (void)state;
    struct { int64_t h, w, c, filters, k, stride; nnl_padding pad; } shapes[] = {
        {6, 6, 1, 4, 3, 1, NNL_PAD_VALID}, {7, 5, 3, 2, 3, 2, NNL_PAD_SAME},
        {5, 5, 2, 3, 1, 1, NNL_PAD_VALID}, {6, 7, 2, 5, 5, 1, NNL_PAD_SAME},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        grad_case c = {NULL, 3, {shapes[i].h, shapes[i].w, shapes[i].c}, 2};
        assert_ok(nnl_layer_conv2d(&c.layer, shapes[i].filters, shapes[i].k, shapes[i].k, shapes[i].stride,
                                   shapes[i].pad, i % 2 ? NNL_ACT_TANH : NNL_ACT_NONE));
        check_gradients(c);
    }
}

static void pooling_gradients(void **state)
{
    (void)state;
    grad_case max = {NULL, 3, {6, 6, 3}, 2}, avg = {NULL, 3, {7, 6, 2}, 2}, strided = {NULL, 3, {7, 7, 2}, 1};
    assert_ok(nnl_layer_maxpool2d(&max.layer, 2, 2, 0));
    assert_ok(nnl_layer_avgpool2d(&avg.layer, 2, 3, 1));
    assert_ok(nnl_layer_maxpool2d(&strided.layer, 3, 3, 2));
    check_gradients(max);
    check_gradients(avg);
    check_gradients(strided);
}

static void shape_and_activation_layer_gradients(void **state)
{
    (void)state;
    grad_case flat = {NULL, 3, {3, 2, 2}, 2};
    assert_ok(nnl_layer_flatten(&flat.layer));
    check_gradients(flat);
    for (nnl_activation act = NNL_ACT_RELU; act <= NNL_ACT_SOFTMAX; act++) {
        grad_case c = {NULL, 2, {3, 5}, 2};
        assert_ok(nnl_layer_activation(&c.layer, act));
        check_gradients(c);
    }
}

static void select_position_gradients(void **state)
{
    (void)state;
    for (int64_t p = 0; p < 4; p += 3) {
        grad_case c = {NULL, 2, {4, 3}, 2};
        assert_ok(nnl_layer_select_position(&c.layer, p));
        check_gradients(c);
    }
    nnl_layer *l;
    assert_ok(nnl_layer_select_position(&l, 4));
    const int64_t short_seq[2] = {4, 3};
    assert_status_msg(nnl_layer_build(l, 2, short_seq, 1), NNL_E_SHAPE, "position 4");
    nnl_layer_free(l);
}

static void dropout_batchnorm_residual_gradients(void **state)
{
    (void)state;
    grad_case drop = {NULL, 1, {40}, 3}, bn = {NULL, 3, {3, 3, 4}, 3}, res = {NULL, 1, {6}, 3};
    assert_ok(nnl_layer_dropout(&drop.layer, 0.3f));
    check_gradients(drop);
    assert_ok(nnl_layer_batchnorm(&bn.layer, 0.9f, 1e-3f));
    check_gradients(bn);
    nnl_layer *inner1, *inner2;
    assert_ok(nnl_layer_residual(&res.layer));
    assert_ok(nnl_layer_dense(&inner1, 8, NNL_ACT_TANH));
    assert_ok(nnl_layer_dense(&inner2, 6, NNL_ACT_NONE));
    assert_ok(nnl_layer_residual_add(res.layer, inner1));
    assert_ok(nnl_layer_residual_add(res.layer, inner2));
    check_gradients(res);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dense_gradients),
        cmocka_unit_test(conv2d_gradients),
        cmocka_unit_test(pooling_gradients),
        cmocka_unit_test(shape_and_activation_layer_gradients),
        cmocka_unit_test(dropout_batchnorm_residual_gradients),
        cmocka_unit_test(select_position_gradients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
