/* Activation kernels: every SIMD table against the scalar oracle, the scalar
 * backward against central differences of the scalar forward, extremes. */
#include "kernel_test.h"

static const nnl_act_kind kinds[] = {NNL_ACT_KIND_RELU, NNL_ACT_KIND_SIGMOID, NNL_ACT_KIND_TANH,
                                     NNL_ACT_KIND_GELU};
static const char *const kind_names[] = {"relu", "sigmoid", "tanh", "gelu"};

/* Sizes: every length up to 70 (all tails of 8 and 16 lanes), then larger. */
static int64_t size_at(int i) { return i <= 70 ? i : (int64_t[]){127, 1000, 4099}[i - 71]; }
#define SIZE_COUNT 74

static void simd_forward_and_backward_match_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (int si = 1; si < SIZE_COUNT; si++) {
        int64_t n = size_at(si);
        float *x = test_random(n, (uint32_t)si, 6.0f), *dy = test_random(n, (uint32_t)si + 99, 1.0f);
        float *y_ref = test_floats(n), *dx_ref = test_floats(n), *y = test_floats(n), *dx = test_floats(n);
        for (int ki = 0; ki < 4; ki++) {
            nnl_act_kind kind = kinds[ki];
            ref->act_forward(kind, n, x, y_ref);
            ref->act_backward(kind, n, x, y_ref, dy, dx_ref);
            for (int l = 0; l < levels; l++) {
                char what[96];
                snprintf(what, sizeof what, "%s %s forward n=%lld", nnl_simd_name(simd[l]->level),
                         kind_names[ki], (long long)n);
                simd[l]->act_forward(kind, n, x, y);
                assert_close(what, y, y_ref, n, 2e-7, 4e-6);
                /* The backward reads only the pointer its kind documents. */
                int reads_x = kind == NNL_ACT_KIND_GELU;
                simd[l]->act_backward(kind, n, reads_x ? x : NULL, reads_x ? NULL : y_ref, dy, dx);
                snprintf(what, sizeof what, "%s %s backward n=%lld", nnl_simd_name(simd[l]->level),
                         kind_names[ki], (long long)n);
                assert_close(what, dx, dx_ref, n, 2e-7, 1e-5);
            }
        }
        free(x), free(dy), free(y_ref), free(dx_ref), free(y), free(dx);
    }
}

static void in_place_calls_give_the_same_results(void **state)
{
    (void)state;
    int64_t n = 37;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    float *x = test_random(n, 5, 4.0f), *dy = test_random(n, 6, 1.0f);
    float *y = test_floats(n), *dx = test_floats(n);
    for (int t = 0; t < count; t++)
        for (int ki = 0; ki < 4; ki++) {
            const nnl_kernels *k = tables[t];
            k->act_forward(kinds[ki], n, x, y);
            k->act_backward(kinds[ki], n, x, y, dy, dx);
            float *buf = test_copy(x, n);
            k->act_forward(kinds[ki], n, buf, buf);
            assert_same_bits("forward x == y", buf, y, n);
            free(buf);
            buf = test_copy(dy, n);
            k->act_backward(kinds[ki], n, x, y, buf, buf);
            assert_same_bits("backward dx == dy", buf, dx, n);
            free(buf);
        }
    free(x), free(dy), free(y), free(dx);
}

/* d act / dx by central differences of the scalar forward, at points away
 * from relu's kink. */
static void scalar_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = scalar_table();
    enum { N = 200 };
    float x[N], y[N], ones[N], dx[N];
    test_fill_random(x, N, 17);
    for (int i = 0; i < N; i++) {
        x[i] *= 5.0f;
        if (fabsf(x[i]) < 0.05f)
            x[i] += 0.1f;
        ones[i] = 1.0f;
    }
    const double h = 1e-2;
    for (int ki = 0; ki < 4; ki++) {
        k->act_forward(kinds[ki], N, x, y);
        k->act_backward(kinds[ki], N, x, y, ones, dx);
        for (int i = 0; i < N; i++) {
            float xp = (float)(x[i] + h), xm = (float)(x[i] - h), yp, ym;
            k->act_forward(kinds[ki], 1, &xp, &yp);
            k->act_forward(kinds[ki], 1, &xm, &ym);
            double numeric = ((double)yp - (double)ym) / ((double)xp - (double)xm);
            if (fabs(numeric - dx[i]) > 2e-4 + 1e-3 * fabs(numeric))
                fail_msg("%s: d/dx at %g is %.7g, central difference %.7g", kind_names[ki], (double)x[i],
                         (double)dx[i], numeric);
        }
    }
}

