/* lstm_cell_forward/backward and gru_cell_forward/backward:
 * (1) every SIMD table against the scalar oracle on odd sizes;
 * (2) the backward of every table against central finite differences, in
 *     double, of a scalar loss through a double-precision forward written
 *     here from the formulas (and the float forwards against that one):
 *     LSTM L = sum(w_h h) + sum(w_c c) over a and c_prev, so dh = w_h and
 *     dc (in) = w_c; GRU L = sum(w h) over gi, gh and h_prev, so dh = w;
 * (3) c_prev / h_prev NULL gives the same bits as a buffer of zeros;
 * (4) calls large enough to be split over threads give the same bits at
 *     every thread count.
 *
 * Tolerances: SIMD vs scalar within FWD_ATOL + FWD_RTOL |want| (vf_exp and
 * vf_tanh are a few float ulps from expf/tanhf, FMAs round once where the
 * scalar rounds twice); finite differences within FD_ATOL + FD_RTOL |want|
 * (step 1e-4 in double: truncation ~1e-8; the rest is the float kernel). */
#include "kernel_test.h"

#define FWD_ATOL 2e-6
#define FWD_RTOL 2e-5
#define FD_ATOL 1e-6
#define FD_RTOL 1e-5
#define FD_STEP 1e-4

static const int64_t test_rows[] = {1, 3, 17};
static const int64_t test_hidden[] = {1, 5, 16, 33, 100};

static double sig_d(double x) { return 1.0 / (1.0 + exp(-x)); }

/* ---- LSTM ---- */

/* Double forward: L = sum(w_h h) + sum(w_c c); h and c optional outputs. */
static double lstm_loss_d(int64_t rows, int64_t H, const double *a, const double *cp, const float *w_h,
                          const float *w_c, double *h_out, double *c_out)
{
    double loss = 0.0;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < H; j++) {
            const double *ar = a + r * 4 * H;
            int64_t e = r * H + j;
            double i = sig_d(ar[j]), f = sig_d(ar[H + j]), g = tanh(ar[2 * H + j]), o = sig_d(ar[3 * H + j]);
            double c = f * cp[e] + i * g, h = o * tanh(c);
            if (h_out)
                h_out[e] = h, c_out[e] = c;
            loss += w_h[e] * h + w_c[e] * c;
        }
    return loss;
}

typedef struct lstm_case {
    int64_t rows, H;
    float *a, *c_prev, *dh, *dc;
} lstm_case;

static lstm_case lstm_case_make(int64_t rows, int64_t H, uint32_t seed, float a_scale)
{
    lstm_case t = {rows, H, test_random(rows * 4 * H, seed, a_scale), test_random(rows * H, seed + 1, 1.5f),
                   test_random(rows * H, seed + 2, 1.0f), test_random(rows * H, seed + 3, 1.0f)};
    return t;
}

static void lstm_case_free(lstm_case *t) { free(t->a), free(t->c_prev), free(t->dh), free(t->dc); }

/* Outputs of one table on one case. */
typedef struct lstm_out {
    float *gates, *c, *h, *tanh_c, *dc, *dgates;
} lstm_out;

static lstm_out lstm_run(const nnl_kernels *k, const lstm_case *t, const float *c_prev)
{
    int64_t n = t->rows * t->H;
    lstm_out o = {test_copy(t->a, 4 * n), test_floats(n), test_floats(n), test_floats(n), test_copy(t->dc, n),
                  test_floats(4 * n)};
    k->lstm_cell_forward(t->rows, t->H, o.gates, c_prev, o.c, o.h, o.tanh_c);
    k->lstm_cell_backward(t->rows, t->H, o.gates, c_prev, o.tanh_c, t->dh, o.dc, o.dgates);
    return o;
}

static void lstm_out_free(lstm_out *o) { free(o->gates), free(o->c), free(o->h), free(o->tanh_c), free(o->dc), free(o->dgates); }

/* The SIMD backward is fed the oracle's saved forward, so that each
 * comparison sees one kernel's rounding only. */
