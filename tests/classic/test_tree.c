/* Decision tree and random forest: splits where Gini and entropy say (hand
 * computed, and against a brute-force search, for features of few values
 * by every scan path and of many values by sorting), limits, importances,
 * the forest's accuracy and its independence of the thread count. */
#include <math.h>

#include "blobs.h"
#include "classic/estimator.h"
#include "classic/tree_scan.h"

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

/* The best Gini of any split of feature j between neighbouring distinct
 * values (sorting the samples, as CART does). */
static double best_sorted_gini(const float *x, const int32_t *y, int64_t n, int64_t f, int64_t j, int32_t k)
{
    float *v = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        v[i] = x[i * f + j];
    for (int64_t i = 1; i < n; i++) /* insertion sort: small n */
        for (int64_t t = i; t > 0 && v[t - 1] > v[t]; t--) {
            float tmp = v[t];
            v[t] = v[t - 1];
            v[t - 1] = tmp;
        }
    double best = INFINITY;
    for (int64_t i = 0; i + 1 < n; i++)
        if (v[i] < v[i + 1])
            best = fmin(best, split_gini(x, y, n, f, j, (v[i] + v[i + 1]) / 2, k));
    free(v);
    return best;
}

/* A feature of few values gets a code per value, in the values' order,
 * with the value as its bin's bounds, whichever way it is binned: from a
 * table of its values (up to 256, feature 0), or sorted (a -0.0 among
 * them, feature 1: one code with 0.0, as 0.0 == -0.0), and a feature of
 * 257 values is sorted into 256 bins of about equal counts (feature 2). */
static void few_valued_features_get_a_code_per_value(void **state)
{
    (void)state;
    enum { N = 514, F = 3 };
    static float x[N * F];
    for (int i = 0; i < N; i++) {
        x[i * F] = (float)((i * 37) % 256) / 255.0f; /* 256 values, shuffled */
        x[i * F + 1] = i % 4 == 0 ? -0.0f : (float)(i % 3);
        x[i * F + 2] = (float)(i % 257) - 100.0f;
    }
    nnl_tree_bins b;
    assert_ok(nnl_tree_bins_build(&b, x, N, F, 1));
    for (int i = 0; i < N; i++) {
        assert_int_equal(b.code[i], (i * 37) % 256);
        assert_int_equal(b.code[N + i], x[i * F + 1] == 0.0f ? 0 : (int)x[i * F + 1]);
        assert_true(b.row_code[i * F + 2] == b.code[2 * N + i]);
    }
    for (int c = 0; c < 256; c++) {
        assert_true(b.lo[c] == (float)c / 255.0f && b.hi[c] == b.lo[c]);
        assert_true(c < 2 || b.hi[2 * NNL_TREE_MAX_BINS + c] >= b.lo[2 * NNL_TREE_MAX_BINS + c]);
    }
    assert_true(b.lo[NNL_TREE_MAX_BINS + 1] == 1.0f && b.hi[NNL_TREE_MAX_BINS + 2] == 2.0f);
    assert_int_equal(b.value_col[0], -1);
    assert_int_equal(b.value_col[1], -1);
    assert_int_equal(b.value_col[2], 0);
    assert_int_equal(b.code[2 * N], 0);          /* -100, the smallest of 257 values */
    assert_int_equal(b.code[2 * N + 256], 255);  /* 156, the largest */
    nnl_tree_bins_free(&b);
}

/* Features with more distinct values than the 256 codes are split on their
 * sorted values, exactly: a class boundary that falls inside a code's bin
 * (here after the 301st of 600 distinct values, bins of 2-3 values) is
 * found, and on random data the root's split is the best a sort finds. */