static void extremes_stay_finite_and_in_range(void **state)
{
    (void)state;
    const float x[] = {-1e4f, -100.0f, -88.5f, -20.0f, -0.0f, 0.0f, 1e-30f, 20.0f, 88.5f, 100.0f, 1e4f};
    enum { N = sizeof x / sizeof x[0] };
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    float y[N], ones[N], dx[N];
    for (int i = 0; i < N; i++)
        ones[i] = 1.0f;
    for (int t = 0; t < count; t++)
        for (int ki = 0; ki < 4; ki++) {
            tables[t]->act_forward(kinds[ki], N, x, y);
            tables[t]->act_backward(kinds[ki], N, x, y, ones, dx);
            for (int i = 0; i < N; i++) {
                if (!isfinite(y[i]) || !isfinite(dx[i]))
                    fail_msg("%s %s(%g) = %g, gradient %g", nnl_simd_name(tables[t]->level), kind_names[ki],
                             (double)x[i], (double)y[i], (double)dx[i]);
                if (kinds[ki] == NNL_ACT_KIND_SIGMOID)
                    assert_true(y[i] >= 0.0f && y[i] <= 1.0f);
                if (kinds[ki] == NNL_ACT_KIND_TANH)
                    assert_true(y[i] >= -1.0f && y[i] <= 1.0f);
            }
            if (kinds[ki] == NNL_ACT_KIND_TANH || kinds[ki] == NNL_ACT_KIND_SIGMOID) {
                assert_float_equal(y[N - 1], 1.0f, 0.0f);
                assert_float_equal(y[0], kinds[ki] == NNL_ACT_KIND_TANH ? -1.0f : 0.0f, 1e-30);
            }
        }
}

/* The oracle's gelu is GPT-2's: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
 * here in double. */
static void gelu_is_the_gpt2_tanh_approximation(void **state)
{
    (void)state;
    const double k = sqrt(2.0 / acos(-1.0));
    for (float x = -8.0f; x <= 8.0f; x += 0.125f) {
        float y;
        scalar_table()->act_forward(NNL_ACT_KIND_GELU, 1, &x, &y);
        double xd = x, want = 0.5 * xd * (1.0 + tanh(k * (xd + 0.044715 * xd * xd * xd)));
        if (fabs(y - want) > 1e-7 + 1e-6 * fabs(want))
            fail_msg("gelu(%g) = %.9g, expected %.9g", (double)x, (double)y, want);
    }
}

/* Calls big enough to be split over threads give the oracle's values and
 * the same bits at every thread count (the kernels are elementwise). */
static void large_calls_are_the_same_at_every_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    int64_t n = 300001;
    float *x = test_random(n, 21, 6.0f), *dy = test_random(n, 22, 1.0f);
    float *y_ref = test_floats(n), *dx_ref = test_floats(n), *y1 = test_floats(n), *dx1 = test_floats(n);
    float *y = test_floats(n), *dx = test_floats(n);
    for (int ki = 0; ki < 4; ki++) {
        ref->act_forward(kinds[ki], n, x, y_ref);
        ref->act_backward(kinds[ki], n, x, y_ref, dy, dx_ref);
        for (int l = 0; l < levels; l++)
            for (int threads = 1; threads <= 3; threads++) {
                assert_ok(nnl_set_num_threads(threads));
                test_poison(y, n), test_poison(dx, n);
                simd[l]->act_forward(kinds[ki], n, x, threads == 1 ? y1 : y);
                simd[l]->act_backward(kinds[ki], n, x, y_ref, dy, threads == 1 ? dx1 : dx);
                if (threads == 1) {
                    assert_close(kind_names[ki], y1, y_ref, n, 2e-7, 4e-6);
                    assert_close(kind_names[ki], dx1, dx_ref, n, 2e-7, 1e-5);
                } else {
                    assert_same_bits(kind_names[ki], y, y1, n);
                    assert_same_bits(kind_names[ki], dx, dx1, n);
                }
            }
    }
    assert_ok(nnl_set_num_threads(1));
    free(x), free(dy), free(y_ref), free(dx_ref), free(y1), free(dx1), free(y), free(dx);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_forward_and_backward_match_scalar),
        cmocka_unit_test(in_place_calls_give_the_same_results),
        cmocka_unit_test(scalar_backward_matches_finite_differences),
        cmocka_unit_test(extremes_stay_finite_and_in_range),
        cmocka_unit_test(gelu_is_the_gpt2_tanh_approximation),
        cmocka_unit_test(large_calls_are_the_same_at_every_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
