/* Decision tree and random forest: splits where Gini and entropy say (hand
 * computed, and against a brute-force search), limits, importances, the
 * forest's accuracy and its independence of the thread count. */
#include <math.h>

#include "blobs.h"
#include "classic/estimator.h"

/* 7 samples on feature 0 (1..7), labels 0 0 1 0 1 1 1; feature 1 is
 * constant. Weighted Gini of the splits after 1.5 .. 6.5: .381 .229 .405
 * .214 .343 .429, so the root splits at 4.5 (entropy agrees: .321 there,
 * .357 at 2.5, .594 at 3.5); with max_depth 1 the leaves hold
 * [3/4, 1/4] and [0, 1]. */
static void root_splits_where_the_criterion_says(void **state)
{
    (void)state;
    const float x[14] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0};
    const int32_t y[7] = {0, 0, 1, 0, 1, 1, 1};
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create_labeled(&ds, 7, 1, (int64_t[]){2}, x, y));
    for (int criterion = NNL_CRITERION_GINI; criterion <= NNL_CRITERION_ENTROPY; criterion++) {
        nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
        o.max_depth = 1;
        o.criterion = criterion;
        nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_TREE);
        assert_ok(nnl_estimator_fit(e, ds));
        const nnl_tree_nodes *t = &e->nodes;
        assert_int_equal(t->count, 3);
        assert_int_equal(t->feature[0], 0);
        assert_float_equal(t->threshold[0], 4.5f, 0.0f);
        const float *left = t->value + t->left[0] * 2, *right = t->value + t->right[0] * 2;
        assert_float_equal(left[0], 0.75f, 1e-7f);
        assert_float_equal(left[1], 0.25f, 1e-7f);
        assert_float_equal(right[1], 1.0f, 0.0f);
        float importance[2];
        assert_ok(nnl_estimator_feature_importances(e, importance, 2));
        assert_float_equal(importance[0], 1.0f, 1e-6f);
        assert_float_equal(importance[1], 0.0f, 0.0f);
        float probs[4];
        int32_t labels[2];
        const float queries[4] = {4.4f, 9.0f, 4.6f, -3.0f};
        assert_ok(nnl_estimator_predict_proba(e, queries, 2, probs));
        assert_float_equal(probs[0], 0.75f, 1e-7f);
        assert_ok(nnl_estimator_predict(e, queries, 2, labels));
        assert_int_equal(labels[0], 0);
        assert_int_equal(labels[1], 1);
        nnl_estimator_free(e);
    }
    nnl_dataset_free(ds);
}

/* Weighted Gini of splitting x (n x f) on feature j at threshold t. */
static double split_gini(const float *x, const int32_t *y, int64_t n, int64_t f, int64_t j, float t, int32_t k)
{
    double left[8] = {0}, right[8] = {0}, nl = 0, nr = 0;
    for (int64_t i = 0; i < n; i++) {
        if (x[i * f + j] <= t)
            left[y[i]]++, nl++;
        else
            right[y[i]]++, nr++;
    }
    double gl = 1.0, gr = 1.0;
    for (int32_t c = 0; c < k; c++) {
        gl -= nl ? (left[c] / nl) * (left[c] / nl) : 0.0;
        gr -= nr ? (right[c] / nr) * (right[c] / nr) : 0.0;
    }
    return (nl * gl + nr * gr) / (double)n;
}

/* On random data with ties, the root's split is as good as the best one a
 * brute-force search over every feature and midpoint finds. */
