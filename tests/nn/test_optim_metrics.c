/* Optimizers' update rules and schedules against hand-computed values, and
 * the classification metrics. */
#include <math.h>

#include "test_util.h"

static void schedules_follow_their_formulas(void **state)
{
    (void)state;
    nnl_optimizer *o;
    assert_ok(nnl_optimizer_adamw(&o, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f));
    assert_float_equal(nnl_optimizer_learning_rate(o), 1e-3f, 1e-9);
    assert_ok(nnl_optimizer_set_warmup(o, 100));
    assert_float_equal(nnl_optimizer_learning_rate(o), 1e-5f, 1e-9); /* step 0: 1/100 of the rate */
    assert_ok(nnl_optimizer_schedule_cosine(o, 1900, 1e-4f));
    assert_status_msg(nnl_optimizer_schedule_cosine(o, 10, 1.0f), NNL_E_INVALID_ARG, "min_lr=1");
    assert_status_msg(nnl_optimizer_set_clip_norm(o, -1.0f), NNL_E_INVALID_ARG, "max_norm=-1");
    assert_int_equal(nnl_optimizer_steps(o), 0);
    nnl_optimizer_free(o);

    assert_ok(nnl_optimizer_sgd(&o, 0.5f, 0.0f, 0));
    assert_ok(nnl_optimizer_schedule_step(o, 10, 0.5f));
    assert_float_equal(nnl_optimizer_learning_rate(o), 0.5f, 1e-9);
    nnl_optimizer_free(o);
    assert_status_msg(nnl_optimizer_sgd(&o, 0.1f, 0.0f, 1), NNL_E_INVALID_ARG, "nesterov=1");
    assert_status_msg(nnl_optimizer_sgd(&o, -0.1f, 0.0f, 0), NNL_E_INVALID_ARG, "lr=-0.1");
    assert_status_msg(nnl_optimizer_adam(&o, 0.1f, 1.0f, 0.9f, 1e-8f), NNL_E_INVALID_ARG, "beta1=1");
    assert_status_msg(nnl_optimizer_adam(NULL, 0.1f, 0.9f, 0.9f, 1e-8f), NNL_E_INVALID_ARG, "out is NULL");
    nnl_optimizer_free(NULL);
}

/* One-parameter model y = w x (no bias effect: x = 1, target 0, MSE):
 * gradient of (w + b)^2 w.r.t. w is 2 (w + b). */
