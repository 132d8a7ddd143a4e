/* Max and average pooling: every SIMD table against the scalar oracle
 * (identical results: both visit taps in the same order), and the scalar
 * backwards against central differences of the scalar forwards. */
#include "kernel_test.h"

/* h, w, channels, kernel, stride, same padding */
static const int64_t geometries[][6] = {
    {26, 26, 32, 2, 2, 0}, /* the MNIST CNN: windows tile the input */
    {27, 27, 17, 2, 2, 0}, /* a row and a column left over */
    {7, 9, 3, 3, 2, 1},    /* same padding, stride 2 */
    {8, 8, 33, 3, 1, 1},   /* overlapping windows */
    {5, 6, 1, 3, 3, 1},
    {6, 10, 16, 2, 2, 1},
    {4, 4, 64, 4, 4, 0},
};
#define GEOMETRY_COUNT (sizeof geometries / sizeof geometries[0])

static nnl_conv_shape geometry(size_t i, int64_t batch)
{
    const int64_t *g = geometries[i];
    return test_shape(batch, g[0], g[1], g[2], g[2], g[3], g[3], g[4], (int)g[5]);
}

static int64_t in_size(const nnl_conv_shape *s) { return s->batch * s->in_h * s->in_w * s->in_c; }
static int64_t out_size(const nnl_conv_shape *s) { return s->batch * s->out_h * s->out_w * s->out_c; }

static void simd_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t gi = 0; gi < GEOMETRY_COUNT; gi++) {
        nnl_conv_shape s = geometry(gi, 2);
        char name[128];
        shape_name(name, sizeof name, &s);
        int64_t xn = in_size(&s), yn = out_size(&s);
        float *x = test_random(xn, (uint32_t)gi, 1.0f), *dy = test_random(yn, (uint32_t)gi + 7, 1.0f);
        if (gi % 2)
            for (int64_t i = 0; i < xn; i++)
                x[i] = roundf(x[i] * 2.0f); /* five values: windows full of ties */
        float *y_ref = test_floats(yn), *dx_ref = test_floats(xn), *y = test_floats(yn), *dx = test_floats(xn);
        int32_t *am_ref = malloc((size_t)yn * sizeof(int32_t)), *am = malloc((size_t)yn * sizeof(int32_t));
        assert_non_null(am_ref);
        assert_non_null(am);
        for (int l = 0; l < levels; l++) {
            for (int64_t i = 0; i < xn; i++)
                dx[i] = NAN; /* cells no window covers must be written too */
            ref->maxpool_forward(&s, x, y_ref, am_ref);
            simd[l]->maxpool_forward(&s, x, y, am);
            assert_same_bits(name, y, y_ref, yn);
            if (memcmp(am, am_ref, (size_t)yn * sizeof(int32_t)) != 0)
                fail_msg("%s %s: maxpool argmax differs", nnl_simd_name(simd[l]->level), name);
            ref->maxpool_backward(&s, dy, am_ref, dx_ref);
            simd[l]->maxpool_backward(&s, dy, am, dx);
            assert_close(name, dx, dx_ref, xn, 0.0, 0.0);

            ref->avgpool_forward(&s, x, y_ref);
            simd[l]->avgpool_forward(&s, x, y);
            assert_close(name, y, y_ref, yn, 0.0, 0.0);
            ref->avgpool_backward(&s, dy, dx_ref);
            for (int64_t i = 0; i < xn; i++)
                dx[i] = NAN;
            simd[l]->avgpool_backward(&s, dy, dx);
            assert_close(name, dx, dx_ref, xn, 0.0, 0.0);
        }
        free(x), free(dy), free(y_ref), free(dx_ref), free(y), free(dx), free(am_ref), free(am);
    }
}

/* L = sum(g * pool(x)) in double; dL/dx[i] by central differences. Inputs
 * are distinct multiples of 1/64 so that no window has a tie within h. */