static void root_split_matches_brute_force(void **state)
{
    (void)state;
    enum { N = 60, F = 4, K = 3 };
    for (uint32_t seed = 1; seed <= 20; seed++) {
        float x[N * F];
        int32_t y[N];
        test_fill_random(x, N * F, seed);
        for (int i = 0; i < N * F; i++)
            x[i] = floorf(x[i] * 5.0f); /* few distinct values: ties */
        for (int i = 0; i < N; i++)
            y[i] = (int32_t)((x[i * F] > 0) + (x[i * F + 1] > 2) + (i % 7 == 0)) % K;
        double best = INFINITY;
        for (int j = 0; j < F; j++)
            for (int a = 0; a < N; a++)
                for (int b = 0; b < N; b++)
                    if (x[a * F + j] < x[b * F + j])
                        best = fmin(best, split_gini(x, y, N, F, j, (x[a * F + j] + x[b * F + j]) / 2, K));
        nnl_dataset *ds;
        assert_ok(nnl_dataset_create_labeled(&ds, N, 1, (int64_t[]){F}, x, y));
        nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
        o.max_depth = 1;
        o.seed = seed;
        nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_TREE);
        assert_ok(nnl_estimator_fit(e, ds));
        double got = split_gini(x, y, N, F, e->nodes.feature[0], e->nodes.threshold[0], K);
        if (fabs(got - best) > 1e-12)
            fail_msg("seed %u: root split gini %.6f, best %.6f", seed, got, best);
        nnl_estimator_free(e);
        nnl_dataset_free(ds);
    }
}

/* An unlimited tree fits its training data; depth and leaf limits hold. */
static void limits_hold(void **state)
{
    (void)state;
    nnl_dataset *ds = blobs_dataset(300, 6, 4, 3);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_TREE);
    assert_ok(nnl_estimator_fit(e, ds));
    double accuracy;
    assert_ok(nnl_estimator_evaluate(e, ds, NULL, &accuracy));
    assert_float_equal(accuracy, 1.0, 0.0);
    nnl_estimator_free(e);

    o.max_depth = 3;
    o.min_samples_leaf = 10;
    e = make_estimator(&o, NNL_ESTIMATOR_TREE);
    assert_ok(nnl_estimator_fit(e, ds));
    const nnl_tree_nodes *t = &e->nodes;
    assert_true(t->count <= 15);
    /* every node's depth <= 3: a child's depth is its parent's + 1 */
    int depth[15] = {0};
    for (int64_t i = 0; i < t->count; i++)
        if (t->feature[i] >= 0)
            depth[t->left[i]] = depth[t->right[i]] = depth[i] + 1;
    for (int64_t i = 0; i < t->count; i++)
        assert_true(depth[i] <= 3);
    /* leaves keep >= 10 training samples */
    float x[300 * 6];
    int32_t y[300];
    blobs_fill(x, y, 300, 6, 4, 3);
    int64_t per_leaf[15] = {0};
    for (int i = 0; i < 300; i++)
        per_leaf[nnl_tree_leaf(t, 0, x + i * 6)]++;
    for (int64_t i = 0; i < t->count; i++)
        if (t->feature[i] < 0)
            assert_true(per_leaf[i] >= 10);
    nnl_estimator_free(e);
    nnl_dataset_free(ds);
}

static nnl_estimator *fit_forest(const nnl_dataset *ds, int threads)
{
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.n_estimators = 20;
    o.threads = threads;
    o.seed = 7;
    nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_FOREST);
    assert_ok(nnl_estimator_fit(e, ds));
    return e;
}

/* The same seed gives the same forest at 1 and 2 threads, node for node. */
static void forest_is_the_same_at_any_thread_count(void **state)
{
    (void)state;
    nnl_dataset *ds = blobs_dataset(400, 16, 5, 11);
    nnl_estimator *one = fit_forest(ds, 1), *two = fit_forest(ds, 2);
    assert_int_equal(one->nodes.count, two->nodes.count);
    for (int64_t t = 0; t <= 20; t++)
        assert_int_equal(one->tree_start[t], two->tree_start[t]);
    assert_memory_equal(one->nodes.feature, two->nodes.feature, (size_t)one->nodes.count * sizeof(int32_t));
    assert_memory_equal(one->nodes.threshold, two->nodes.threshold, (size_t)one->nodes.count * sizeof(float));
    assert_memory_equal(one->nodes.left, two->nodes.left, (size_t)one->nodes.count * sizeof(int32_t));
    assert_memory_equal(one->nodes.value, two->nodes.value, (size_t)one->nodes.count * 5 * sizeof(float));
    assert_memory_equal(one->importance, two->importance, 16 * sizeof(float));
    nnl_estimator_free(two);
    /* another seed, another forest */
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.n_estimators = 20;
    o.seed = 8;
    two = make_estimator(&o, NNL_ESTIMATOR_FOREST);
    assert_ok(nnl_estimator_fit(two, ds));
    assert_true(one->nodes.count != two->nodes.count ||
                memcmp(one->nodes.threshold, two->nodes.threshold, (size_t)one->nodes.count * sizeof(float)) != 0);
    nnl_estimator_free(one);
    nnl_estimator_free(two);
    nnl_dataset_free(ds);
}

