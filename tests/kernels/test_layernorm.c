/* LayerNorm kernels: backward against finite differences, every SIMD level
 * against the scalar oracle (odd widths for the vector tails), and calls
 * large enough to be split over threads giving the same bits at every
 * thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "kernels/kernels.h"

/* loss = sum(out * w): its gradient w.r.t. out is w. */
static double weighted_loss(const nnl_kernels *k, int64_t rows, int64_t cols, const float *x,
                            const float *gamma, const float *beta, const float *w, float *out)
{
    k->layernorm_forward(rows, cols, x, gamma, beta, 1e-5f, out, NULL, NULL);
    double loss = 0.0;
    for (int64_t i = 0; i < rows * cols; i++)
        loss += (double)out[i] * w[i];
    return loss;
}

static void check_grad(const char *what, float *param, int64_t n, const float *analytic,
                       const nnl_kernels *k, int64_t rows, int64_t cols, const float *x,
                       const float *gamma, const float *beta, const float *w, float *out)
{
    const float h = 1e-2f;
    for (int64_t i = 0; i < n; i++) {
        float saved = param[i];
        param[i] = saved + h;
        double up = weighted_loss(k, rows, cols, x, gamma, beta, w, out);
        param[i] = saved - h;
        double down = weighted_loss(k, rows, cols, x, gamma, beta, w, out);
        param[i] = saved;
        double numeric = (up - down) / (2.0 * h);
        double tol = 2e-3 + 1e-2 * fabs(numeric);
        if (fabs(numeric - analytic[i]) > tol)
            fail_msg("%s[%lld]: analytic %g, numeric %g", what, (long long)i, analytic[i], numeric);
    }
}

static void layernorm_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { ROWS = 3, COLS = 19 };
    float x[ROWS * COLS], gamma[COLS], beta[COLS], w[ROWS * COLS], out[ROWS * COLS];
    float mean[ROWS], rstd[ROWS];
    float dx[ROWS * COLS] = {0}, dgamma[COLS] = {0}, dbeta[COLS] = {0};
    test_fill_random(x, ROWS * COLS, 1);
    test_fill_random(gamma, COLS, 2);
    test_fill_random(beta, COLS, 3);
    test_fill_random(w, ROWS * COLS, 4);
    for (int i = 0; i < COLS; i++)
        gamma[i] += 1.5f;
    k->layernorm_forward(ROWS, COLS, x, gamma, beta, 1e-5f, out, mean, rstd);
    k->layernorm_backward(ROWS, COLS, w, x, gamma, mean, rstd, dx, dgamma, dbeta);
    check_grad("dx", x, ROWS * COLS, dx, k, ROWS, COLS, x, gamma, beta, w, out);
    check_grad("dweight", gamma, COLS, dgamma, k, ROWS, COLS, x, gamma, beta, w, out);
    check_grad("dbias", beta, COLS, dbeta, k, ROWS, COLS, x, gamma, beta, w, out);
}

static void layernorm_backward_accumulates(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { ROWS = 2, COLS = 8 };
    float x[ROWS * COLS], g[COLS], b[COLS], dy[ROWS * COLS], out[ROWS * COLS], mean[ROWS], rstd[ROWS];
    float dx1[ROWS * COLS] = {0}, dg1[COLS] = {0}, db1[COLS] = {0};
    float dx2[ROWS * COLS], dg2[COLS], db2[COLS];
    test_fill_random(x, ROWS * COLS, 5);
    test_fill_random(g, COLS, 6);
    test_fill_random(b, COLS, 7);
    test_fill_random(dy, ROWS * COLS, 8);
    k->layernorm_forward(ROWS, COLS, x, g, b, 1e-5f, out, mean, rstd);
    k->layernorm_backward(ROWS, COLS, dy, x, g, mean, rstd, dx1, dg1, db1);
    for (int i = 0; i < ROWS * COLS; i++)
        dx2[i] = 1.0f;
    for (int i = 0; i < COLS; i++)
        dg2[i] = db2[i] = 2.0f;
    k->layernorm_backward(ROWS, COLS, dy, x, g, mean, rstd, dx2, dg2, db2);
    for (int i = 0; i < ROWS * COLS; i++)
        assert_float_equal(dx2[i], dx1[i] + 1.0f, 1e-5);
    for (int i = 0; i < COLS; i++) {
        assert_float_equal(dg2[i], dg1[i] + 2.0f, 1e-5);
        assert_float_equal(db2[i], db1[i] + 2.0f, 1e-5);
    }
}

static void assert_close(const char *what, const float *got, const float *want, int64_t n, float tol)
{
    for (int64_t i = 0; i < n; i++)
        if (fabsf(got[i] - want[i]) > tol * (1.0f + fabsf(want[i])))
            fail_msg("%s[%lld]: %.7g, scalar %.7g", what, (long long)i, got[i], want[i]);
}

