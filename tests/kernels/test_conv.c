/* Convolution: every SIMD table against the scalar oracle on odd geometries
 * (stride 2, same padding, 1/3/5/32 input channels, 1/7/17/31/32/33/64
 * output channels, 1x1/3x3/5x5/3x5 kernels), at 1, 2 and 3 threads; the
 * weight gradient identical for every thread count; the scalar backwards
 * against central differences of the scalar forward; the input gradient
 * when the buffer its forward path needs cannot be allocated. */
#include "core/alloc.h"
#include "kernel_test.h"

/* batch, h, w, in_c, out_c, kernel h, kernel w, stride, same padding */
static const int64_t geometries[][9] = {
    {2, 28, 28, 1, 32, 3, 3, 1, 0},  /* the MNIST CNN's first layer */
    {2, 9, 11, 3, 7, 3, 3, 2, 1},
    {3, 8, 8, 5, 33, 5, 5, 1, 1},
    {2, 7, 6, 1, 1, 1, 1, 1, 0},
    {1, 10, 10, 3, 32, 1, 1, 2, 0},
    {2, 13, 13, 32, 64, 3, 3, 1, 1},
    {1, 5, 5, 5, 33, 5, 5, 2, 1},
    {2, 6, 9, 3, 17, 3, 5, 1, 1},
    {1, 4, 4, 7, 16, 3, 3, 1, 0},
    {1, 12, 12, 1, 31, 3, 3, 2, 1},
    {1, 3, 3, 2, 5, 5, 5, 1, 1},     /* kernel larger than the image */
    {1, 11, 23, 4, 32, 3, 3, 1, 1},  /* a 5-pixel row tail; 9 rows down the edge columns */
    {1, 30, 14, 2, 32, 3, 3, 1, 0},  /* the input gradient's 26 rows down its edge columns */
};
#define GEOMETRY_COUNT (sizeof geometries / sizeof geometries[0])

static nnl_conv_shape geometry(size_t i)
{
    const int64_t *g = geometries[i];
    return test_shape(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], (int)g[8]);
}

typedef struct conv_data {
    nnl_conv_shape s;
    int64_t xn, yn, wn;
    float *x, *w, *bias, *dy, *dw0, *db0;
} conv_data;

static conv_data make_data(const nnl_conv_shape *s, uint32_t seed)
{
    conv_data d = {*s, s->batch * s->in_h * s->in_w * s->in_c, s->batch * s->out_h * s->out_w * s->out_c,
                   s->kernel_h * s->kernel_w * s->in_c * s->out_c, NULL, NULL, NULL, NULL, NULL, NULL};
    d.x = test_random(d.xn, seed, 1.0f);
    d.w = test_random(d.wn, seed + 1, 1.0f);
    d.bias = test_random(s->out_c, seed + 2, 1.0f);
    d.dy = test_random(d.yn, seed + 3, 1.0f);
    d.dw0 = test_random(d.wn, seed + 4, 1.0f); /* the gradients accumulate into these */
    d.db0 = test_random(s->out_c, seed + 5, 1.0f);
    return d;
}

static void free_data(conv_data *d)
{
    free(d->x), free(d->w), free(d->bias), free(d->dy), free(d->dw0), free(d->db0);
}

/* Results of one table at one thread count. */
typedef struct conv_results {
    float *y, *y_nobias, *dw, *db, *dw_nodb, *dx;
} conv_results;

static conv_results run(const nnl_kernels *k, const conv_data *d, int threads)
{
    conv_results r = {test_floats(d->yn), test_floats(d->yn), test_copy(d->dw0, d->wn),
                      test_copy(d->db0, d->s.out_c), test_copy(d->dw0, d->wn), test_floats(d->xn)};
    k->conv2d_forward(&d->s, d->x, d->w, d->bias, r.y, threads);
    k->conv2d_forward(&d->s, d->x, d->w, NULL, r.y_nobias, threads);
    k->conv2d_backward_weights(&d->s, d->x, d->dy, r.dw, r.db, threads);
    k->conv2d_backward_weights(&d->s, d->x, d->dy, r.dw_nodb, NULL, threads);
    k->conv2d_backward_input(&d->s, d->dy, d->w, r.dx, threads);
    return r;
}