static void check_finite_differences(const nnl_conv_shape *s, int max)
{
    const nnl_kernels *k = scalar_table();
    int64_t xn = in_size(s), yn = out_size(s);
    float *x = test_floats(xn), *g = test_random(yn, 3, 1.0f), *y = test_floats(yn), *dx = test_floats(xn);
    int32_t *am = malloc((size_t)yn * sizeof(int32_t));
    assert_non_null(am);
    for (int64_t i = 0; i < xn; i++)
        x[i] = (float)((i * 7919) % xn - xn / 2) / 64.0f;
    if (max) {
        k->maxpool_forward(s, x, y, am);
        k->maxpool_backward(s, g, am, dx);
    } else {
        k->avgpool_backward(s, g, dx);
    }
    const float h = 1.0f / 256.0f;
    for (int64_t i = 0; i < xn; i++) {
        double loss[2];
        float saved = x[i];
        for (int side = 0; side < 2; side++) {
            x[i] = saved + (side ? -h : h);
            if (max)
                k->maxpool_forward(s, x, y, am);
            else
                k->avgpool_forward(s, x, y);
            loss[side] = 0.0;
            for (int64_t o = 0; o < yn; o++)
                loss[side] += (double)g[o] * y[o];
        }
        x[i] = saved;
        double numeric = (loss[0] - loss[1]) / (2.0 * h);
        if (fabs(numeric - dx[i]) > 1e-4)
            fail_msg("%s pool: dx[%lld] = %.7g, central difference %.7g", max ? "max" : "avg",
                     (long long)i, (double)dx[i], numeric);
    }
    free(x), free(g), free(y), free(dx), free(am);
}

static void scalar_backwards_match_finite_differences(void **state)
{
    (void)state;
    for (size_t gi = 2; gi < 5; gi++) {
        nnl_conv_shape s = geometry(gi, 1);
        check_finite_differences(&s, 1);
        check_finite_differences(&s, 0);
    }
}

/* Batches big enough to be split over threads give the same bits at every
 * thread count (images are independent) and the oracle's values. */
static void large_batches_are_the_same_at_every_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t gi = 0; gi < 2; gi++) { /* exactly tiled, and with a leftover */
        nnl_conv_shape s = geometry(gi, 9);
        int64_t xn = in_size(&s), yn = out_size(&s);
        float *x = test_random(xn, 51, 1.0f), *dy = test_random(yn, 52, 1.0f);
        float *y_ref = test_floats(yn), *dx_ref = test_floats(xn), *y = test_floats(yn), *dx = test_floats(xn);
        float *ya = test_floats(yn), *dxa = test_floats(xn);
        int32_t *am_ref = malloc((size_t)yn * sizeof(int32_t)), *am = malloc((size_t)yn * sizeof(int32_t));
        assert_non_null(am_ref);
        assert_non_null(am);
        ref->maxpool_forward(&s, x, y_ref, am_ref);
        ref->maxpool_backward(&s, dy, am_ref, dx_ref);
        float *ya_ref = test_floats(yn), *dxa_ref = test_floats(xn);
        ref->avgpool_forward(&s, x, ya_ref);
        ref->avgpool_backward(&s, dy, dxa_ref);
        for (int l = 0; l < levels; l++)
            for (int threads = 1; threads <= 3; threads++) {
                assert_ok(nnl_set_num_threads(threads));
                test_poison(y, yn), test_poison(dx, xn), test_poison(ya, yn), test_poison(dxa, xn);
                memset(am, 0xff, (size_t)yn * sizeof(int32_t));
                simd[l]->maxpool_forward(&s, x, y, am);
                simd[l]->maxpool_backward(&s, dy, am, dx);
                simd[l]->avgpool_forward(&s, x, ya);
                simd[l]->avgpool_backward(&s, dy, dxa);
                assert_same_bits("maxpool y", y, y_ref, yn);
                assert_true(memcmp(am, am_ref, (size_t)yn * sizeof(int32_t)) == 0);
                assert_close("maxpool dx", dx, dx_ref, xn, 0.0, 0.0);
                assert_close("avgpool y", ya, ya_ref, yn, 0.0, 0.0);
                assert_close("avgpool dx", dxa, dxa_ref, xn, 0.0, 0.0);
            }
        assert_ok(nnl_set_num_threads(1));
        free(x), free(dy), free(y_ref), free(dx_ref), free(y), free(dx), free(ya), free(dxa);
        free(am_ref), free(am), free(ya_ref), free(dxa_ref);
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_matches_scalar),
        cmocka_unit_test(scalar_backwards_match_finite_differences),
        cmocka_unit_test(large_batches_are_the_same_at_every_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