static void simd_levels_match_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = nnl_kernels_for(NNL_SIMD_SCALAR);
    const int64_t widths[] = {1, 7, 8, 15, 16, 17, 33, 128, 130};
    for (int level = NNL_SIMD_AVX2; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k)
            continue;
        for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
            int64_t rows = 5, cols = widths[wi], n = rows * cols;
            float *x = malloc(sizeof(float) * (size_t)n), *dy = malloc(sizeof(float) * (size_t)n);
            float *g = malloc(sizeof(float) * (size_t)cols), *b = malloc(sizeof(float) * (size_t)cols);
            float *o1 = malloc(sizeof(float) * (size_t)n), *o2 = malloc(sizeof(float) * (size_t)n);
            float *dx1 = calloc((size_t)n, sizeof(float)), *dx2 = calloc((size_t)n, sizeof(float));
            float *dg1 = calloc((size_t)cols, sizeof(float)), *dg2 = calloc((size_t)cols, sizeof(float));
            float *db1 = calloc((size_t)cols, sizeof(float)), *db2 = calloc((size_t)cols, sizeof(float));
            float m1[5], m2[5], r1[5], r2[5];
            test_fill_random(x, n, 11 + (uint32_t)wi);
            for (int64_t i = 0; i < n; i++)
                x[i] = 3.0f * x[i] + 10.0f; /* a large mean tests the two-pass variance */
            test_fill_random(dy, n, 12);
            test_fill_random(g, cols, 13);
            test_fill_random(b, cols, 14);
            ref->layernorm_forward(rows, cols, x, g, b, 1e-5f, o1, m1, r1);
            k->layernorm_forward(rows, cols, x, g, b, 1e-5f, o2, m2, r2);
            assert_close("out", o2, o1, n, 1e-5f);
            assert_close("mean", m2, m1, rows, 1e-5f);
            assert_close("rstd", r2, r1, rows, 1e-5f);
            ref->layernorm_backward(rows, cols, dy, x, g, m1, r1, dx1, dg1, db1);
            k->layernorm_backward(rows, cols, dy, x, g, m1, r1, dx2, dg2, db2);
            assert_close("dx", dx2, dx1, n, 1e-4f);
            assert_close("dweight", dg2, dg1, cols, 1e-4f);
            assert_close("dbias", db2, db1, cols, 1e-5f);
            free(x), free(dy), free(g), free(b), free(o1), free(o2), free(dx1), free(dx2);
            free(dg1), free(dg2), free(db1), free(db2);
        }
    }
}

/* A BERT-sized call (1,024 rows; 128 and 130 columns) at 1, 2 and 3 threads. */
static void large_calls_are_the_same_at_every_thread_count(void **state)
{
    (void)state;
    const int64_t rows = 1024, widths[] = {128, 130};
    for (int level = NNL_SIMD_AVX2; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k)
            continue;
        for (size_t wi = 0; wi < 2; wi++) {
            const int64_t cols = widths[wi], n = rows * cols;
            float *x = malloc(sizeof(float) * (size_t)n), *dy = malloc(sizeof(float) * (size_t)n);
            float *g = malloc(sizeof(float) * (size_t)cols), *b = malloc(sizeof(float) * (size_t)cols);
            float *mean = malloc(sizeof(float) * (size_t)rows), *rstd = malloc(sizeof(float) * (size_t)rows);
            float *out[2], *dx[2], *dg[2], *db[2];
            test_fill_random(x, n, 21);
            test_fill_random(dy, n, 22);
            test_fill_random(g, cols, 23);
            test_fill_random(b, cols, 24);
            for (int threads = 1; threads <= 3; threads++) {
                int t = threads == 1 ? 0 : 1;
                if (threads <= 2) {
                    out[t] = malloc(sizeof(float) * (size_t)n);
                    dx[t] = calloc((size_t)n, sizeof(float));
                    dg[t] = calloc((size_t)cols, sizeof(float));
                    db[t] = calloc((size_t)cols, sizeof(float));
                } else {
                    memset(dx[1], 0, sizeof(float) * (size_t)n);
                    memset(dg[1], 0, sizeof(float) * (size_t)cols);
                    memset(db[1], 0, sizeof(float) * (size_t)cols);
                }
                assert_ok(nnl_set_num_threads(threads));
                k->layernorm_forward(rows, cols, x, g, b, 1e-5f, out[t], mean, rstd);
                k->layernorm_backward(rows, cols, dy, x, g, mean, rstd, dx[t], dg[t], db[t]);
                if (t) {
                    assert_memory_equal(out[1], out[0], sizeof(float) * (size_t)n);
                    assert_memory_equal(dx[1], dx[0], sizeof(float) * (size_t)n);
                    assert_memory_equal(dg[1], dg[0], sizeof(float) * (size_t)cols);
                    assert_memory_equal(db[1], db[0], sizeof(float) * (size_t)cols);
                }
            }
            assert_ok(nnl_set_num_threads(1));
            for (int t = 0; t < 2; t++)
                free(out[t]), free(dx[t]), free(dg[t]), free(db[t]);
            free(x), free(dy), free(g), free(b), free(mean), free(rstd);
        }
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layernorm_backward_matches_finite_differences),
        cmocka_unit_test(layernorm_backward_accumulates),
        cmocka_unit_test(large_calls_are_the_same_at_every_thread_count),
        cmocka_unit_test(simd_levels_match_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
