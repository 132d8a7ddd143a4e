/* Misuse of profile.h: starting twice, stopping when stopped, NULL
 * arguments, rows out of range or of no known size, files and streams that
 * cannot be written. */
#include <stdio.h>

#include "misuse.h"

/* A table holding one gemm row. */
static nnl_profile_table *one_row_table(void)
{
    float a = 1.0f, c;
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 1, 1, 1, 1.0f, &a, 1, &a, 1, 0.0f, &c, 1));
    assert_ok(nnl_profile_stop());
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    assert_int_equal(nnl_profile_table_count(t), 1);
    return t;
}

static void misuse_nnl_profile_start(void **state)
{
    (void)state;
    assert_ok(nnl_profile_start());
    assert_status_msg(nnl_profile_start(), NNL_E_STATE, "nnl_profile_start");
    assert_non_null(strstr(nnl_last_error(), "already runs"));
    assert_int_equal(nnl_profile_is_active(), 1); /* the failed start changed nothing */
    assert_ok(nnl_profile_stop());
}

static void misuse_nnl_profile_stop(void **state)
{
    (void)state;
    assert_status_msg(nnl_profile_stop(), NNL_E_STATE, "nnl_profile_stop");
    assert_non_null(strstr(nnl_last_error(), "does not run"));
    assert_ok(nnl_profile_start());
    assert_ok(nnl_profile_stop());
    assert_status_msg(nnl_profile_stop(), NNL_E_STATE, "nnl_profile_stop");
}

static void misuse_nnl_profile_reset(void **state)
{
    (void)state;
    nnl_profile_reset(); /* stopped: fine */
    assert_ok(nnl_profile_start());
    nnl_profile_reset(); /* running: keeps running */
    assert_int_equal(nnl_profile_is_active(), 1);
    assert_ok(nnl_profile_stop());
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    assert_int_equal(nnl_profile_table_count(t), 0);
    nnl_profile_table_free(t);
}

static void misuse_nnl_profile_is_active(void **state)
{
    (void)state;
    assert_int_equal(nnl_profile_is_active(), 0);
    assert_status_msg(nnl_profile_stop(), NNL_E_STATE, "nnl_profile_stop");
    assert_int_equal(nnl_profile_is_active(), 0);
}

static void misuse_nnl_profile_write_trace(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_write_trace, NULL);
    expect_misuse(NNL_E_IO, nnl_profile_write_trace, "/nonexistent-nnl-dir/trace.json");
    assert_non_null(strstr(nnl_last_error(), "/nonexistent-nnl-dir/trace.json"));
    char long_path[5000];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_write_trace, long_path);
}

static void misuse_nnl_profile_table_create(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_create, NULL);
}

static void misuse_nnl_profile_table_free(void **state)
{
    (void)state;
    nnl_profile_table_free(NULL);
}

static void misuse_nnl_profile_table_count(void **state)
{
    (void)state;
    assert_int_equal(nnl_profile_table_count(NULL), 0);
}

static void misuse_nnl_profile_table_row(void **state)
{
    (void)state;
    nnl_profile_table *t = one_row_table();
    nnl_profile_row_info row = NNL_PROFILE_ROW_INFO_INIT;
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_row, NULL, 0, &row);
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_row, t, 0, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_row, t, 1, &row);
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_row, t, -1, &row);
    row.struct_size = 8; /* no version of nnl_profile_row_info */
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_row, t, 0, &row);
    assert_non_null(strstr(nnl_last_error(), "nnl_profile_row_info"));
    row.struct_size = sizeof row;
    assert_ok(nnl_profile_table_row(t, 0, &row));
    assert_string_equal(row.name, "gemm");
    nnl_profile_table_free(t);
}

static void misuse_nnl_profile_table_totals(void **state)
{
    (void)state;
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_totals, NULL, NULL, NULL, NULL);
    nnl_profile_table *t = one_row_table();
    assert_ok(nnl_profile_table_totals(t, NULL, NULL, NULL)); /* every output optional */
    nnl_profile_table_free(t);
}

static void misuse_nnl_profile_table_format(void **state)
{
    (void)state;
    char text[64];
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_format, NULL, text, sizeof text, NULL);
    nnl_profile_table *t = one_row_table();
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_format, t, NULL, 8, NULL);
    assert_ok(nnl_profile_table_format(t, NULL, 0, NULL));
    nnl_profile_table_free(t);
}

static void misuse_nnl_profile_table_write(void **state)
{
    (void)state;
    nnl_profile_table *t = one_row_table();
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_write, NULL, stdout);
    expect_misuse(NNL_E_INVALID_ARG, nnl_profile_table_write, t, NULL);
    FILE *read_only = fopen("/dev/null", "r");
    assert_non_null(read_only);
    expect_misuse(NNL_E_IO, nnl_profile_table_write, t, read_only);
    fclose(read_only);
    nnl_profile_table_free(t);
}

const misuse_case misuse_profile_cases[] = {
    MISUSE_CASE(nnl_profile_start),
    MISUSE_CASE(nnl_profile_stop),
    MISUSE_CASE(nnl_profile_reset),
    MISUSE_CASE(nnl_profile_is_active),
    MISUSE_CASE(nnl_profile_write_trace),
    MISUSE_CASE(nnl_profile_table_create),
    MISUSE_CASE(nnl_profile_table_free),
    MISUSE_CASE(nnl_profile_table_count),
    MISUSE_CASE(nnl_profile_table_row),
    MISUSE_CASE(nnl_profile_table_totals),
    MISUSE_CASE(nnl_profile_table_format),
    MISUSE_CASE(nnl_profile_table_write),
    {NULL, NULL},
};
