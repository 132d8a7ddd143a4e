/* dropout_forward: every SIMD table gives the scalar oracle's mask and
 * output bit for bit (lengths with tails, and calls split over threads);
 * the share of dropped elements is the rate within 4.5 standard
 * deviations; kept elements are scaled by 1 / (1 - rate); the mask is a
 * function of the seed (the same twice, different for another seed) and
 * shows no correlation between neighbours. */
#include <math.h>

#include "kernel_test.h"

static const int64_t lengths[] = {1, 7, 8, 9, 16, 17, 33, 100, 1001, 65536 + 5, 300001};
static const float rates[] = {0.1f, 0.5f, 0.9f};

static void simd_matches_scalar_at_every_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++)
        for (size_t ri = 0; ri < sizeof rates / sizeof rates[0]; ri++) {
            int64_t n = lengths[li];
            float *x = test_random(n, 1, 3.0f), *y_ref = test_floats(n), *m_ref = test_floats(n);
            float *y = test_floats(n), *m = test_floats(n);
            const uint64_t seed = 0x123456789abcdefull + li;
            ref->dropout_forward(n, seed, rates[ri], x, y_ref, m_ref);
            for (int l = 0; l < levels; l++)
                for (int threads = 1; threads <= 3; threads++) {
                    assert_ok(nnl_set_num_threads(threads));
                    test_poison(y, n), test_poison(m, n);
                    simd[l]->dropout_forward(n, seed, rates[ri], x, y, m);
                    assert_same_bits("dropout mask", m, m_ref, n);
                    assert_same_bits("dropout output", y, y_ref, n);
                }
            assert_ok(nnl_set_num_threads(1));
            free(x), free(y_ref), free(m_ref), free(y), free(m);
        }
}

static void drops_the_rate_and_scales_the_rest(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { N = 200000 };
    float *x = test_random(N, 2, 1.0f), *y = test_floats(N), *m = test_floats(N);
    for (size_t ri = 0; ri < sizeof rates / sizeof rates[0]; ri++) {
        const float rate = rates[ri], scale = 1.0f / (1.0f - rate);
        k->dropout_forward(N, 77 + ri, rate, x, y, m);
        int64_t dropped = 0, both = 0;
        for (int64_t i = 0; i < N; i++) {
            if (m[i] == 0.0f) {
                dropped++;
                assert_true(y[i] == 0.0f);
            } else {
                assert_float_equal(m[i], scale, 0.0f);
                assert_float_equal(y[i], x[i] * scale, 0.0f);
            }
            both += i > 0 && m[i] == 0.0f && m[i - 1] == 0.0f;
        }
        double p = rate, sigma = sqrt(p * (1.0 - p) / N);
        if (fabs((double)dropped / N - p) > 4.5 * sigma)
            fail_msg("rate %.2f: dropped %.4f of %d", (double)rate, (double)dropped / N, N);
        /* neighbours are independent: both dropped with probability rate^2 */
        double pp = p * p, sigma2 = sqrt(pp * (1.0 - pp) / N);
        if (fabs((double)both / (N - 1) - pp) > 6.0 * sigma2)
            fail_msg("rate %.2f: neighbours both dropped %.4f, expected %.4f", (double)rate,
                     (double)both / (N - 1), pp);
    }
    free(x), free(y), free(m);
}

static void the_mask_is_a_function_of_the_seed(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    enum { N = 4096 };
    float *x = test_random(N, 3, 1.0f), *y = test_floats(N);
    float *a = test_floats(N), *b = test_floats(N), *c = test_floats(N), *d = test_floats(N);
    k->dropout_forward(N, 5, 0.5f, x, y, a);
    k->dropout_forward(N, 5, 0.5f, x, y, b);
    k->dropout_forward(N, 6, 0.5f, x, y, c);
    k->dropout_forward(N, 5ull | (1ull << 40), 0.5f, x, y, d); /* the seed's high word counts too */
    assert_memory_equal(a, b, sizeof(float) * N);
    assert_memory_not_equal(a, c, sizeof(float) * N);
    assert_memory_not_equal(a, d, sizeof(float) * N);
    free(x), free(y), free(a), free(b), free(c), free(d);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_matches_scalar_at_every_thread_count),
        cmocka_unit_test(drops_the_rate_and_scales_the_rest),
        cmocka_unit_test(the_mask_is_a_function_of_the_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