static void lstm_simd_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    uint32_t seed = 100;
    for (size_t ri = 0; ri < sizeof test_rows / sizeof test_rows[0]; ri++)
        for (size_t hi = 0; hi < sizeof test_hidden / sizeof test_hidden[0]; hi++) {
            int64_t rows = test_rows[ri], H = test_hidden[hi], n = rows * H;
            lstm_case t = lstm_case_make(rows, H, seed += 4, 3.0f);
            for (int null_prev = 0; null_prev < 2; null_prev++) {
                const float *cp = null_prev ? NULL : t.c_prev;
                lstm_out want = lstm_run(ref, &t, cp);
                for (int l = 0; l < levels; l++) {
                    lstm_out got = lstm_run(simd[l], &t, cp);
                    assert_close("lstm gates", got.gates, want.gates, 4 * n, FWD_ATOL, FWD_RTOL);
                    assert_close("lstm c", got.c, want.c, n, FWD_ATOL, FWD_RTOL);
                    assert_close("lstm tanh_c", got.tanh_c, want.tanh_c, n, FWD_ATOL, FWD_RTOL);
                    assert_close("lstm h", got.h, want.h, n, FWD_ATOL, FWD_RTOL);
                    float *dc = test_copy(t.dc, n), *dgates = test_floats(4 * n);
                    simd[l]->lstm_cell_backward(rows, H, want.gates, cp, want.tanh_c, t.dh, dc, dgates);
                    assert_close("lstm dgates", dgates, want.dgates, 4 * n, FWD_ATOL, FWD_RTOL);
                    assert_close("lstm dc", dc, want.dc, n, FWD_ATOL, FWD_RTOL);
                    free(dc), free(dgates);
                    lstm_out_free(&got);
                }
                lstm_out_free(&want);
            }
            lstm_case_free(&t);
        }
}

static void lstm_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    int64_t rows = 3, H = 5, n = rows * H;
    lstm_case t = lstm_case_make(rows, H, 7, 2.0f); /* dh = w_h, dc = w_c */
    double *a = malloc((size_t)(4 * n) * sizeof(double)), *cp = malloc((size_t)n * sizeof(double));
    double *h_d = malloc((size_t)n * sizeof(double)), *c_d = malloc((size_t)n * sizeof(double));
    float *da_fd = test_floats(4 * n), *dcp_fd = test_floats(n), *h_f = test_floats(n), *c_f = test_floats(n);
    assert_true(a && cp && h_d && c_d);
    for (int64_t e = 0; e < 4 * n; e++)
        a[e] = t.a[e];
    for (int64_t e = 0; e < n; e++)
        cp[e] = t.c_prev[e];
    lstm_loss_d(rows, H, a, cp, t.dh, t.dc, h_d, c_d);
    for (int64_t e = 0; e < n; e++)
        h_f[e] = (float)h_d[e], c_f[e] = (float)c_d[e];
    for (int64_t e = 0; e < 4 * n; e++) {
        double keep = a[e];
        a[e] = keep + FD_STEP;
        double up = lstm_loss_d(rows, H, a, cp, t.dh, t.dc, NULL, NULL);
        a[e] = keep - FD_STEP;
        double down = lstm_loss_d(rows, H, a, cp, t.dh, t.dc, NULL, NULL);
        a[e] = keep;
        da_fd[e] = (float)((up - down) / (2 * FD_STEP));
    }
    for (int64_t e = 0; e < n; e++) {
        double keep = cp[e];
        cp[e] = keep + FD_STEP;
        double up = lstm_loss_d(rows, H, a, cp, t.dh, t.dc, NULL, NULL);
        cp[e] = keep - FD_STEP;
        double down = lstm_loss_d(rows, H, a, cp, t.dh, t.dc, NULL, NULL);
        cp[e] = keep;
        dcp_fd[e] = (float)((up - down) / (2 * FD_STEP));
    }
    for (int k = 0; k < count; k++) {
        lstm_out o = lstm_run(tables[k], &t, t.c_prev);
        assert_close("lstm h vs double", o.h, h_f, n, 1e-6, 1e-5);
        assert_close("lstm c vs double", o.c, c_f, n, 1e-6, 1e-5);
        assert_close("lstm da vs finite differences", o.dgates, da_fd, 4 * n, FD_ATOL, FD_RTOL);
        assert_close("lstm dc_prev vs finite differences", o.dc, dcp_fd, n, FD_ATOL, FD_RTOL);
        lstm_out_free(&o);
    }
    free(a), free(cp), free(h_d), free(c_d), free(da_fd), free(dcp_fd), free(h_f), free(c_f);
    lstm_case_free(&t);
}

