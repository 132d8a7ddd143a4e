/* Matrix-vector kernel: against a double-precision reference and every SIMD
 * level against the scalar oracle, with row and column tails. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#include "kernels/kernels.h"

static void matvec_matches_reference_at_every_level(void **state)
{
    (void)state;
    const int64_t shapes[][2] = {{1, 1}, {3, 7}, {4, 16}, {5, 17}, {9, 33}, {128, 512}, {6001, 128}};
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k)
            continue;
        for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
            int64_t rows = shapes[si][0], cols = shapes[si][1];
            float *w = malloc(sizeof(float) * (size_t)(rows * cols)), *x = malloc(sizeof(float) * (size_t)cols);
            float *b = malloc(sizeof(float) * (size_t)rows), *y = malloc(sizeof(float) * (size_t)rows);
            test_fill_random(w, rows * cols, (uint32_t)si + 1);
            test_fill_random(x, cols, 77);
            test_fill_random(b, rows, 78);
            for (int with_bias = 0; with_bias < 2; with_bias++) {
                k->matvec(rows, cols, w, x, with_bias ? b : NULL, y);
                for (int64_t r = 0; r < rows; r++) {
                    double want = with_bias ? b[r] : 0.0;
                    for (int64_t c = 0; c < cols; c++)
                        want += (double)w[r * cols + c] * x[c];
                    if (fabs(y[r] - want) > 1e-5 * (1.0 + sqrt((double)cols)))
                        fail_msg("%s %lldx%lld row %lld: %g, expected %g", nnl_simd_name((nnl_simd)level),
                                 (long long)rows, (long long)cols, (long long)r, y[r], want);
                }
            }
            free(w), free(x), free(b), free(y);
        }
    }
}

/* A head-sized W is split over the threads: y is the same, bit for bit,
 * whatever their number. */
static void matvec_is_the_same_at_any_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    const int64_t rows = 5965, cols = 128;
    float *w = malloc(sizeof(float) * (size_t)(rows * cols)), *x = malloc(sizeof(float) * (size_t)cols);
    float *one = malloc(sizeof(float) * (size_t)rows), *more = malloc(sizeof(float) * (size_t)rows);
    test_fill_random(w, rows * cols, 5);
    test_fill_random(x, cols, 6);
    const int saved = nnl_get_num_threads();
    assert_int_equal(nnl_set_num_threads(1), NNL_OK);
    k->matvec(rows, cols, w, x, NULL, one);
    for (int threads = 2; threads <= 3; threads++) {
        assert_int_equal(nnl_set_num_threads(threads), NNL_OK);
        k->matvec(rows, cols, w, x, NULL, more);
        assert_memory_equal(one, more, sizeof(float) * (size_t)rows);
    }
    assert_int_equal(nnl_set_num_threads(saved), NNL_OK);
    free(w), free(x), free(one), free(more);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matvec_matches_reference_at_every_level),
        cmocka_unit_test(matvec_is_the_same_at_any_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
