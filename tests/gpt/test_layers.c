/* The transformer layers through the public nnl_layer API: embedding,
 * layernorm, causal and bidirectional self-attention, the transformer and
 * encoder blocks. Input and parameter gradients against finite differences,
 * causality (or its absence), and bad token ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* loss = sum(y * w) for a built standalone layer. */
static double loss_of(nnl_layer *l, nnl_tensor *x, nnl_tensor *y, const float *w)
{
    assert_ok(nnl_layer_forward(l, x, y, 0));
    const float *d = nnl_tensor_data_const(y);
    double s = 0.0;
    for (int64_t i = 0; i < nnl_tensor_size(y); i++)
        s += (double)d[i] * w[i];
    return s;
}

static void check(const char *what, float *p, float analytic, nnl_layer *l, nnl_tensor *x, nnl_tensor *y,
                  const float *w)
{
    const float h = 1e-2f;
    float saved = *p;
    *p = saved + h;
    double up = loss_of(l, x, y, w);
    *p = saved - h;
    double down = loss_of(l, x, y, w);
    *p = saved;
    double numeric = (up - down) / (2.0 * h);
    if (fabs(numeric - analytic) > 2e-3 + 3e-2 * fabs(numeric))
        fail_msg("%s: analytic %g, numeric %g", what, analytic, numeric);
}

/* Build `l` for per-sample (T, C), run forward + backward with dy = w, and
 * compare dx and every parameter's gradient (a few entries each) with finite differences. */
static void gradient_check(nnl_layer *l, int64_t B, int64_t T, int64_t C, float scale)
{
    int64_t in[2] = {T, C}, xd[3] = {B, T, C};
    assert_ok(nnl_layer_build(l, 2, in, 7));
    int64_t od[NNL_MAX_DIMS + 1];
    int ondim;
    assert_ok(nnl_layer_output_shape(l, od + 1, NNL_MAX_DIMS, &ondim));
    od[0] = B;
    nnl_tensor *x, *y, *dy, *dx;
    assert_ok(nnl_tensor_create(&x, 3, xd));
    assert_ok(nnl_tensor_create(&dx, 3, xd));
    assert_ok(nnl_tensor_create(&y, ondim + 1, od));
    assert_ok(nnl_tensor_create(&dy, ondim + 1, od));
    test_fill_random(nnl_tensor_data(x), B * T * C, 3);
    test_fill_random(nnl_tensor_data(dy), nnl_tensor_size(dy), 4);
    for (int i = 0; i < nnl_layer_num_params(l); i++) { /* weights large enough for clear gradients */
        nnl_tensor *v;
        assert_ok(nnl_layer_param(l, i, NULL, &v, NULL));
        float *d = nnl_tensor_data(v);
        for (int64_t j = 0; j < nnl_tensor_size(v); j++)
            d[j] += scale * (float)((j * 7919 + i * 104729) % 200 - 100) / 100.0f;
    }
    float *w = malloc(sizeof(float) * (size_t)nnl_tensor_size(dy));
    memcpy(w, nnl_tensor_data(dy), sizeof(float) * (size_t)nnl_tensor_size(dy));
    assert_ok(nnl_layer_zero_grad(l));
    assert_ok(nnl_layer_forward(l, x, y, 1));
    assert_ok(nnl_layer_backward(l, dy, dx));
    float dx_copy[512];
    memcpy(dx_copy, nnl_tensor_data(dx), sizeof(float) * (size_t)(B * T * C));
    char what[64];
    for (int64_t i = 0; i < B * T * C; i += 3) {
        snprintf(what, sizeof what, "dx[%lld]", (long long)i);
        check(what, nnl_tensor_data(x) + i, dx_copy[i], l, x, y, w);
    }
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *v, *g;
        assert_ok(nnl_layer_param(l, p, &name, &v, &g));
        for (int probe = 0; probe < 3; probe++) {
            int64_t j = (probe * 131 + 17) % nnl_tensor_size(v);
            snprintf(what, sizeof what, "param %d (%s)[%lld]", p, name, (long long)j);
            check(what, nnl_tensor_data(v) + j, nnl_tensor_data(g)[j], l, x, y, w);
        }
    }
    free(w);
    nnl_tensor_free(x), nnl_tensor_free(y), nnl_tensor_free(dy), nnl_tensor_free(dx);
}

static void layernorm_layer_gradients(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_layernorm(&l, 1e-5f));
    gradient_check(l, 2, 3, 7, 0.5f);
    assert_string_equal(nnl_layer_type(l), "layernorm");
    nnl_layer_free(l);
    assert_status_msg(nnl_layer_layernorm(&l, 0.0f), NNL_E_INVALID_ARG, "epsilon=0");
}

static void attention_layer_gradients(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_causal_self_attention(&l, 2));
    gradient_check(l, 2, 5, 8, 0.3f);
    assert_int_equal(nnl_layer_param_count(l), 8 * 24 + 24 + 8 * 8 + 8);
    nnl_layer_free(l);
    assert_ok(nnl_layer_causal_self_attention(&l, 3));
    int64_t in[2] = {4, 8};
    assert_status_msg(nnl_layer_build(l, 2, in, 1), NNL_E_SHAPE, "3 heads");
    nnl_layer_free(l);
}

/* Outputs a and b {1, 6, 8} of an attention layer (freed) for a random
 * input, and for the same input with position 4 changed. */