/* ---- GRU ---- */

static double gru_loss_d(int64_t rows, int64_t H, const double *gi, const double *gh, const double *hp,
                         const float *w, double *h_out)
{
    double loss = 0.0;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < H; j++) {
            const double *gir = gi + r * 3 * H, *ghr = gh + r * 3 * H;
            int64_t e = r * H + j;
            double rg = sig_d(gir[j] + ghr[j]), z = sig_d(gir[H + j] + ghr[H + j]);
            double nn = tanh(gir[2 * H + j] + rg * ghr[2 * H + j]);
            double h = (1 - z) * nn + z * hp[e];
            if (h_out)
                h_out[e] = h;
            loss += w[e] * h;
        }
    return loss;
}

typedef struct gru_case {
    int64_t rows, H;
    float *gi, *gh, *h_prev, *dh;
} gru_case;

static gru_case gru_case_make(int64_t rows, int64_t H, uint32_t seed, float scale)
{
    gru_case t = {rows, H, test_random(rows * 3 * H, seed, scale), test_random(rows * 3 * H, seed + 1, scale),
                  test_random(rows * H, seed + 2, 1.0f), test_random(rows * H, seed + 3, 1.0f)};
    return t;
}

static void gru_case_free(gru_case *t) { free(t->gi), free(t->gh), free(t->h_prev), free(t->dh); }

typedef struct gru_out {
    float *h, *gates, *dgi, *dgh, *dh_prev;
} gru_out;

static gru_out gru_run(const nnl_kernels *k, const gru_case *t, const float *h_prev)
{
    int64_t n = t->rows * t->H;
    gru_out o = {test_floats(n), test_floats(3 * n), test_floats(3 * n), test_floats(3 * n), test_floats(n)};
    k->gru_cell_forward(t->rows, t->H, t->gi, t->gh, h_prev, o.h, o.gates);
    k->gru_cell_backward(t->rows, t->H, o.gates, t->gh, h_prev, t->dh, o.dgi, o.dgh, o.dh_prev);
    return o;
}

static void gru_out_free(gru_out *o) { free(o->h), free(o->gates), free(o->dgi), free(o->dgh), free(o->dh_prev); }

static void gru_simd_matches_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    uint32_t seed = 500;
    for (size_t ri = 0; ri < sizeof test_rows / sizeof test_rows[0]; ri++)
        for (size_t hi = 0; hi < sizeof test_hidden / sizeof test_hidden[0]; hi++) {
            int64_t rows = test_rows[ri], H = test_hidden[hi], n = rows * H;
            gru_case t = gru_case_make(rows, H, seed += 4, 2.0f);
            for (int null_prev = 0; null_prev < 2; null_prev++) {
                const float *hp = null_prev ? NULL : t.h_prev;
                gru_out want = gru_run(ref, &t, hp);
                for (int l = 0; l < levels; l++) {
                    gru_out got = gru_run(simd[l], &t, hp);
                    assert_close("gru gates", got.gates, want.gates, 3 * n, FWD_ATOL, FWD_RTOL);
                    assert_close("gru h", got.h, want.h, n, FWD_ATOL, FWD_RTOL);
                    float *dgi = test_floats(3 * n), *dgh = test_floats(3 * n), *dh_prev = test_floats(n);
                    simd[l]->gru_cell_backward(rows, H, want.gates, t.gh, hp, t.dh, dgi, dgh, dh_prev);
                    assert_close("gru dgi", dgi, want.dgi, 3 * n, FWD_ATOL, FWD_RTOL);
                    assert_close("gru dgh", dgh, want.dgh, 3 * n, FWD_ATOL, FWD_RTOL);
                    assert_close("gru dh_prev", dh_prev, want.dh_prev, n, FWD_ATOL, FWD_RTOL);
                    free(dgi), free(dgh), free(dh_prev);
                    gru_out_free(&got);
                }
                gru_out_free(&want);
            }
            gru_case_free(&t);
        }
}