static void free_results(conv_results *r)
{
    free(r->y), free(r->y_nobias), free(r->dw), free(r->db), free(r->dw_nodb), free(r->dx);
}

/* Float sums of n terms of size ~1 may differ by a few n * eps between
 * summation orders. */
static double sum_tol(int64_t terms) { return 2e-7 * (double)terms + 1e-6; }

static void check_against(const char *what, const conv_data *d, const conv_results *got,
                          const conv_results *want)
{
    const nnl_conv_shape *s = &d->s;
    int64_t k_terms = s->kernel_h * s->kernel_w * s->in_c;
    int64_t pixel_terms = s->batch * s->out_h * s->out_w;
    int64_t dx_terms = s->kernel_h * s->kernel_w * s->out_c;
    char msg[256];
    snprintf(msg, sizeof msg, "%s forward", what);
    assert_close(msg, got->y, want->y, d->yn, sum_tol(k_terms), 1e-6);
    snprintf(msg, sizeof msg, "%s forward without bias", what);
    assert_close(msg, got->y_nobias, want->y_nobias, d->yn, sum_tol(k_terms), 1e-6);
    snprintf(msg, sizeof msg, "%s weight gradient", what);
    assert_close(msg, got->dw, want->dw, d->wn, sum_tol(pixel_terms), 1e-6);
    snprintf(msg, sizeof msg, "%s bias gradient", what);
    assert_close(msg, got->db, want->db, s->out_c, sum_tol(pixel_terms), 1e-6);
    snprintf(msg, sizeof msg, "%s weight gradient without db", what);
    assert_close(msg, got->dw_nodb, want->dw, d->wn, sum_tol(pixel_terms), 1e-6);
    snprintf(msg, sizeof msg, "%s input gradient", what);
    assert_close(msg, got->dx, want->dx, d->xn, sum_tol(dx_terms), 1e-6);
}

static void simd_matches_scalar_at_every_thread_count(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    for (size_t gi = 0; gi < GEOMETRY_COUNT; gi++) {
        nnl_conv_shape s = geometry(gi);
        conv_data d = make_data(&s, (uint32_t)(10 * gi + 1));
        conv_results want = run(ref, &d, 1);
        for (int l = 0; l < levels; l++) {
            conv_results one = run(simd[l], &d, 1);
            for (int threads = 1; threads <= 3; threads++) {
                conv_results got = threads == 1 ? one : run(simd[l], &d, threads);
                char what[192], name[128];
                shape_name(name, sizeof name, &s);
                snprintf(what, sizeof what, "%s %s threads=%d", nnl_simd_name(simd[l]->level), name, threads);
                check_against(what, &d, &got, &want);
                /* Deterministic: the thread count changes no bit. */
                assert_same_bits(what, got.y, one.y, d.yn);
                assert_same_bits(what, got.dw, one.dw, d.wn);
                assert_same_bits(what, got.db, one.db, s.out_c);
                assert_same_bits(what, got.dx, one.dx, d.xn);
                if (threads > 1)
                    free_results(&got);
            }
            free_results(&one);
        }
        /* The oracle itself is deterministic across thread counts too. */
        conv_results ref3 = run(ref, &d, 3);
        assert_same_bits("scalar threads=3", ref3.y, want.y, d.yn);
        assert_same_bits("scalar threads=3", ref3.dx, want.dx, d.xn);
        free_results(&ref3);
        free_results(&want);
        free_data(&d);
    }
}