static void many_valued_features_split_exactly(void **state)
{
    (void)state;
    enum { N = 600, F = 3, K = 3 };
    float x[N * F];
    int32_t y[N];
    test_fill_random(x, N * F, 31);
    for (uint32_t seed = 0; seed <= 10; seed++) {
        if (seed == 0) { /* labels: class 1 above the 301st smallest value of feature 1 */
            for (int i = 0; i < N; i++) {
                int below = 0;
                for (int t = 0; t < N; t++)
                    below += x[t * F + 1] < x[i * F + 1];
                y[i] = below >= 301;
            }
        } else {
            test_fill_random(x, N * F, seed);
            for (int i = 0; i < N; i++)
                y[i] = (int32_t)((x[i * F] > 0.1f) + (x[i * F + 2] > -0.3f) + (i % 5 == 0)) % K;
        }
        nnl_dataset *ds;
        assert_ok(nnl_dataset_create_labeled(&ds, N, 1, (int64_t[]){F}, x, y));
        nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
        o.max_depth = 1;
        o.seed = seed;
        nnl_estimator *e = make_estimator(&o, NNL_ESTIMATOR_TREE);
        assert_ok(nnl_estimator_fit(e, ds));
        double best = INFINITY;
        for (int j = 0; j < F; j++)
            best = fmin(best, best_sorted_gini(x, y, N, F, j, K));
        double got = split_gini(x, y, N, F, e->nodes.feature[0], e->nodes.threshold[0], K);
        if (fabs(got - best) > 1e-12)
            fail_msg("seed %u: root split gini %.9f, best %.9f", seed, got, best);
        if (seed == 0)
            assert_float_equal(got, 0.0, 0.0); /* both children pure */
        nnl_estimator_free(e);
        nnl_dataset_free(ds);
    }
    /* the values are kept for those features only */
    nnl_tree_bins b;
    for (int i = 0; i < N; i++)
        x[i * F] = (float)(i % 7);
    assert_ok(nnl_tree_bins_build(&b, x, N, F, 1));
    assert_int_equal(b.value_col[0], -1);
    assert_int_equal(b.value_col[1], 0);
    assert_int_equal(b.value_col[2], 1);
    nnl_tree_bins_free(&b);
}

/* The gini of the split "code <= c" of feature j of the samples idx (the
 * codes of b). */
static double code_split_gini(const nnl_tree_bins *b, const int32_t *y, const int32_t *idx, int64_t n, int64_t j,
                              int c, int32_t k)
{
    double left[8] = {0}, right[8] = {0}, nl = 0, nr = 0;
    for (int64_t t = 0; t < n; t++) {
        if (b->code[j * b->n + idx[t]] <= c)
            left[y[idx[t]]]++, nl++;
        else
            right[y[idx[t]]]++, nr++;
    }
    double gl = 1.0, gr = 1.0;
    for (int32_t q = 0; q < k; q++) {
        gl -= nl ? (left[q] / nl) * (left[q] / nl) : 0.0;
        gr -= nr ? (right[q] / nr) * (right[q] / nr) : 0.0;
    }
    return (nl * gl + nr * gr) / (double)n;
}

/* A node's split search on few distinct values (codes): the histogram (from
 * 64 samples per class), the counting sort (below), reading rows (a node
 * whose rows fit the budget) or columns, all find the split with the best
 * Gini over every code boundary, and rows and columns the same one. */
static void code_scans_find_the_best_split(void **state)
{
    (void)state;
    enum { N = 3000, F = 6, K = 3 };
    float *x = malloc(sizeof(float) * N * F);
    int32_t y[N], weight[N], idx[N];
    test_fill_random(x, N * F, 41);
    for (int i = 0; i < N * F; i++)
        x[i] = floorf(x[i] * 20.0f); /* 40 distinct values */
    for (int i = 0; i < N; i++) {
        y[i] = (int32_t)((x[i * F] > 3) + (x[i * F + 3] > -5) + (i % 11 == 0)) % K;
        weight[i] = 1;
    }
    nnl_tree_bins b;
    assert_ok(nnl_tree_bins_build(&b, x, N, F, 1));
    nnl_tree_params p = {NNL_CRITERION_GINI, 0, 2, 1, F, 1};
    const int64_t sizes[] = {12, 40, 150, 191, 192, 700, 3000}; /* histogram from 64 K = 192 */
    for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
        int64_t n = sizes[c];
        for (int64_t t = 0; t < n; t++)
            idx[t] = (int32_t)(t * (N / n)); /* a spread-out node, in increasing order */
        nnl_tree_split split[2];
        for (int rows = 0; rows < 2; rows++) {
            nnl_tree_workspace w;
            memset(&w, 0, sizeof w);
            w.b = &b;
            w.y = y;
            w.weight = weight;
            w.K = K;
            w.p = &p;
            assert_ok(nnl_tree_workspace_alloc(&w, N, N, 1));
            w.row_budget = rows ? INT64_MAX : 0;
            memset(w.node, 0, K * sizeof *w.node);
            for (int64_t t = 0; t < n; t++)
                w.node[y[idx[t]]]++;
            w.node_total = n;
            nnl_rng rng;
            nnl_rng_seed(&rng, 5, 0);
            int64_t constants = 0;
            split[rows] = nnl_tree_find_split(&w, idx, n, &rng, &constants);
            nnl_tree_workspace_free(&w);
            assert_true(split[rows].found && !split[rows].exact);
        }
        assert_int_equal(split[0].feature, split[1].feature);
        assert_int_equal(split[0].code, split[1].code);
        assert_true(split[0].score == split[1].score);
        double best = INFINITY;
        for (int64_t j = 0; j < F; j++)
            for (int code = 0; code < NNL_TREE_MAX_BINS - 1; code++)
                best = fmin(best, code_split_gini(&b, y, idx, n, j, code, K));
        double got = code_split_gini(&b, y, idx, n, split[0].feature, split[0].code, K);
        if (fabs(got - best) > 1e-12)
            fail_msg("node of %lld: split gini %.9f, best %.9f", (long long)n, got, best);
    }
    nnl_tree_bins_free(&b);
    free(x);
}