/* d L / d x[e] by central differences, x one of the double inputs. */
static float gru_fd(int64_t rows, int64_t H, double *gi, double *gh, double *hp, const float *w, double *x,
                    int64_t e)
{
    double keep = x[e];
    x[e] = keep + FD_STEP;
    double up = gru_loss_d(rows, H, gi, gh, hp, w, NULL);
    x[e] = keep - FD_STEP;
    double down = gru_loss_d(rows, H, gi, gh, hp, w, NULL);
    x[e] = keep;
    return (float)((up - down) / (2 * FD_STEP));
}

static void gru_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    int64_t rows = 3, H = 5, n = rows * H;
    gru_case t = gru_case_make(rows, H, 9, 1.5f); /* dh = w */
    double *gi = malloc((size_t)(3 * n) * sizeof(double)), *gh = malloc((size_t)(3 * n) * sizeof(double));
    double *hp = malloc((size_t)n * sizeof(double)), *h_d = malloc((size_t)n * sizeof(double));
    float *dgi_fd = test_floats(3 * n), *dgh_fd = test_floats(3 * n), *dhp_fd = test_floats(n);
    float *h_f = test_floats(n);
    assert_true(gi && gh && hp && h_d);
    for (int64_t e = 0; e < 3 * n; e++)
        gi[e] = t.gi[e], gh[e] = t.gh[e];
    for (int64_t e = 0; e < n; e++)
        hp[e] = t.h_prev[e];
    gru_loss_d(rows, H, gi, gh, hp, t.dh, h_d);
    for (int64_t e = 0; e < n; e++)
        h_f[e] = (float)h_d[e];
    for (int64_t e = 0; e < 3 * n; e++) {
        dgi_fd[e] = gru_fd(rows, H, gi, gh, hp, t.dh, gi, e);
        dgh_fd[e] = gru_fd(rows, H, gi, gh, hp, t.dh, gh, e);
    }
    for (int64_t e = 0; e < n; e++)
        dhp_fd[e] = gru_fd(rows, H, gi, gh, hp, t.dh, hp, e);
    for (int k = 0; k < count; k++) {
        gru_out o = gru_run(tables[k], &t, t.h_prev);
        assert_close("gru h vs double", o.h, h_f, n, 1e-6, 1e-5);
        assert_close("gru dgi vs finite differences", o.dgi, dgi_fd, 3 * n, FD_ATOL, FD_RTOL);
        assert_close("gru dgh vs finite differences", o.dgh, dgh_fd, 3 * n, FD_ATOL, FD_RTOL);
        assert_close("gru dh_prev vs finite differences", o.dh_prev, dhp_fd, n, FD_ATOL, FD_RTOL);
        gru_out_free(&o);
    }
    free(gi), free(gh), free(hp), free(h_d), free(dgi_fd), free(dgh_fd), free(dhp_fd), free(h_f);
    gru_case_free(&t);
}

/* ---- NULL state, threads ---- */