static void single_step(nnl_optimizer *opt, float *w_after, float *b_after, int steps)
{
    const int64_t dims[1] = {1};
    float x[1] = {1.0f}, t[1] = {0.0f};
    nnl_dataset *data;
    assert_ok(nnl_dataset_create(&data, 1, 1, dims, x, 1, dims, t));
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, dims));
    assert_ok(nnl_layer_dense(&l, 1, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    nnl_tensor *w, *b;
    assert_ok(nnl_layer_param(l, 0, NULL, &w, NULL));
    assert_ok(nnl_layer_param(l, 1, NULL, &b, NULL));
    nnl_tensor_data(w)[0] = 1.0f;
    nnl_tensor_data(b)[0] = 0.0f;
    assert_ok(nnl_model_compile(m, NNL_LOSS_MSE, opt));
    assert_ok(nnl_model_fit(m, data, NULL, steps, 1, 0, NULL, NULL));
    *w_after = nnl_tensor_data(w)[0];
    *b_after = nnl_tensor_data(b)[0];
    nnl_model_free(m);
    nnl_dataset_free(data);
}

static void update_rules_match_hand_computation(void **state)
{
    (void)state;
    nnl_optimizer *o;
    float w, b;
    /* SGD: g_w = g_b = 2; w = 1 - 0.1*2 = 0.8; b = -0.2 */
    assert_ok(nnl_optimizer_sgd(&o, 0.1f, 0.0f, 0));
    single_step(o, &w, &b, 1);
    assert_float_equal(w, 0.8f, 1e-6);
    assert_float_equal(b, -0.2f, 1e-6);
    /* Nesterov, two steps: step1 g=2 v=2 w=1-0.1*(2+0.9*2)=0.62, b=-0.38;
     * step2 g=2*(0.62-0.38)=0.48 v=0.9*2+0.48=2.28 w=0.62-0.1*(0.48+0.9*2.28)=0.3668 */
    assert_ok(nnl_optimizer_sgd(&o, 0.1f, 0.9f, 1));
    single_step(o, &w, &b, 2);
    assert_float_equal(w, 0.3668f, 1e-5);
    /* Adam: the first step moves each parameter by lr (m/bc1 = g, v/bc2 = g^2) */
    assert_ok(nnl_optimizer_adam(&o, 0.01f, 0.9f, 0.999f, 1e-8f));
    single_step(o, &w, &b, 1);
    assert_float_equal(w, 0.99f, 1e-6);
    assert_float_equal(b, -0.01f, 1e-6);
    /* AdamW decays the weight but not the bias: w = 1 - 0.01*(1 + 0.5*1) */
    assert_ok(nnl_optimizer_adamw(&o, 0.01f, 0.9f, 0.999f, 1e-8f, 0.5f));
    single_step(o, &w, &b, 1);
    assert_float_equal(w, 0.985f, 1e-6);
    assert_float_equal(b, -0.01f, 1e-6);
    /* clipping: global norm of (2, 2) is 2.83 -> scaled to 1, SGD moves by lr/sqrt(2) */
    assert_ok(nnl_optimizer_sgd(&o, 0.1f, 0.0f, 0));
    assert_ok(nnl_optimizer_set_clip_norm(o, 1.0f));
    single_step(o, &w, &b, 1);
    assert_float_equal(w, 1.0f - 0.1f / sqrtf(2.0f), 1e-6);
}

static void metrics_match_hand_computation(void **state)
{
    (void)state;
    const int32_t truth[8] = {0, 0, 0, 1, 1, 2, 2, 2}, pred[8] = {0, 0, 1, 1, 1, 2, 0, 1};
    int64_t m[9];
    assert_ok(nnl_metrics_confusion(truth, pred, 8, 3, m));
    const int64_t expected[9] = {2, 1, 0, 0, 2, 0, 1, 1, 1};
    assert_memory_equal(m, expected, sizeof expected);
    double p[3], r[3], f[3], macro[3], acc;
    assert_ok(nnl_metrics_report(m, 3, p, r, f, macro, &acc));
    assert_float_equal(p[0], 2.0 / 3, 1e-12);
    assert_float_equal(r[0], 2.0 / 3, 1e-12);
    assert_float_equal(p[1], 2.0 / 4, 1e-12);
    assert_float_equal(r[1], 1.0, 1e-12);
    assert_float_equal(f[1], 2 * 0.5 / 1.5, 1e-12);
    assert_float_equal(p[2], 1.0, 1e-12);
    assert_float_equal(r[2], 1.0 / 3, 1e-12);
    assert_float_equal(acc, 5.0 / 8, 1e-12);
    assert_float_equal(macro[0], (2.0 / 3 + 0.5 + 1.0) / 3, 1e-12);
    const int32_t bad[1] = {3};
    assert_status_msg(nnl_metrics_confusion(bad, pred, 1, 3, m), NNL_E_INVALID_ARG, "sample 0 has truth=3");
    assert_status_msg(nnl_metrics_confusion(truth, pred, 8, 0, m), NNL_E_INVALID_ARG, "num_classes=0");
    assert_status_msg(nnl_metrics_report(NULL, 3, p, r, f, macro, &acc), NNL_E_INVALID_ARG, "matrix is NULL");
    /* a class never predicted has precision 0, not NaN */
    const int64_t none[4] = {1, 0, 1, 0};
    assert_ok(nnl_metrics_report(none, 2, p, r, f, macro, &acc));
    assert_float_equal(p[1], 0.0, 0);
    assert_float_equal(f[1], 0.0, 0);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedules_follow_their_formulas),
        cmocka_unit_test(update_rules_match_hand_computation),
        cmocka_unit_test(metrics_match_hand_computation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