/* L = sum(g * conv(x, w, b)) in double. */
static double loss_of(const conv_data *d, const float *g)
{
    float *y = test_floats(d->yn);
    scalar_table()->conv2d_forward(&d->s, d->x, d->w, d->bias, y, 1);
    double loss = 0.0;
    for (int64_t i = 0; i < d->yn; i++)
        loss += (double)g[i] * y[i];
    free(y);
    return loss;
}

/* The loss is linear in every parameter, so a large step is exact and the
 * only error is the forward's float rounding. */
static double central_difference(const conv_data *d, const float *g, float *param)
{
    const float h = 0.5f;
    float saved = *param;
    *param = saved + h;
    double up = loss_of(d, g);
    *param = saved - h;
    double down = loss_of(d, g);
    *param = saved;
    return (up - down) / (2.0 * h);
}

static void check_gradient(const char *what, int64_t i, double analytic, double numeric)
{
    if (fabs(analytic - numeric) > 1e-4 * (1.0 + fabs(numeric)))
        fail_msg("%s[%lld] = %.7g, central difference %.7g", what, (long long)i, analytic, numeric);
}

static void scalar_backwards_match_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *k = scalar_table();
    const nnl_conv_shape shapes[] = {test_shape(2, 6, 5, 3, 4, 3, 3, 2, 1),
                                     test_shape(1, 5, 5, 2, 3, 3, 3, 1, 0),
                                     test_shape(1, 4, 6, 1, 2, 2, 3, 1, 1)};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        conv_data d = make_data(&shapes[si], (uint32_t)(si + 100));
        float *g = d.dy;
        float *dw = test_floats(d.wn), *db = test_floats(d.s.out_c), *dx = test_floats(d.xn);
        memset(dw, 0, (size_t)d.wn * sizeof(float));
        memset(db, 0, (size_t)d.s.out_c * sizeof(float));
        k->conv2d_backward_weights(&d.s, d.x, g, dw, db, 1);
        k->conv2d_backward_input(&d.s, g, d.w, dx, 1);
        for (int64_t i = 0; i < d.wn; i++)
            check_gradient("dw", i, dw[i], central_difference(&d, g, &d.w[i]));
        for (int64_t i = 0; i < d.s.out_c; i++)
            check_gradient("db", i, db[i], central_difference(&d, g, &d.bias[i]));
        for (int64_t i = 0; i < d.xn; i++)
            check_gradient("dx", i, dx[i], central_difference(&d, g, &d.x[i]));
        free(dw), free(db), free(dx);
        free_data(&d);
    }
}

/* The SIMD input gradient runs the forward over turned copies of the
 * kernel's taps from the buffer pool; without memory for them the scalar
 * oracle runs instead and gives the same result. The kernel is larger than any
 * buffer the pool holds from the tests above, so acquiring one allocates. */
static void input_gradient_without_memory_for_the_turned_kernel(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    nnl_conv_shape s = test_shape(2, 7, 7, 48 + 8 * levels, 96, 3, 3, 1, 1);
    for (int l = 0; l < levels; l++, s.in_c -= 8) {
        conv_data d = make_data(&s, (uint32_t)(500 + l));
        float *want = test_floats(d.xn), *got = test_floats(d.xn);
        ref->conv2d_backward_input(&d.s, d.dy, d.w, want, 1);
        nnl_testing_fail_allocation(1);
        simd[l]->conv2d_backward_input(&d.s, d.dy, d.w, got, 1);
        assert_true(nnl_testing_fail_allocation(0) >= 1); /* the pool did try to allocate */
        assert_close(nnl_simd_name(simd[l]->level), got, want, d.xn, sum_tol(9 * s.out_c), 1e-6);
        free(want), free(got);
        free_data(&d);
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(simd_matches_scalar_at_every_thread_count),
        cmocka_unit_test(scalar_backwards_match_finite_differences),
        cmocka_unit_test(input_gradient_without_memory_for_the_turned_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