static void null_state_is_zeros(void **state)
{
    (void)state;
    const nnl_kernels *tables[NNL_SIMD_NEON + 1];
    tables[0] = scalar_table();
    int count = 1 + simd_tables(tables + 1);
    int64_t rows = 3, H = 33, n = rows * H;
    float *zeros = test_floats(n);
    for (int64_t e = 0; e < n; e++)
        zeros[e] = 0.0f;
    lstm_case lt = lstm_case_make(rows, H, 31, 3.0f);
    gru_case gt = gru_case_make(rows, H, 37, 2.0f);
    for (int k = 0; k < count; k++) {
        lstm_out a = lstm_run(tables[k], &lt, NULL), b = lstm_run(tables[k], &lt, zeros);
        assert_same_bits("lstm gates", a.gates, b.gates, 4 * n);
        assert_same_bits("lstm c", a.c, b.c, n);
        assert_same_bits("lstm h", a.h, b.h, n);
        assert_same_bits("lstm tanh_c", a.tanh_c, b.tanh_c, n);
        assert_same_bits("lstm dgates", a.dgates, b.dgates, 4 * n);
        assert_same_bits("lstm dc", a.dc, b.dc, n);
        lstm_out_free(&a), lstm_out_free(&b);
        gru_out x = gru_run(tables[k], &gt, NULL), y = gru_run(tables[k], &gt, zeros);
        assert_same_bits("gru h", x.h, y.h, n);
        assert_same_bits("gru gates", x.gates, y.gates, 3 * n);
        assert_same_bits("gru dgi", x.dgi, y.dgi, 3 * n);
        assert_same_bits("gru dgh", x.dgh, y.dgh, 3 * n);
        assert_same_bits("gru dh_prev", x.dh_prev, y.dh_prev, n);
        gru_out_free(&x), gru_out_free(&y);
    }
    lstm_case_free(&lt), gru_case_free(&gt);
    free(zeros);
}

/* 64 x 512 is split over threads by the SIMD levels: same bits at every
 * thread count (elementwise), and the oracle's values within tolerance. */
static void large_calls_are_deterministic(void **state)
{
    (void)state;
    const nnl_kernels *ref = scalar_table(), *simd[NNL_SIMD_NEON];
    int levels = simd_tables(simd);
    int64_t rows = 64, H = 512, n = rows * H;
    lstm_case lt = lstm_case_make(rows, H, 61, 3.0f);
    gru_case gt = gru_case_make(rows, H, 67, 2.0f);
    lstm_out lw = lstm_run(ref, &lt, lt.c_prev);
    gru_out gw = gru_run(ref, &gt, gt.h_prev);
    for (int l = 0; l < levels; l++) {
        lstm_out l1 = {0};
        gru_out g1 = {0};
        for (int threads = 1; threads <= 3; threads++) {
            assert_ok(nnl_set_num_threads(threads));
            lstm_out lo = lstm_run(simd[l], &lt, lt.c_prev);
            gru_out go = gru_run(simd[l], &gt, gt.h_prev);
            if (threads == 1) {
                l1 = lo, g1 = go;
                assert_close("lstm h", lo.h, lw.h, n, FWD_ATOL, FWD_RTOL);
                assert_close("lstm dgates", lo.dgates, lw.dgates, 4 * n, 1e-5, 1e-4);
                assert_close("gru h", go.h, gw.h, n, FWD_ATOL, FWD_RTOL);
                assert_close("gru dgh", go.dgh, gw.dgh, 3 * n, 1e-5, 1e-4);
                continue;
            }
            assert_same_bits("lstm gates", lo.gates, l1.gates, 4 * n);
            assert_same_bits("lstm h", lo.h, l1.h, n);
            assert_same_bits("lstm c", lo.c, l1.c, n);
            assert_same_bits("lstm dgates", lo.dgates, l1.dgates, 4 * n);
            assert_same_bits("lstm dc", lo.dc, l1.dc, n);
            assert_same_bits("gru h", go.h, g1.h, n);
            assert_same_bits("gru dgi", go.dgi, g1.dgi, 3 * n);
            assert_same_bits("gru dgh", go.dgh, g1.dgh, 3 * n);
            assert_same_bits("gru dh_prev", go.dh_prev, g1.dh_prev, n);
            lstm_out_free(&lo), gru_out_free(&go);
        }
        lstm_out_free(&l1), gru_out_free(&g1);
    }
    assert_ok(nnl_set_num_threads(1));
    lstm_out_free(&lw), gru_out_free(&gw);
    lstm_case_free(&lt), gru_case_free(&gt);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lstm_simd_matches_scalar),
        cmocka_unit_test(lstm_backward_matches_finite_differences),
        cmocka_unit_test(gru_simd_matches_scalar),
        cmocka_unit_test(gru_backward_matches_finite_differences),
        cmocka_unit_test(null_state_is_zeros),
        cmocka_unit_test(large_calls_are_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
