/* Misuse of status.h, runtime.h, version.h, blas.h and metrics.h. */
#include <math.h>
#include <stdio.h>

#include "misuse.h"

static void misuse_nnl_status_str(void **state)
{
    (void)state;
    for (int s = NNL_E_INTERNAL; s <= NNL_OK; s++)
        assert_string_not_equal(nnl_status_str((nnl_status)s), "unknown status");
    assert_string_equal(nnl_status_str((nnl_status)-11), "unknown status");
    assert_string_equal(nnl_status_str((nnl_status)1), "unknown status");
    assert_string_equal(nnl_status_str((nnl_status)INT32_MIN), "unknown status");
}

static void misuse_nnl_last_error(void **state)
{
    (void)state;
    nnl_clear_error();
    assert_non_null(nnl_last_error());
    assert_string_equal(nnl_last_error(), "");
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, 0);
    assert_non_null(strstr(nnl_last_error(), "n=0"));
}

static void misuse_nnl_clear_error(void **state)
{
    (void)state;
    nnl_clear_error();
    nnl_clear_error();
    expect_misuse(NNL_E_INVALID_ARG, nnl_tensor_fill, NULL, 1.0f);
    nnl_clear_error();
    assert_string_equal(nnl_last_error(), "");
}

typedef struct log_record {
    int calls;
    nnl_log_level level;
    char message[512];
} log_record;

static void record_log(nnl_log_level level, const char *message, void *user)
{
    log_record *r = user;
    r->calls++;
    r->level = level;
    snprintf(r->message, sizeof r->message, "%s", message);
}

static void misuse_nnl_set_log_callback(void **state)
{
    (void)state;
    nnl_set_log_callback(NULL, NULL); /* removing when none is set */
    log_record r = {0};
    nnl_set_log_callback(record_log, &r);
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, -3);
    nnl_set_log_callback(NULL, NULL);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.level, NNL_LOG_ERROR);
    assert_string_equal(r.message, nnl_last_error());
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, -3);
    assert_int_equal(r.calls, 1); /* removed: no more calls */
}

static void misuse_nnl_simd_level(void **state)
{
    (void)state;
    nnl_simd level = nnl_simd_level();
    assert_true(level >= NNL_SIMD_SCALAR && level <= NNL_SIMD_NEON);
    assert_int_equal(nnl_simd_level(), level);
}

static void misuse_nnl_simd_name(void **state)
{
    (void)state;
    assert_string_equal(nnl_simd_name(NNL_SIMD_SCALAR), "scalar");
    assert_string_equal(nnl_simd_name((nnl_simd)-1), "unknown");
    assert_string_equal(nnl_simd_name((nnl_simd)4), "unknown");
    assert_string_equal(nnl_simd_name((nnl_simd)INT32_MAX), "unknown");
}

static void misuse_nnl_set_num_threads(void **state)
{
    (void)state;
    int before = nnl_get_num_threads();
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, 0);
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, -1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, 1025);
    expect_misuse(NNL_E_INVALID_ARG, nnl_set_num_threads, INT32_MIN);
    assert_int_equal(nnl_get_num_threads(), before); /* unchanged by a refused call */
}

static void misuse_nnl_get_num_threads(void **state)
{
    (void)state;
    assert_true(nnl_get_num_threads() >= 1);
}

static void misuse_nnl_cpu_info_get(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_cpu_info_get, NULL);
    nnl_cpu_info info = NNL_CPU_INFO_INIT;
    info.struct_size = 0; /* not a version of the struct */
    expect_misuse(NNL_E_INVALID_ARG, nnl_cpu_info_get, &info);
    info.struct_size = sizeof info - 1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_cpu_info_get, &info);
    info.struct_size = sizeof info;
    assert_int_equal(nnl_cpu_info_get(&info), NNL_OK);
    assert_int_equal(info.simd, nnl_simd_level());
    assert_true(info.l1d_bytes > 0 && info.l2_bytes > 0 && info.l3_bytes >= 0);
    assert_true(info.gemm_mr == 0 || (info.gemm_kc > 0 && info.gemm_mc % info.gemm_mr == 0 &&
                                      info.gemm_nc % info.gemm_nr == 0));
    assert_true(memchr(info.model, '\0', sizeof info.model) != NULL);
}

static void misuse_nnl_version_string(void **state)
{
    (void)state;
    assert_string_equal(nnl_version_string(), NNL_VERSION_STRING);
}

static void misuse_nnl_version_number(void **state)
{
    (void)state;
    assert_int_equal(nnl_version_number(), NNL_VERSION_NUMBER);
}

static void misuse_nnl_abi_version(void **state)
{
    (void)state;
    assert_int_equal(nnl_abi_version(), NNL_ABI_VERSION);
}

