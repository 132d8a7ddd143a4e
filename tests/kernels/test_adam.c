/* adam_update and sum_squares: every SIMD table against the scalar oracle,
 * and the scalar step against the formula evaluated in double. */
#include "kernel_test.h"

typedef struct adam_args {
    float lr, b1, b2, eps, bc1, bc2, wd, grad_scale;
} adam_args;

static const adam_args settings[] = {
    {1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0.0f, 1.0f},    /* Adam, step 1 */
    {3e-4f, 0.9f, 0.95f, 1e-8f, 0.65f, 0.4f, 0.1f, 0.5f},      /* AdamW, clipped */
};

static void run(const nnl_kernels *k, const adam_args *a, int64_t n, float *w, const float *g,
                float *m, float *v)
{
    k->adam_update(n, w, g, m, v, a->lr, a->b1, a->b2, a->eps, a->bc1, a->bc2, a->wd, a->grad_scale);
}

static void simd_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (int64_t n = 1; n <= 1100; n = n < 70 ? n + 1 : n * 4) {
        float *w0 = test_random(n, 1, 1.0f), *g = test_random(n, 2, 1.0f);
        float *m0 = test_random(n, 3, 0.1f), *v0 = test_random(n, 4, 0.1f);
        for (int64_t i = 0; i < n; i++)
            v0[i] *= v0[i]; /* second moments are >= 0 */
        for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++) {
            float *w_ref = test_copy(w0, n), *m_ref = test_copy(m0, n), *v_ref = test_copy(v0, n);
            run(ref, &settings[s], n, w_ref, g, m_ref, v_ref);
            for (int l = 0; l < levels; l++) {
                float *w = test_copy(w0, n), *m = test_copy(m0, n), *v = test_copy(v0, n);
                run(simd[l], &settings[s], n, w, g, m, v);
                assert_close("adam m", m, m_ref, n, 1e-8, 1e-6);
                assert_close("adam v", v, v_ref, n, 1e-10, 1e-6);
                assert_close("adam w", w, w_ref, n, 1e-7, 1e-6);
                free(w), free(m), free(v);
            }
            free(w_ref), free(m_ref), free(v_ref);
        }
        double ss_ref = ref->sum_squares(n, g);
        for (int l = 0; l < levels; l++)
            assert_float_equal(simd[l]->sum_squares(n, g), ss_ref, 1e-12 * ss_ref);
        free(w0), free(g), free(m0), free(v0);
    }
}

static void scalar_step_follows_the_formula(void **state)
{
    (void)state;
    const adam_args *a = &settings[1];
    float w = 0.75f, g = -0.3f, m = 0.02f, v = 0.01f;
    run(scalar_table(), a, 1, &w, &g, &m, &v);
    double gs = -0.3 * a->grad_scale;
    double m1 = a->b1 * 0.02 + (1 - (double)a->b1) * gs;
    double v1 = a->b2 * 0.01 + (1 - (double)a->b2) * gs * gs;
    double w1 = 0.75 - a->lr * ((m1 / a->bc1) / (sqrt(v1 / a->bc2) + a->eps) + a->wd * 0.75);
    assert_float_equal(m, m1, 1e-7);
    assert_float_equal(v, v1, 1e-8);
    assert_float_equal(w, w1, 1e-7);
    float x[] = {3.0f, -4.0f, 0.5f};
    assert_float_equal(scalar_table()->sum_squares(3, x), 25.25, 0.0);
    assert_float_equal(scalar_table()->sum_squares(0, x), 0.0, 0.0);
}

/* Calls big enough to be split over threads: the step gives the same bits
 * at every thread count; the sum of squares the same value for a given
 * count and the oracle's within rounding. */
static void large_calls_are_deterministic(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    int64_t n = 694001;
    float *w0 = test_random(n, 41, 1.0f), *g = test_random(n, 42, 1.0f);
    float *m0 = test_random(n, 43, 0.1f), *v0 = test_random(n, 44, 0.1f);
    for (int64_t i = 0; i < n; i++)
        v0[i] *= v0[i];
    double ss_ref = ref->sum_squares(n, g);
    for (int l = 0; l < levels; l++) {
        float *w1 = test_copy(w0, n), *m1 = test_copy(m0, n), *v1 = test_copy(v0, n);
        for (int threads = 1; threads <= 3; threads++) {
            assert_ok(nnl_set_num_threads(threads));
            float *w = test_copy(w0, n), *m = test_copy(m0, n), *v = test_copy(v0, n);
            run(simd[l], &settings[1], n, w, g, m, v);
            if (threads == 1) {
                memcpy(w1, w, (size_t)n * sizeof(float));
                memcpy(m1, m, (size_t)n * sizeof(float));
                memcpy(v1, v, (size_t)n * sizeof(float));
            }
            assert_same_bits("adam w", w, w1, n);
            assert_same_bits("adam m", m, m1, n);
            assert_same_bits("adam v", v, v1, n);
            double ss = simd[l]->sum_squares(n, g);
            assert_float_equal(ss, ss_ref, 1e-12 * ss_ref);
            assert_true(simd[l]->sum_squares(n, g) == ss);
            free(w), free(m), free(v);
        }
        free(w1), free(m1), free(v1);
    }
    assert_ok(nnl_set_num_threads(1));
    free(w0), free(g), free(m0), free(v0);
}

/* With a zero gradient the moments decay towards 0; every table must store
 * exactly 0 once they fall below FLT_MIN, never a subnormal (which costs a
 * microcode assist per use on x86). NaN in a moment stays NaN. */
static void decaying_moments_never_become_subnormal(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    enum { n = 37 };
    for (int t = 0; t < count; t++) {
        float w[n], g[n] = {0}, m[n], v[n];
        for (int i = 0; i < n; i++)
            w[i] = 0.5f, m[i] = 1e-3f, v[i] = 1e-6f;
        m[5] = NAN;
        for (int step = 0; step < 2000; step++) {
            run(tables[t], &settings[1], n, w, g, m, v);
            for (int i = 0; i < n; i++) {
                assert_true(i == 5 || fpclassify(m[i]) != FP_SUBNORMAL);
                assert_true(fpclassify(v[i]) != FP_SUBNORMAL);
            }
        }
        for (int i = 0; i < n; i++) {
            assert_true(i == 5 ? isnan(m[i]) : m[i] == 0.0f);
            assert_true(v[i] == 0.0f);
        }
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_matches_scalar),
        cmocka_unit_test(scalar_step_follows_the_formula),
        cmocka_unit_test(large_calls_are_deterministic),
        cmocka_unit_test(decaying_moments_never_become_subnormal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
