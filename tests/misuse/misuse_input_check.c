/* Misuse of input_check.h: NULLs, a batch where one sample is expected,
 * thresholds out of range, non-finite probabilities, struct sizes. */
#include <math.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

static const int64_t image[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};

static nnl_tensor *tensor_of(int ndim, const int64_t *dims)
{
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, ndim, dims));
    return t;
}

static void misuse_nnl_input_check(void **state)
{
    (void)state;
    nnl_tensor *x = tensor_of(3, image);
    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    nnl_input_check_options o = NNL_INPUT_CHECK_OPTIONS_INIT;
    const float p[2] = {0.5f, INFINITY};
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, NULL, NULL, 0, NULL, &r);
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, x, NULL, 0, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, x, p, -1, NULL, &r);
    expect_misuse(NNL_E_NUMERIC, nnl_input_check, x, p, 2, NULL, &r);
    o.min_confidence = 2.0f;
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, x, NULL, 0, &o, &r);
    o = (nnl_input_check_options)NNL_INPUT_CHECK_OPTIONS_INIT;
    o.ink_level = NAN;
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, x, NULL, 0, &o, &r);
    r.struct_size = 4;
    expect_misuse(NNL_E_INVALID_ARG, nnl_input_check, x, NULL, 0, NULL, &r);
    nnl_tensor_free(x);
}

static void misuse_nnl_model_predict_checked(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    const int64_t two[4] = {2, FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1}, classes[1] = {FIXTURE_CLASSES};
    nnl_tensor *x = tensor_of(3, image), *batch = tensor_of(4, two), *y = tensor_of(1, classes);
    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_checked, NULL, x, y, NULL, &r);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_checked, m, NULL, y, NULL, &r);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_checked, m, x, NULL, NULL, &r);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_predict_checked, m, x, y, NULL, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict_checked, m, batch, y, NULL, &r);
    expect_misuse(NNL_E_SHAPE, nnl_model_predict_checked, m, x, x, NULL, &r);
    nnl_tensor_free(x);
    nnl_tensor_free(batch);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

/* Never fails: any value has a name, unknown ones "unknown". */
static void misuse_nnl_input_reason_name(void **state)
{
    (void)state;
    assert_string_equal(nnl_input_reason_name(-1), "unknown");
    assert_string_equal(nnl_input_reason_name(NNL_INPUT_UNSURE + 1), "unknown");
    assert_string_equal(nnl_input_reason_name(NNL_INPUT_BLANK), "blank");
}

const misuse_case misuse_input_check_cases[] = {
    MISUSE_CASE(nnl_input_check),
    MISUSE_CASE(nnl_model_predict_checked),
    MISUSE_CASE(nnl_input_reason_name),
    {NULL, NULL},
};