static void misuse_nnl_sgemm(void **state)
{
    (void)state;
    float a[6] = {0}, b[6] = {0}, c[4] = {0};
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, -2, 3, 1, a, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, INT64_MIN, 1, a, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, (nnl_transpose)2, NNL_NO_TRANS, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, (nnl_transpose)-1, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, NULL, 3, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 3, NULL, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 3, b, 2, 0, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 1, b, 2, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 3, b, 1, 0, c, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, 3, b, 2, 0, c, 1);
    expect_misuse(NNL_E_INVALID_ARG, nnl_sgemm, NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 3, 1, a, -3, b, 2, 0, c, 2);
    /* empty products need no pointers */
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 0, 0, 0, 1, NULL, 0, NULL, 0, 0, NULL, 0));
}

static void misuse_nnl_metrics_confusion(void **state)
{
    (void)state;
    int32_t truth[3] = {0, 1, 2}, predicted[3] = {0, 1, 1}, bad[3] = {0, 3, -1};
    int64_t matrix[9];
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, predicted, 3, 3, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, NULL, predicted, 3, 3, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, NULL, 3, 3, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, predicted, -1, 3, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, predicted, 3, 0, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, predicted, 3, -5, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, truth, bad, 3, 3, matrix);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_confusion, bad, predicted, 3, 3, matrix);
    assert_non_null(strstr(nnl_last_error(), "sample 1"));
    assert_ok(nnl_metrics_confusion(NULL, NULL, 0, 3, matrix)); /* no samples: no labels needed */
}

static void misuse_nnl_metrics_multilabel(void **state)
{
    (void)state;
    const uint8_t truth[4] = {0, 1, 1, 0}, predicted[4] = {1, 1, 0, 0}, bad[4] = {0, 1, 255, 0};
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT, unset = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, NULL, predicted, 2, 2, &r, NULL, NULL, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, NULL, 2, 2, &r, NULL, NULL, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, predicted, -1, 2, &r, NULL, NULL, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, predicted, 2, 0, &r, NULL, NULL, NULL, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, predicted, 2, 70000, &r, NULL, NULL, NULL,
                  NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, bad, 2, 2, &r, NULL, NULL, NULL, NULL);
    assert_non_null(strstr(nnl_last_error(), "predicted[1][0]=255"));
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_multilabel, truth, predicted, 2, 2, &unset, NULL, NULL, NULL,
                  NULL);
    assert_ok(nnl_metrics_multilabel(NULL, NULL, 0, 2, &r, NULL, NULL, NULL, NULL)); /* no samples */
}

static void misuse_nnl_metrics_tune_thresholds(void **state)
{
    (void)state;
    const float p[4] = {0.1f, 0.9f, 0.7f, 0.2f}, outside[4] = {0.1f, 1.5f, 0.7f, 0.2f};
    const uint8_t truth[4] = {0, 1, 1, 0}, bad[4] = {0, 1, 2, 0};
    float thresholds[2];
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, NULL, truth, 2, 2, thresholds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, p, NULL, 2, 2, thresholds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, p, truth, 2, 2, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, p, truth, 0, 2, thresholds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, p, truth, 2, 0, thresholds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, outside, truth, 2, 2, thresholds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_tune_thresholds, p, bad, 2, 2, thresholds);
}

static void misuse_nnl_metrics_report(void **state)
{
    (void)state;
    int64_t matrix[4] = {3, 1, 0, 2}, negative[4] = {-1, 0, 0, 1};
    double p[2], r[2], f[2], macro[3], acc;
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_report, NULL, 2, p, r, f, macro, &acc);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_report, matrix, 0, p, r, f, macro, &acc);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_report, matrix, -2, p, r, f, macro, &acc);
    expect_misuse(NNL_E_INVALID_ARG, nnl_metrics_report, negative, 2, p, r, f, macro, &acc);
    assert_ok(nnl_metrics_report(matrix, 2, NULL, NULL, NULL, NULL, NULL)); /* every output optional */
}

const misuse_case misuse_core_cases[] = {
    MISUSE_CASE(nnl_status_str),
    MISUSE_CASE(nnl_last_error),
    MISUSE_CASE(nnl_clear_error),
    MISUSE_CASE(nnl_set_log_callback),
    MISUSE_CASE(nnl_simd_level),
    MISUSE_CASE(nnl_simd_name),
    MISUSE_CASE(nnl_set_num_threads),
    MISUSE_CASE(nnl_get_num_threads),
        MISUSE_CASE(nnl_cpu_info_get),
    MISUSE_CASE(nnl_version_string),
    MISUSE_CASE(nnl_version_number),
    MISUSE_CASE(nnl_abi_version),
    MISUSE_CASE(nnl_sgemm),
    MISUSE_CASE(nnl_metrics_confusion),
    MISUSE_CASE(nnl_metrics_report),
    MISUSE_CASE(nnl_metrics_multilabel),
    MISUSE_CASE(nnl_metrics_tune_thresholds),
    {NULL, NULL},
};