static void outputs_before_and_after_position_4(nnl_layer *l, float a[48], float b[48])
{
    int64_t in[2] = {6, 8}, xd[3] = {1, 6, 8};
    assert_ok(nnl_layer_build(l, 2, in, 3));
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 3, xd));
    assert_ok(nnl_tensor_create(&y, 3, xd));
    test_fill_random(nnl_tensor_data(x), 48, 5);
    assert_ok(nnl_layer_forward(l, x, y, 0));
    memcpy(a, nnl_tensor_data(y), sizeof(float) * 48);
    nnl_tensor_data(x)[4 * 8 + 1] += 1.0f;
    assert_ok(nnl_layer_forward(l, x, y, 0));
    memcpy(b, nnl_tensor_data(y), sizeof(float) * 48);
    nnl_tensor_free(x), nnl_tensor_free(y);
    nnl_layer_free(l);
}

static void attention_layer_is_causal(void **state)
{
    (void)state;
    nnl_layer *l;
    float a[48], b[48];
    assert_ok(nnl_layer_causal_self_attention(&l, 2));
    outputs_before_and_after_position_4(l, a, b);
    assert_memory_equal(a, b, sizeof(float) * 4 * 8);
    assert_memory_not_equal(a + 32, b + 32, sizeof(float) * 8);
}

static void bidirectional_attention_gradients(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_self_attention(&l, 2));
    gradient_check(l, 2, 5, 8, 0.3f);
    assert_string_equal(nnl_layer_type(l), "self_attention");
    assert_int_equal(nnl_layer_param_count(l), 8 * 24 + 24 + 8 * 8 + 8);
    nnl_layer_free(l);
    assert_status_msg(nnl_layer_self_attention(&l, 0), NNL_E_INVALID_ARG, "heads=0");
}

/* Every position reads every other: a change at position 4 reaches position 0. */
static void bidirectional_attention_sees_later_positions(void **state)
{
    (void)state;
    nnl_layer *l;
    float a[48], b[48];
    assert_ok(nnl_layer_self_attention(&l, 2));
    outputs_before_and_after_position_4(l, a, b);
    assert_memory_not_equal(a, b, sizeof(float) * 8);
}

static void encoder_block_gradients(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_encoder_block(&l, 2, 8, 0.0f));
    gradient_check(l, 2, 4, 8, 0.2f);
    assert_string_equal(nnl_layer_type(l), "encoder_block");
    assert_int_equal(nnl_layer_param_count(l), 12 * 64 + 13 * 8);
    nnl_layer_free(l);
    assert_status_msg(nnl_layer_encoder_block(&l, 3, 8, 0.0f), NNL_E_INVALID_ARG, "heads=3");
    assert_status_msg(nnl_layer_encoder_block(&l, 2, 8, 1.0f), NNL_E_INVALID_ARG, "dropout=1");
}

static void transformer_block_gradients(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_transformer_block(&l, 2, 8));
    gradient_check(l, 1, 4, 8, 0.2f);
    assert_int_equal(nnl_layer_param_count(l), 12 * 64 + 13 * 8);
    assert_int_equal(nnl_layer_num_params(l), 12);
    nnl_layer_free(l);
    assert_status_msg(nnl_layer_transformer_block(&l, 3, 8), NNL_E_INVALID_ARG, "heads=3");
}

static void embedding_layer_gathers_and_scatters(void **state)
{
    (void)state;
    nnl_layer *l;
    assert_ok(nnl_layer_embedding(&l, 10, 4));
    int64_t in = 3, xd[2] = {2, 3}, yd[3] = {2, 3, 4};
    assert_ok(nnl_layer_build(l, 1, &in, 1));
    nnl_tensor *x, *y, *dy, *dx, *table, *grad;
    const float ids[6] = {1, 9, 1, 0, 5, 9};
    assert_ok(nnl_tensor_create_from(&x, 2, xd, ids));
    assert_ok(nnl_tensor_create(&dx, 2, xd));
    assert_ok(nnl_tensor_create(&y, 3, yd));
    assert_ok(nnl_tensor_create(&dy, 3, yd));
    assert_ok(nnl_layer_param(l, 0, NULL, &table, &grad));
    assert_ok(nnl_layer_forward(l, x, y, 1));
    for (int i = 0; i < 6; i++)
        assert_memory_equal(nnl_tensor_data(y) + i * 4, nnl_tensor_data(table) + (int)ids[i] * 4, 16);
    assert_ok(nnl_tensor_fill(dy, 1.0f));
    assert_ok(nnl_layer_zero_grad(l));
    assert_ok(nnl_layer_backward(l, dy, dx));
    assert_float_equal(nnl_tensor_data(grad)[1 * 4], 2.0f, 0.0); /* id 1 used twice */
    assert_float_equal(nnl_tensor_data(grad)[9 * 4 + 3], 2.0f, 0.0);
    assert_float_equal(nnl_tensor_data(grad)[2 * 4], 0.0f, 0.0);
    nnl_tensor_data(x)[2] = 10.0f;
    assert_status_msg(nnl_layer_forward(l, x, y, 0), NNL_E_INVALID_ARG, "input[2]=10");
    nnl_tensor_data(x)[2] = 1.5f;
    assert_status_msg(nnl_layer_forward(l, x, y, 0), NNL_E_INVALID_ARG, "input[2]=1.5");
    nnl_tensor_free(x), nnl_tensor_free(y), nnl_tensor_free(dy), nnl_tensor_free(dx);
    nnl_layer_free(l);
    assert_status_msg(nnl_layer_embedding(&l, 0, 4), NNL_E_INVALID_ARG, "vocab=0");
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layernorm_layer_gradients),
        cmocka_unit_test(attention_layer_gradients),
        cmocka_unit_test(attention_layer_is_causal),
        cmocka_unit_test(bidirectional_attention_gradients),
        cmocka_unit_test(bidirectional_attention_sees_later_positions),
        cmocka_unit_test(encoder_block_gradients),
        cmocka_unit_test(transformer_block_gradients),
        cmocka_unit_test(embedding_layer_gathers_and_scatters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
