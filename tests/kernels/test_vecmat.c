/* Row vector times matrix, skipping the vector's zeros: every level against
 * a double-precision reference, with column tails, x with half of it zero
 * and x without zeros, and W split by rows (slabs) or by columns; the rows
 * of W for the zeros are not read (NaN there changes nothing); y is the
 * same, bit for bit, at any thread count. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#include "kernels/kernels.h"

/* x of k random values; when rectified, every other one (and a run at
 * the start) zero. */
static float *input(int64_t k, uint32_t seed, int rectified)
{
    float *x = malloc(sizeof(float) * (size_t)k);
    test_fill_random(x, k, seed);
    for (int64_t p = 0; p < k; p++)
        if (rectified && (p % 2 == 1 || p < 3))
            x[p] = 0.0f;
        else if (x[p] == 0.0f)
            x[p] = 0.5f;
    return x;
}

static void vecmat_matches_reference_at_every_level(void **state)
{
    (void)state;
    /* up to 1024 rows: one slab, columns split; 2100 x 72 and 5408 x 128:
     * slabs; 1100 x 4100: slabs too wide for the stack, columns split */
    const int64_t shapes[][2] = {{0, 5},    {1, 1},    {3, 7},     {4, 16},     {5, 17},      {9, 33},
                                 {40, 200}, {1024, 9}, {2100, 72}, {5408, 128}, {1100, 4100}};
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k)
            continue;
        for (size_t case_ = 0; case_ < 2 * sizeof shapes / sizeof shapes[0]; case_++) {
            size_t si = case_ / 2;
            int64_t rows = shapes[si][0], cols = shapes[si][1];
            float *w = malloc(sizeof(float) * (size_t)(rows * cols)), *x = input(rows, 40 + (uint32_t)si, case_ % 2);
            float *y = malloc(sizeof(float) * (size_t)cols);
            test_fill_random(w, rows * cols, (uint32_t)si + 1);
            for (int64_t p = 0; p < rows; p++)
                if (x[p] == 0.0f)
                    w[p * cols + (p * 5) % cols] = NAN; /* a skipped row: never read */
            k->vecmat(rows, cols, x, w, y);
            for (int64_t c = 0; c < cols; c++) {
                double want = 0.0;
                for (int64_t p = 0; p < rows; p++)
                    if (x[p] != 0.0f)
                        want += (double)x[p] * w[p * cols + c];
                if (!(fabs(y[c] - want) <= 1e-5 * (1.0 + sqrt((double)rows))))
                    fail_msg("%s %lldx%lld%s column %lld: %g, expected %g", nnl_simd_name((nnl_simd)level),
                             (long long)rows, (long long)cols, case_ % 2 ? " rectified" : "", (long long)c, y[c],
                             want);
            }
            free(w), free(x), free(y);
        }
    }
}

/* The dense layer's W of the article's CNN (split over the threads by row
 * slabs), a GPT block's (columns, one slab) and a wide W (columns, the
 * slabs' partials too large): y is the same, bit for bit, whatever the
 * number of threads. */
static void vecmat_is_the_same_at_any_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    const int64_t shapes[][2] = {{5408, 128}, {512, 128}, {1100, 4100}};
    const int saved = nnl_get_num_threads();
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const int64_t rows = shapes[si][0], cols = shapes[si][1];
        float *w = malloc(sizeof(float) * (size_t)(rows * cols)), *x = input(rows, 6, 1);
        float *one = malloc(sizeof(float) * (size_t)cols), *more = malloc(sizeof(float) * (size_t)cols);
        test_fill_random(w, rows * cols, 5);
        assert_int_equal(nnl_set_num_threads(1), NNL_OK);
        k->vecmat(rows, cols, x, w, one);
        for (int threads = 2; threads <= 3; threads++) {
            assert_int_equal(nnl_set_num_threads(threads), NNL_OK);
            k->vecmat(rows, cols, x, w, more);
            assert_memory_equal(one, more, sizeof(float) * (size_t)cols);
        }
        free(w), free(x), free(one), free(more);
    }
    assert_int_equal(nnl_set_num_threads(saved), NNL_OK);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vecmat_matches_reference_at_every_level),
        cmocka_unit_test(vecmat_is_the_same_at_any_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
