/* RBF kernel values from dot products: against a double-precision
 * reference and every SIMD level against the scalar oracle, with tails, in
 * place, and with rounding that makes a squared distance slightly negative. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#include "kernels/kernels.h"

static void rbf_matches_reference_at_every_level(void **state)
{
    (void)state;
    const int64_t sizes[] = {1, 3, 7, 8, 9, 16, 17, 31, 100, 1001};
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level), *scalar = nnl_kernels_for(NNL_SIMD_SCALAR);
        if (!k)
            continue;
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            int64_t n = sizes[si];
            float *norms = malloc(sizeof(float) * (size_t)n), *dots = malloc(sizeof(float) * (size_t)n);
            float *out = malloc(sizeof(float) * (size_t)n), *want = malloc(sizeof(float) * (size_t)n);
            test_fill_random(norms, n, (uint32_t)si + 3);
            test_fill_random(dots, n, (uint32_t)si + 4);
            const float norm_x = 2.0f, gamma = 0.7f;
            for (int64_t j = 0; j < n; j++) {
                norms[j] = 2.0f + norms[j];               /* |y|^2 in [1, 3) */
                dots[j] = j % 5 == 0 ? (norm_x + norms[j]) / 2.0f + 1e-6f : dots[j]; /* d <= 0: clamped */
            }
            k->rbf_from_dots(n, gamma, norm_x, norms, dots, out);
            scalar->rbf_from_dots(n, gamma, norm_x, norms, dots, want);
            for (int64_t j = 0; j < n; j++) {
                double d = fmax((double)norm_x + norms[j] - 2.0 * dots[j], 0.0), ref = exp(-gamma * d);
                if (fabs(out[j] - ref) > 2e-6 * ref + 1e-7 || fabs(out[j] - want[j]) > 2e-6 * want[j] + 1e-7)
                    fail_msg("%s n=%lld j=%lld: %g, scalar %g, reference %g", nnl_simd_name((nnl_simd)level),
                             (long long)n, (long long)j, out[j], want[j], ref);
                if (j % 5 == 0)
                    assert_true(out[j] <= 1.0f);
            }
            k->rbf_from_dots(n, gamma, norm_x, norms, dots, dots); /* in place */
            assert_memory_equal(dots, out, sizeof(float) * (size_t)n);
            free(norms), free(dots), free(out), free(want);
        }
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rbf_matches_reference_at_every_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
