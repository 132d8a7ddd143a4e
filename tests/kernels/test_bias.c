/* add_bias and sum_rows: every SIMD table against the scalar oracle,
 * sum_rows as the gradient of add_bias (central differences), and calls
 * split over threads giving the same bits at every thread count. */
#include "kernel_test.h"

static const int64_t row_counts[] = {1, 2, 3, 7, 32};
static const int64_t col_counts[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 70, 128, 130, 5408};

static void simd_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t ri = 0; ri < sizeof row_counts / sizeof row_counts[0]; ri++)
        for (size_t ci = 0; ci < sizeof col_counts / sizeof col_counts[0]; ci++) {
            int64_t rows = row_counts[ri], cols = col_counts[ci], n = rows * cols;
            float *y0 = test_random(n, 1, 1.0f), *bias = test_random(cols, 2, 1.0f);
            float *db0 = test_random(cols, 3, 1.0f);
            float *y_ref = test_copy(y0, n), *db_ref = test_copy(db0, cols);
            ref->add_bias(rows, cols, y_ref, bias);
            ref->sum_rows(rows, cols, y0, db_ref);
            for (int l = 0; l < levels; l++) {
                float *y = test_copy(y0, n), *db = test_copy(db0, cols);
                simd[l]->add_bias(rows, cols, y, bias);
                simd[l]->sum_rows(rows, cols, y0, db);
                assert_same_bits("add_bias", y, y_ref, n);
                assert_close("sum_rows", db, db_ref, cols, 1e-6 * (double)rows, 1e-6);
                free(y), free(db);
            }
            free(y0), free(bias), free(db0), free(y_ref), free(db_ref);
        }
}

/* L = sum(g * (y + bias)) per row: dL/dbias = sum_rows(g), which sum_rows
 * adds to db (here starting from zero). */
static void sum_rows_is_the_gradient_of_add_bias(void **state)
{
    (void)state;
    const nnl_kernels *k = scalar_table();
    enum { ROWS = 5, COLS = 11 };
    float y[ROWS * COLS], g[ROWS * COLS], bias[COLS], db[COLS] = {0};
    test_fill_random(y, ROWS * COLS, 4);
    test_fill_random(g, ROWS * COLS, 5);
    test_fill_random(bias, COLS, 6);
    const float h = 0.5f; /* the loss is linear in the bias: any step is exact */
    k->sum_rows(ROWS, COLS, g, db);
    for (int c = 0; c < COLS; c++) {
        double loss[2];
        for (int side = 0; side < 2; side++) {
            float b[COLS], out[ROWS * COLS];
            memcpy(b, bias, sizeof b);
            memcpy(out, y, sizeof out);
            b[c] += side ? -h : h;
            k->add_bias(ROWS, COLS, out, b);
            loss[side] = 0;
            for (int i = 0; i < ROWS * COLS; i++)
                loss[side] += (double)g[i] * out[i];
        }
        assert_float_equal(db[c], (loss[0] - loss[1]) / (2.0 * h), 1e-5);
    }
}

static void large_calls_are_the_same_at_every_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    const int64_t rows = 1024, widths[] = {128, 130, 600};
    for (int l = 0; l < levels; l++)
        for (size_t wi = 0; wi < 3; wi++) {
            int64_t cols = widths[wi], n = rows * cols;
            float *y0 = test_random(n, 7, 1.0f), *bias = test_random(cols, 8, 1.0f);
            float *y1 = test_copy(y0, n), *db1 = test_random(cols, 9, 1.0f), *db0 = test_copy(db1, cols);
            assert_ok(nnl_set_num_threads(1));
            simd[l]->add_bias(rows, cols, y1, bias);
            simd[l]->sum_rows(rows, cols, y0, db1);
            for (int threads = 2; threads <= 3; threads++) {
                float *y = test_copy(y0, n), *db = test_copy(db0, cols);
                assert_ok(nnl_set_num_threads(threads));
                simd[l]->add_bias(rows, cols, y, bias);
                simd[l]->sum_rows(rows, cols, y0, db);
                assert_same_bits("add_bias", y, y1, n);
                assert_same_bits("sum_rows", db, db1, cols);
                free(y), free(db);
            }
            assert_ok(nnl_set_num_threads(1));
            free(y0), free(bias), free(y1), free(db1), free(db0);
        }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_matches_scalar),
        cmocka_unit_test(sum_rows_is_the_gradient_of_add_bias),
        cmocka_unit_test(large_calls_are_the_same_at_every_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
