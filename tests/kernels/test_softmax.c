/* softmax and softmax_xent: every SIMD table against the scalar oracle in
 * every output combination (probs and/or dlogits, dlogits aliasing logits),
 * the gradient against central differences of the loss, and the numbers a
 * softmax must get right: log(C) for uniform logits, no overflow at 1e4,
 * rows summing to 1. */
#include "kernel_test.h"

static const int64_t col_counts[] = {1, 2, 3, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 127, 6000};

/* dlogits of a label near probability 1 is (p - 1) * scale: float p carries
 * an absolute error of about one ulp of 1, whatever the summation order. */
#define DLOGIT_ATOL 2.5e-7

static int32_t *labels_for(int64_t rows, int64_t cols)
{
    int32_t *labels = malloc((size_t)rows * sizeof(int32_t));
    assert_non_null(labels);
    for (int64_t r = 0; r < rows; r++)
        labels[r] = (int32_t)((r * 7 + 3) % cols);
    return labels;
}

static void simd_softmax_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t ci = 0; ci < sizeof col_counts / sizeof col_counts[0]; ci++) {
        int64_t rows = 3, cols = col_counts[ci], n = rows * cols;
        float *x = test_random(n, (uint32_t)ci, 20.0f), *p_ref = test_floats(n), *p = test_floats(n);
        ref->softmax(rows, cols, x, p_ref);
        for (int l = 0; l < levels; l++) {
            simd[l]->softmax(rows, cols, x, p);
            assert_close("softmax", p, p_ref, n, 1e-9, 2e-6);
        }
        free(x), free(p_ref), free(p);
    }
}

/* The four ways to call softmax_xent give the oracle's loss, probs and
 * dlogits, whichever outputs are asked for. */
static void simd_xent_matches_scalar_in_every_mode(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t ci = 0; ci < sizeof col_counts / sizeof col_counts[0]; ci++)
        for (int64_t rows = 1; rows <= 5; rows += 4) {
            int64_t cols = col_counts[ci], n = rows * cols;
            float scale = 1.0f / (float)rows;
            int32_t *labels = labels_for(rows, cols);
            float *x = test_random(n, (uint32_t)(ci + 50), 20.0f);
            float *p_ref = test_floats(n), *d_ref = test_floats(n);
            double loss_ref = ref->softmax_xent(rows, cols, x, labels, scale, p_ref, d_ref, NULL);
            for (int l = 0; l < levels; l++) {
                const nnl_kernels *k = simd[l];
                float *p = test_floats(n), *d = test_floats(n);
                double tol = 1e-6 * (double)rows * (1.0 + fabs(loss_ref));
                assert_float_equal(k->softmax_xent(rows, cols, x, labels, scale, p, d, NULL), loss_ref, tol);
                assert_close("xent probs", p, p_ref, n, 1e-9, 2e-6);
                assert_close("xent dlogits", d, d_ref, n, DLOGIT_ATOL, 2e-6);
                assert_float_equal(k->softmax_xent(rows, cols, x, labels, scale, NULL, d, NULL), loss_ref, tol);
                assert_close("xent dlogits without probs", d, d_ref, n, DLOGIT_ATOL, 2e-6);
                assert_float_equal(k->softmax_xent(rows, cols, x, labels, scale, p, NULL, NULL), loss_ref, tol);
                assert_close("xent probs without dlogits", p, p_ref, n, 1e-9, 2e-6);
                assert_float_equal(k->softmax_xent(rows, cols, x, labels, scale, NULL, NULL, NULL), loss_ref, tol);
                float *alias = test_copy(x, n);
                assert_float_equal(k->softmax_xent(rows, cols, alias, labels, scale, NULL, alias, NULL), loss_ref, tol);
                assert_close("xent dlogits in place of logits", alias, d_ref, n, DLOGIT_ATOL, 2e-6);
                free(p), free(d), free(alias);
            }
            float *alias = test_copy(x, n);
            assert_float_equal(ref->softmax_xent(rows, cols, alias, labels, scale, NULL, alias, NULL), loss_ref, 0.0);
            assert_same_bits("scalar dlogits in place of logits", alias, d_ref, n);
            free(alias), free(labels), free(x), free(p_ref), free(d_ref);
        }
}

/* Rows whose label's logit is the row's largest (the accuracy fit reports):
 * every level counts what an argmax over the row counts, with probs and
 * dlogits or without, and with the rows split over threads. */
static void xent_counts_the_rows_whose_label_is_the_argmax(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int levels = 1 + simd_tables(tables + 1);
    const int64_t rows = 1000, cols = 67, n = rows * cols; /* above 64k floats: split over threads */
    float *x = test_random(n, 77, 4.0f), *d = test_floats(n);
    int32_t *labels = labels_for(rows, cols);
    int64_t want = 0;
    for (int64_t r = 0; r < rows; r++) {
        int64_t best = 0;
        for (int64_t c = 1; c < cols; c++)
            best = x[r * cols + c] > x[r * cols + best] ? c : best;
        labels[r] = r % 3 == 0 ? (int32_t)best : labels[r]; /* a third of the rows right, the rest by chance */
    }
    for (int64_t r = 0; r < rows; r++) {
        int64_t best = 0;
        for (int64_t c = 1; c < cols; c++)
            best = x[r * cols + c] > x[r * cols + best] ? c : best;
        want += best == labels[r];
    }
    assert_true(want >= rows / 3);
    for (int l = 0; l < levels; l++) {
        int64_t got = -1, got_with_grad = -1;
        tables[l]->softmax_xent(rows, cols, x, labels, 1.0f, NULL, NULL, &got);
        tables[l]->softmax_xent(rows, cols, x, labels, 1.0f, NULL, d, &got_with_grad);
        assert_int_equal(got, want);
        assert_int_equal(got_with_grad, want);
    }
    free(x), free(d), free(labels);
}

