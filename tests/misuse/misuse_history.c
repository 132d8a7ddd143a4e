/* Misuse of history.h: NULLs, rows and keys out of range, a file that
 * cannot be written. */
#include <math.h>

#include "fixtures/fixtures.h"
#include "misuse.h"

/* A model after a fit of one step: two rows (the step, the epoch). */
static nnl_model *fitted_model(void)
{
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *train = fixture_images(4);
    assert_ok(nnl_model_fit(m, train, NULL, 1, 4, 1, NULL, NULL));
    nnl_dataset_free(train);
    assert_int_equal(nnl_history_rows(nnl_model_history(m)), 2);
    return m;
}

static void misuse_nnl_model_history(void **state)
{
    (void)state;
    assert_null(nnl_model_history(NULL));
    nnl_model *m = fixture_cnn(); /* never fitted: an empty history */
    assert_non_null(nnl_model_history(m));
    assert_int_equal(nnl_history_rows(nnl_model_history(m)), 0);
    nnl_model_free(m);
}

static void misuse_nnl_history_rows(void **state)
{
    (void)state;
    assert_int_equal(nnl_history_rows(NULL), -1);
}

static void misuse_nnl_history_get(void **state)
{
    (void)state;
    nnl_model *m = fitted_model();
    const nnl_history *h = nnl_model_history(m);
    double v = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_get, NULL, 0, NNL_HISTORY_LOSS, &v);
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_get, h, 0, NNL_HISTORY_LOSS, NULL);
    assert_status_msg(nnl_history_get(h, 2, NNL_HISTORY_LOSS, &v), NNL_E_INVALID_ARG,
                      "row 2 out of range (the history has 2 rows)");
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_get, h, -1, NNL_HISTORY_LOSS, &v);
    assert_status_msg(nnl_history_get(h, 0, (nnl_history_key)NNL_HISTORY_COLUMNS, &v), NNL_E_INVALID_ARG,
                      "not an nnl_history_key");
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_get, h, 0, (nnl_history_key)-1, &v);
    assert_ok(nnl_history_get(h, 1, NNL_HISTORY_KIND, &v));
    assert_true(v == NNL_HISTORY_ROW_EPOCH);
    nnl_model_free(m);
}

static void misuse_nnl_history_column_name(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    const nnl_history *h = nnl_model_history(m);
    assert_null(nnl_history_column_name(NULL, NNL_HISTORY_LOSS));
    assert_null(nnl_history_column_name(h, (nnl_history_key)-1));
    assert_null(nnl_history_column_name(h, (nnl_history_key)NNL_HISTORY_COLUMNS));
    assert_string_equal(nnl_history_column_name(h, NNL_HISTORY_ELAPSED), "elapsed_s");
    nnl_model_free(m);
}

static void misuse_nnl_history_truncated(void **state)
{
    (void)state;
    assert_int_equal(nnl_history_truncated(NULL), -1);
}

static void misuse_nnl_history_write_csv(void **state)
{
    (void)state;
    nnl_model *m = fitted_model();
    const nnl_history *h = nnl_model_history(m);
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_write_csv, NULL, "history.csv");
    expect_misuse(NNL_E_INVALID_ARG, nnl_history_write_csv, h, NULL);
    assert_status_msg(nnl_history_write_csv(h, "/nonexistent-nnl-dir/history.csv"), NNL_E_IO,
                      "nnl_history_write_csv: cannot create '/nonexistent-nnl-dir/history.csv'");
    assert_status_msg(nnl_history_write_csv(h, "/"), NNL_E_IO, "'/'"); /* a folder */
    nnl_model_free(m);
}

const misuse_case misuse_history_cases[] = {
    MISUSE_CASE(nnl_model_history),
    MISUSE_CASE(nnl_history_rows),
    MISUSE_CASE(nnl_history_get),
    MISUSE_CASE(nnl_history_column_name),
    MISUSE_CASE(nnl_history_truncated),
    MISUSE_CASE(nnl_history_write_csv),
    {NULL, NULL},
};