/* A tree scans the features of large nodes (from 2048 samples) in
 * parallel: the same tree at 1 and 2 threads. */
static void tree_is_the_same_at_any_thread_count(void **state)
{
    (void)state;
    nnl_dataset *ds = blobs_dataset(5000, 24, 6, 13);
    nnl_estimator *e[2];
    for (int t = 0; t < 2; t++) {
        nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
        o.threads = t + 1;
        e[t] = make_estimator(&o, NNL_ESTIMATOR_TREE);
        assert_ok(nnl_estimator_fit(e[t], ds));
    }
    assert_int_equal(e[0]->nodes.count, e[1]->nodes.count);
    assert_memory_equal(e[0]->nodes.feature, e[1]->nodes.feature, (size_t)e[0]->nodes.count * sizeof(int32_t));
    assert_memory_equal(e[0]->nodes.threshold, e[1]->nodes.threshold, (size_t)e[0]->nodes.count * sizeof(float));
    assert_memory_equal(e[0]->nodes.left, e[1]->nodes.left, (size_t)e[0]->nodes.count * sizeof(int32_t));
    nnl_estimator_free(e[0]);
    nnl_estimator_free(e[1]);
    nnl_dataset_free(ds);
}

/* The forest generalises better than one tree on held-out blobs, and its
 * importances favour the informative features (0..4 carry the class). */
static void forest_beats_a_tree_and_finds_the_features(void **state)
{
    (void)state;
    nnl_dataset *train = blobs_dataset(500, 16, 5, 21), *test = blobs_dataset(500, 16, 5, 22);
    nnl_estimator *forest = fit_forest(train, 2);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    nnl_estimator *tree = make_estimator(&o, NNL_ESTIMATOR_TREE);
    assert_ok(nnl_estimator_fit(tree, train));
    double acc_forest, acc_tree;
    int64_t matrix[25];
    assert_ok(nnl_estimator_evaluate(forest, test, matrix, &acc_forest));
    assert_ok(nnl_estimator_evaluate(tree, test, NULL, &acc_tree));
    assert_true(acc_forest > acc_tree);
    assert_true(acc_forest > 0.8);
    int64_t diagonal = 0;
    for (int c = 0; c < 5; c++)
        diagonal += matrix[c * 5 + c];
    assert_float_equal((double)diagonal / 500.0, acc_forest, 1e-12);
    float importance[16], informative = 0.0f;
    assert_ok(nnl_estimator_feature_importances(forest, importance, 16));
    for (int j = 0; j < 5; j++)
        informative += importance[j];
    assert_true(informative > 0.5f);
    float probs[5 * 3];
    float sample[16 * 3];
    test_fill_random(sample, 16 * 3, 5);
    assert_ok(nnl_estimator_predict_proba(forest, sample, 3, probs));
    for (int i = 0; i < 3; i++) {
        float sum = 0.0f;
        for (int c = 0; c < 5; c++)
            sum += probs[i * 5 + c];
        assert_float_equal(sum, 1.0f, 1e-5f);
    }
    nnl_estimator_free(forest);
    nnl_estimator_free(tree);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(root_splits_where_the_criterion_says),
        cmocka_unit_test(root_split_matches_brute_force),
        cmocka_unit_test(limits_hold),
        cmocka_unit_test(forest_is_the_same_at_any_thread_count),
        cmocka_unit_test(tree_is_the_same_at_any_thread_count),
        cmocka_unit_test(forest_beats_a_tree_and_finds_the_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