/* dloss/dlogits by central differences (in double) of the returned loss. */
static void scalar_gradient_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = scalar_table();
    enum { ROWS = 3, COLS = 13 };
    float x[ROWS * COLS], d[ROWS * COLS];
    int32_t labels[ROWS] = {0, 12, 5};
    test_fill_random(x, ROWS * COLS, 8);
    for (int i = 0; i < ROWS * COLS; i++)
        x[i] *= 3.0f;
    k->softmax_xent(ROWS, COLS, x, labels, 0.5f, NULL, d, NULL);
    const float h = 1e-2f;
    for (int i = 0; i < ROWS * COLS; i++) {
        float saved = x[i];
        x[i] = saved + h;
        double up = k->softmax_xent(ROWS, COLS, x, labels, 0.5f, NULL, NULL, NULL);
        x[i] = saved - h;
        double down = k->softmax_xent(ROWS, COLS, x, labels, 0.5f, NULL, NULL, NULL);
        x[i] = saved;
        double numeric = 0.5 * (up - down) / (2.0 * h);
        if (fabs(numeric - d[i]) > 1e-4)
            fail_msg("dlogits[%d] = %.7g, central difference %.7g", i, (double)d[i], numeric);
    }
}

static void known_values_for_every_table(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    enum { COLS = 6000 };
    float *x = test_floats(COLS), *p = test_floats(COLS);
    for (int t = 0; t < count; t++) {
        const nnl_kernels *k = tables[t];
        int32_t label = 4321;
        /* Uniform logits: every probability 1/C, loss log(C). */
        for (int c = 0; c < COLS; c++)
            x[c] = 0.25f;
        assert_float_equal(k->softmax_xent(1, COLS, x, &label, 1.0f, p, NULL, NULL), log((double)COLS), 1e-5);
        for (int c = 0; c < COLS; c++)
            assert_float_equal(p[c], 1.0 / COLS, 1e-9);
        /* Logits of 1e4 neither overflow nor lose the answer. */
        test_fill_random(x, COLS, 9);
        for (int c = 0; c < COLS; c++)
            x[c] *= 1e4f;
        double loss = k->softmax_xent(1, COLS, x, &label, 1.0f, p, NULL, NULL);
        assert_true(isfinite(loss) && loss >= 0.0);
        double sum = 0.0;
        for (int c = 0; c < COLS; c++) {
            assert_true(isfinite(p[c]) && p[c] >= 0.0f && p[c] <= 1.0f);
            sum += p[c];
        }
        assert_float_equal(sum, 1.0, 1e-5);
        /* A label whose probability underflows still gets its true loss. */
        float two[2] = {0.0f, -200.0f};
        int32_t second = 1;
        assert_float_equal(k->softmax_xent(1, 2, two, &second, 1.0f, NULL, NULL, NULL), 200.0, 1e-4);
        /* Rows of random logits sum to 1. */
        float rows_x[7 * 33], rows_p[7 * 33];
        test_fill_random(rows_x, 7 * 33, 10);
        k->softmax(7, 33, rows_x, rows_p);
        for (int r = 0; r < 7; r++) {
            double row_sum = 0.0;
            for (int c = 0; c < 33; c++)
                row_sum += rows_p[r * 33 + c];
            assert_float_equal(row_sum, 1.0, 1e-6);
        }
    }
    free(x), free(p);
}

/* Calls big enough to be split over threads: the oracle's values at every
 * thread count, the same bits for the outputs, and for a given thread count
 * the same loss on every call. */
static void large_calls_are_deterministic(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    int64_t rows = 67, cols = 3001, n = rows * cols;
    int32_t *labels = labels_for(rows, cols);
    float *x = test_random(n, 31, 20.0f), *p_ref = test_floats(n), *d_ref = test_floats(n);
    float *p1 = test_floats(n), *d1 = test_floats(n), *p = test_floats(n), *d = test_floats(n);
    double loss_ref = ref->softmax_xent(rows, cols, x, labels, 0.5f, p_ref, d_ref, NULL);
    for (int l = 0; l < levels; l++) {
        const nnl_kernels *k = simd[l];
        for (int threads = 1; threads <= 3; threads++) {
            assert_ok(nnl_set_num_threads(threads));
            test_poison(p, n), test_poison(d, n);
            double loss = k->softmax_xent(rows, cols, x, labels, 0.5f, threads == 1 ? p1 : p, threads == 1 ? d1 : d, NULL);
            assert_float_equal(loss, loss_ref, 1e-6 * fabs(loss_ref));
            assert_true(k->softmax_xent(rows, cols, x, labels, 0.5f, NULL, NULL, NULL) == loss);
            if (threads == 1) {
                assert_close("probs", p1, p_ref, n, 1e-9, 2e-6);
                assert_close("dlogits", d1, d_ref, n, DLOGIT_ATOL, 2e-6);
            } else {
                assert_same_bits("probs", p, p1, n);
                assert_same_bits("dlogits", d, d1, n);
            }
            test_poison(p, n);
            k->softmax(rows, cols, x, p);
            assert_same_bits("softmax", p, p1, n);
        }
    }
    assert_ok(nnl_set_num_threads(1));
    free(labels), free(x), free(p_ref), free(d_ref), free(p1), free(d1), free(p), free(d);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_softmax_matches_scalar),
        cmocka_unit_test(simd_xent_matches_scalar_in_every_mode),
        cmocka_unit_test(xent_counts_the_rows_whose_label_is_the_argmax),
        cmocka_unit_test(scalar_gradient_matches_finite_differences),
        cmocka_unit_test(known_values_for_every_table),
        cmocka_unit_test(large_calls_are_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
