/* The SVMs: the linear SVM's solution is optimal (its weights are the
 * dual's combination of the samples, as the KKT conditions require), the
 * SMO solution of a class pair satisfies the KKT conditions within the
 * tolerance, the RBF SVM separates XOR (the linear one cannot), a small
 * kernel cache gives the same machine as the whole matrix, and the
 * probabilities are distributions. */
#include <math.h>

#include "blobs.h"
#include "classic/estimator.h"
#include "classic/svm_smo.h"

/* For the squared hinge loss with the bias as a constant feature, the
 * optimum has w = sum_i alpha_i y_i (x_i, 1) with alpha_i = 2C max(0,
 * 1 - y_i w.(x_i, 1)): the primal gradient is zero. */
static void linear_svm_solution_is_optimal(void **state)
{
    (void)state;
    enum { N = 240, F = 5, K = 3 };
    float x[N * F];
    int32_t y[N];
    blobs_fill(x, y, N, F, K, 5);
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create_labeled(&ds, N, 1, (int64_t[]){F}, x, y));
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.c = 0.5;
    o.tolerance = 1e-6;
    nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_LINEAR_SVM);
    assert_ok(nnl_estimator_fit(e, ds));
    assert_int_equal(e->linear_rows, K);
    for (int r = 0; r < K; r++) {
        const float *w = e->coef + r * F;
        double combo[F + 1] = {0}, norm = 0.0, residual = 0.0;
        for (int i = 0; i < N; i++) {
            double yi = y[i] == r ? 1.0 : -1.0, margin = e->bias[r];
            for (int j = 0; j < F; j++)
                margin += (double)w[j] * x[i * F + j];
            double alpha = 2.0 * o.c * fmax(0.0, 1.0 - yi * margin);
            for (int j = 0; j < F; j++)
                combo[j] += alpha * yi * x[i * F + j];
            combo[F] += alpha * yi;
        }
        for (int j = 0; j <= F; j++) {
            double wj = j < F ? w[j] : e->bias[r];
            norm += wj * wj;
            residual += (wj - combo[j]) * (wj - combo[j]);
        }
        if (sqrt(residual) > 1e-3 * sqrt(norm))
            fail_msg("class %d: |w - sum alpha y x| = %g, |w| = %g", r, sqrt(residual), sqrt(norm));
    }
    double accuracy;
    assert_ok(nnl_estimator_evaluate(e, ds, NULL, &accuracy));
    assert_true(accuracy > 0.9);
    nnl_estimator_free(e);
    nnl_dataset_free(ds);
}

/* One SMO problem on sorted samples (class a first): alpha in [0, C],
 * y.alpha = 0, and with f = sum y alpha K - rho, y f >= 1 - eps where alpha
 * = 0, |y f - 1| <= eps where 0 < alpha < C, y f <= 1 + eps at alpha = C. */
static void smo_satisfies_kkt(void **state)
{
    (void)state;
    enum { NA = 40, NB = 30, L = NA + NB, F = 3 };
    float x[L * F];
    test_fill_random(x, L * F, 9);
    for (int i = 0; i < NA; i++)
        x[i * F] += 0.6f; /* overlapping classes: some alphas at C */
    const double c = 2.0, eps = 1e-3;
    nnl_svm_kernel kernel;
    assert_ok(nnl_svm_kernel_init(&kernel, x, L, F, 1.5f, 1e9, 1));
    nnl_smo_problem p = {&kernel, 0, NA, NA, NB, c, eps, INT64_MAX};
    double alpha[L], grad[L], rho, balance = 0.0;
    assert_true(nnl_smo_solve(&p, alpha, grad, &rho) > 0);
    int bounded = 0, free_ones = 0;
    for (int t = 0; t < L; t++) {
        double yt = t < NA ? 1.0 : -1.0, f = -rho;
        const float *row = nnl_svm_kernel_row(&kernel, t);
        for (int s = 0; s < L; s++)
            f += (s < NA ? 1.0 : -1.0) * alpha[s] * row[s];
        assert_true(alpha[t] >= 0.0 && alpha[t] <= c);
        balance += yt * alpha[t];
        double margin = yt * f;
        if (alpha[t] == 0.0)
            assert_true(margin >= 1.0 - eps);
        else if (alpha[t] == c)
            assert_true(margin <= 1.0 + eps), bounded++;
        else if (fabs(margin - 1.0) > eps)
            fail_msg("free alpha %d: y f = %.6f", t, margin);
        else
            free_ones++;
    }
    assert_true(fabs(balance) < 1e-9);
    assert_true(bounded > 0 && free_ones > 0); /* the test reaches both cases */
    nnl_svm_kernel_free(&kernel);
}

/* XOR: points near (0,0) and (1,1) are class 0, near (0,1) and (1,0) class 1. */
static nnl_dataset *xor_dataset(int n, uint32_t seed)
{
    float *x = malloc(sizeof(float) * (size_t)n * 2), noise[2];
    int32_t *y = malloc(sizeof(int32_t) * (size_t)n);
    for (int i = 0; i < n; i++) {
        int a = i & 1, b = (i >> 1) & 1;
        test_fill_random(noise, 2, seed * 1000u + (uint32_t)i);
        x[i * 2] = (float)a + 0.2f * noise[0];
        x[i * 2 + 1] = (float)b + 0.2f * noise[1];
        y[i] = a ^ b;
    }
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create_labeled(&ds, n, 1, (int64_t[]){2}, x, y));
    free(x);
    free(y);
    return ds;
}