/* Once a node has a Gini split into two pure sides (none can score more),
 * the features after it are checked for constants but not scanned: the
 * split is a pure one, and every constant feature is still found and
 * passed down (the first `constants` of w->feat), in a tiny node (insertion
 * sort) and a small one (counting sort), from rows and from columns. */
static void a_pure_split_still_finds_the_constants(void **state)
{
    (void)state;
    enum { N = 40, F = 12, K = 2 };
    float x[N * F];
    int32_t y[N], weight[N], idx[N];
    test_fill_random(x, N * F, 7);
    for (int i = 0; i < N; i++) {
        y[i] = (i * 7 / 3) % K;
        weight[i] = 1 + i % 3;
        for (int j = 0; j < F; j++) {
            if (j % 2 == 0)
                x[i * F + j] = 3.0f; /* constant */
            else if (j % 4 == 1)
                x[i * F + j] = y[i] ? 5.0f + (float)j : 1.0f; /* splits into two pure sides */
        }                                                   /* j % 4 == 3: random */
    }
    nnl_tree_bins b;
    assert_ok(nnl_tree_bins_build(&b, x, N, F, 1));
    nnl_tree_params p = {NNL_CRITERION_GINI, 0, 2, 1, F, 1};
    const int64_t sizes[] = {10, 37};
    for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++)
        for (int rows = 0; rows < 2; rows++) {
            int64_t n = sizes[c];
            nnl_tree_workspace w;
            memset(&w, 0, sizeof w);
            w.b = &b;
            w.y = y;
            w.weight = weight;
            w.K = K;
            w.p = &p;
            assert_ok(nnl_tree_workspace_alloc(&w, N, 3 * N, 1));
            w.row_budget = rows ? INT64_MAX : 0;
            memset(w.node, 0, K * sizeof *w.node);
            w.node_total = 0;
            for (int64_t t = 0; t < n; t++) {
                idx[t] = (int32_t)t;
                w.node[y[t]] += weight[t];
                w.node_total += weight[t];
            }
            nnl_rng rng;
            nnl_rng_seed(&rng, 9, c);
            int64_t constants = 0;
            nnl_tree_split split = nnl_tree_find_split(&w, idx, n, &rng, &constants);
            assert_true(split.found);
            assert_int_equal(split.feature % 4, 1);
            assert_true(split.score == (double)w.node_total); /* two pure sides */
            assert_int_equal(constants, F / 2);
            for (int64_t i = 0; i < constants; i++)
                assert_int_equal(w.feat[i] % 2, 0);
            nnl_tree_workspace_free(&w);
        }
    nnl_tree_bins_free(&b);
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
        cmocka_unit_test(few_valued_features_get_a_code_per_value),
        cmocka_unit_test(many_valued_features_split_exactly),
        cmocka_unit_test(code_scans_find_the_best_split),
        cmocka_unit_test(a_pure_split_still_finds_the_constants),
        cmocka_unit_test(limits_hold),
        cmocka_unit_test(forest_is_the_same_at_any_thread_count),
        cmocka_unit_test(tree_is_the_same_at_any_thread_count),
        cmocka_unit_test(forest_beats_a_tree_and_finds_the_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
