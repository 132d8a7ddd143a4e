/* Misuse of optim.h. */
#include <math.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static nnl_optimizer *adam(void)
{
    nnl_optimizer *o = NULL;
    assert_ok(nnl_optimizer_adam(&o, 1e-3f, 0.9f, 0.999f, 1e-7f));
    return o;
}

static void misuse_nnl_optimizer_sgd(void **state)
{
    (void)state;
    nnl_optimizer *o = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, NULL, 0.1f, 0.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, 0.0f, 0.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, -0.1f, 0.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, NAN, 0.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, INFINITY, 0.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, 0.1f, 1.0f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, 0.1f, -0.5f, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, 0.1f, NAN, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_sgd, &o, 0.1f, 0.0f, 1); /* Nesterov needs momentum */
    assert_null(o);
}

static void misuse_nnl_optimizer_adam(void **state)
{
    (void)state;
    nnl_optimizer *o = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, NULL, 1e-3f, 0.9f, 0.999f, 1e-7f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 0.0f, 0.9f, 0.999f, 1e-7f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 1e-3f, 1.0f, 0.999f, 1e-7f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 1e-3f, 0.9f, -0.1f, 1e-7f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 1e-3f, 0.9f, 0.999f, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 1e-3f, 0.9f, 0.999f, NAN);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adam, &o, 1e-3f, NAN, 0.999f, 1e-7f);
    assert_null(o);
}

static void misuse_nnl_optimizer_adamw(void **state)
{
    (void)state;
    nnl_optimizer *o = NULL;
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adamw, NULL, 1e-3f, 0.9f, 0.999f, 1e-7f, 0.01f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adamw, &o, -1e-3f, 0.9f, 0.999f, 1e-7f, 0.01f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adamw, &o, 1e-3f, 0.9f, 0.999f, 1e-7f, -0.01f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adamw, &o, 1e-3f, 0.9f, 0.999f, 1e-7f, INFINITY);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_adamw, &o, 1e-3f, 0.9f, 2.0f, 1e-7f, 0.01f);
    assert_null(o);
}

static void misuse_nnl_optimizer_set_clip_norm(void **state)
{
    (void)state;
    nnl_optimizer *o = adam();
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_clip_norm, NULL, 1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_clip_norm, o, -1.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_clip_norm, o, NAN);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_clip_norm, o, INFINITY);
    nnl_optimizer_free(o);
}

static void misuse_nnl_optimizer_set_warmup(void **state)
{
    (void)state;
    nnl_optimizer *o = adam();
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_warmup, NULL, 10);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_warmup, o, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_set_warmup, o, INT64_MIN);
    nnl_optimizer_free(o);
}

static void misuse_nnl_optimizer_schedule_step(void **state)
{
    (void)state;
    nnl_optimizer *o = adam();
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, NULL, 10, 0.5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, o, 0, 0.5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, o, -10, 0.5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, o, 10, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, o, 10, 1.5f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_step, o, 10, NAN);
    nnl_optimizer_free(o);
}

static void misuse_nnl_optimizer_schedule_cosine(void **state)
{
    (void)state;
    nnl_optimizer *o = adam();
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_cosine, NULL, 10, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_cosine, o, 0, 0.0f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_cosine, o, 10, -1e-4f);
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_cosine, o, 10, 1.0f); /* above lr */
    expect_misuse(NNL_E_INVALID_ARG, nnl_optimizer_schedule_cosine, o, 10, NAN);
    nnl_optimizer_free(o);
}

static void misuse_nnl_optimizer_learning_rate(void **state)
{
    (void)state;
    assert_true(nnl_optimizer_learning_rate(NULL) == -1.0f);
}

static void misuse_nnl_optimizer_steps(void **state)
{
    (void)state;
    assert_int_equal(nnl_optimizer_steps(NULL), -1);
}

static void misuse_nnl_optimizer_free(void **state)
{
    (void)state;
    nnl_optimizer_free(NULL);
    /* freeing an optimizer that a model owns is a no-op: the model still trains */
    nnl_model *m = fixture_cnn();
    nnl_optimizer *o = adam();
    assert_ok(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, o));
    nnl_optimizer_free(o);
    nnl_dataset *data = fixture_images(4);
    assert_ok(nnl_model_fit(m, data, NULL, 1, 2, 1, NULL, NULL));
    assert_int_equal(nnl_optimizer_steps(o), 2);
    nnl_dataset_free(data);
    nnl_model_free(m);
}

const misuse_case misuse_optim_cases[] = {
    MISUSE_CASE(nnl_optimizer_sgd),
    MISUSE_CASE(nnl_optimizer_adam),
    MISUSE_CASE(nnl_optimizer_adamw),
    MISUSE_CASE(nnl_optimizer_set_clip_norm),
    MISUSE_CASE(nnl_optimizer_set_warmup),
    MISUSE_CASE(nnl_optimizer_schedule_step),
    MISUSE_CASE(nnl_optimizer_schedule_cosine),
    MISUSE_CASE(nnl_optimizer_learning_rate),
    MISUSE_CASE(nnl_optimizer_steps),
    MISUSE_CASE(nnl_optimizer_free),
    {NULL, NULL},
};