static void rbf_svm_separates_xor(void **state)
{
    (void)state;
    nnl_dataset *train = xor_dataset(80, 1), *test = xor_dataset(200, 2);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.c = 10.0;
    o.gamma = 2.0;
    nnl_estimator *svm = make_estimator(&o, NNL_ESTIMATOR_SVM), *linear = make_estimator(&o, NNL_ESTIMATOR_LINEAR_SVM);
    assert_ok(nnl_estimator_fit(svm, train));
    assert_ok(nnl_estimator_fit(linear, train));
    double acc_svm, acc_linear;
    assert_ok(nnl_estimator_evaluate(svm, test, NULL, &acc_svm));
    assert_ok(nnl_estimator_evaluate(linear, test, NULL, &acc_linear));
    assert_float_equal(acc_svm, 1.0, 0.0);
    assert_true(acc_linear < 0.8);
    assert_true(nnl_estimator_size(svm) >= 4 && nnl_estimator_size(svm) < 80);
    nnl_estimator_free(svm);
    nnl_estimator_free(linear);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

/* 700 samples need 1.9 MiB for the whole kernel matrix: with a 1 MiB cache
 * the rows are computed on demand (a matvec, where the whole matrix takes a
 * GEMM: the kernel values differ in their last bits) and evicted, and the
 * machine is the same up to that rounding. */
static void small_cache_gives_the_same_machine(void **state)
{
    (void)state;
    nnl_dataset *train = blobs_dataset(700, 8, 3, 31), *test = blobs_dataset(300, 8, 3, 32);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    nnl_estimator *whole = make_estimator(&o, NNL_ESTIMATOR_SVM);
    o.cache_mb = 1.0;
    nnl_estimator *cached = make_estimator(&o, NNL_ESTIMATOR_SVM);
    assert_ok(nnl_estimator_fit(whole, train));
    assert_ok(nnl_estimator_fit(cached, train));
    assert_true(llabs(nnl_estimator_size(whole) - nnl_estimator_size(cached)) <= nnl_estimator_size(whole) / 50);
    for (int p = 0; p < 3; p++)
        assert_float_equal(whole->svm.intercept[p], cached->svm.intercept[p], 1e-2);
    float x[300 * 8];
    int32_t y[300], a[300], b[300];
    blobs_fill(x, y, 300, 8, 3, 32);
    assert_ok(nnl_estimator_predict(whole, x, 300, a));
    assert_ok(nnl_estimator_predict(cached, x, 300, b));
    int same = 0;
    for (int i = 0; i < 300; i++)
        same += a[i] == b[i];
    assert_true(same >= 297);
    double accuracy;
    assert_ok(nnl_estimator_evaluate(whole, test, NULL, &accuracy));
    assert_true(accuracy > 0.9);
    nnl_estimator_free(whole);
    nnl_estimator_free(cached);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

static void probabilities_are_distributions(void **state)
{
    (void)state;
    enum { N = 300, F = 6, K = 4 };
    nnl_dataset *train = blobs_dataset(N, F, K, 41);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    nnl_estimator *plain = make_estimator(&o, NNL_ESTIMATOR_SVM);
    o.probability = 1;
    nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_SVM);
    assert_ok(nnl_estimator_fit(e, train));
    assert_ok(nnl_estimator_fit(plain, train));
    float x[N * F], probs[N * K];
    int32_t y[N], labels[N];
    blobs_fill(x, y, N, F, K, 42);
    assert_ok(nnl_estimator_predict_proba(e, x, N, probs));
    assert_ok(nnl_estimator_predict(e, x, N, labels));
    int agree = 0, right = 0;
    for (int i = 0; i < N; i++) {
        float sum = 0.0f;
        int best = 0;
        for (int c = 0; c < K; c++) {
            assert_true(probs[i * K + c] >= 0.0f && probs[i * K + c] <= 1.0f);
            sum += probs[i * K + c];
            best = probs[i * K + c] > probs[i * K + best] ? c : best;
        }
        assert_float_equal(sum, 1.0f, 1e-4f);
        agree += best == labels[i];
        right += best == y[i];
    }
    assert_true(agree > N * 9 / 10);
    assert_true(right > N * 8 / 10);
    assert_status_msg(nnl_estimator_predict_proba(plain, x, 1, probs), NNL_E_UNSUPPORTED, "probability");
    nnl_estimator_free(e);
    nnl_estimator_free(plain);
    nnl_dataset_free(train);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linear_svm_solution_is_optimal),
        cmocka_unit_test(smo_satisfies_kkt),
        cmocka_unit_test(rbf_svm_separates_xor),
        cmocka_unit_test(small_cache_gives_the_same_machine),
        cmocka_unit_test(probabilities_are_distributions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
