/* Decision tree and random forest: fitting (a tree is a forest of one tree
 * on all the samples) and the mean of the leaves' class fractions.
 *
 * Trees are built on the library's thread pool, handed out one at a time
 * to whichever part is free (nnl_parallel_tasks: on a shared machine a
 * part that lost its core would otherwise hold up its fixed share). Each
 * tree draws from its own PCG32 stream (seed, tree index) and is built into
 * its own arrays, which are then joined in tree order: a seed gives the
 * same forest whatever the thread count and whichever thread built what. */
#include <math.h>
#include <string.h>

#include "classic/estimator.h"
#include "classic/tree_build.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"

typedef struct forest_job {
    const nnl_estimator *e;
    const nnl_tree_bins *bins;
    const int32_t *y;
    int64_t n, num_trees;
    nnl_tree_params params;
    nnl_tree_nodes *trees;    /* num_trees */
    double *importance;       /* num_trees * F */
    nnl_status *status;       /* num_trees */
    int32_t **scratch;        /* per part: 2n (build_tree's idx and weights) */
} forest_job;

/* Features tried per split for the options and F features. */
static int64_t resolve_max_features(const nnl_estimator *e, int64_t f)
{
    int64_t m = e->opt.max_features;
    if (m == 0)
        m = e->opt.kind == NNL_ESTIMATOR_FOREST ? NNL_MAX_FEATURES_SQRT : f;
    if (m == NNL_MAX_FEATURES_SQRT)
        m = (int64_t)sqrt((double)f);
    else if (m == NNL_MAX_FEATURES_LOG2)
        m = (int64_t)log2((double)f);
    return m < 1 ? 1 : m > f ? f : m;
}

/* The samples of tree t and their weights: a bootstrap's n draws as the
 * distinct samples drawn (idx, in increasing order, *count of them) and
 * their numbers of draws (weight, per sample), or every sample once. The
 * increasing order stays within each node, so that reading a feature's
 * codes of a node walks memory forwards. */
static void draw_samples(const forest_job *j, nnl_rng *rng, int32_t *idx, int32_t *weight, int64_t *count)
{
    int bootstrap = j->e->opt.kind == NNL_ESTIMATOR_FOREST && j->e->opt.bootstrap;
    for (int64_t i = 0; i < j->n; i++)
        weight[i] = !bootstrap;
    for (int64_t i = 0; bootstrap && i < j->n; i++)
        weight[nnl_rng_below(rng, (uint32_t)j->n)]++;
    *count = 0;
    for (int64_t i = 0; i < j->n; i++)
        if (weight[i])
            idx[(*count)++] = (int32_t)i;
}

static nnl_status build_tree(const forest_job *j, int64_t t, int32_t *idx)
{
    nnl_rng rng;
    nnl_rng_seed(&rng, j->e->opt.seed, (uint64_t)t);
    int32_t *weight = idx + j->n;
    int64_t count;
    draw_samples(j, &rng, idx, weight, &count);
    return nnl_tree_build(&j->trees[t], j->bins, j->y, weight, j->e->num_classes, idx, count, &j->params, &rng,
                          j->importance + t * j->bins->f);
}

static void build_task(void *ctx, int64_t t, int part)
{
    forest_job *j = ctx;
    j->status[t] = build_tree(j, t, j->scratch[part]);
}

/* Joins the trees into e and averages their importances (normalised again,
 * as scikit-learn does). */
static nnl_status join_trees(nnl_estimator *e, const forest_job *j)
{
    int64_t f = e->num_features;
    e->num_trees = j->num_trees;
    e->tree_start = nnl_alloc((size_t)(j->num_trees + 1) * sizeof(int64_t));
    NNL_TRY(nnl_alloc_floats(&e->importance, f, "nnl_estimator_fit"));
    if (!e->tree_start)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory");
    nnl_tree_nodes_init(&e->nodes, e->num_classes);
    double total = 0.0;
    for (int64_t t = 0; t < j->num_trees; t++) {
        e->tree_start[t] = e->nodes.count;
        NNL_TRY(nnl_tree_nodes_append(&e->nodes, &j->trees[t]));
        for (int64_t i = 0; i < f; i++)
            total += j->importance[t * f + i];
    }
    e->tree_start[j->num_trees] = e->nodes.count;
    for (int64_t i = 0; i < f; i++) {
        double sum = 0.0;
        for (int64_t t = 0; t < j->num_trees; t++)
            sum += j->importance[t * f + i];
        e->importance[i] = total > 0.0 ? (float)(sum / total) : 0.0f;
    }
    return NNL_OK;
}

static nnl_status grow_forest(nnl_estimator *e, forest_job *j, const float *x)
{
    nnl_tree_bins bins;
    int threads = nnl_estimator_threads(e);
    NNL_TRY(nnl_tree_bins_build(&bins, x, j->n, e->num_features, threads));
    j->bins = &bins;
    int parts = (int64_t)threads < j->num_trees ? threads : (int)j->num_trees;
    int32_t *scratch[64];
    parts = parts < 64 ? parts : 64;
    int ok = 1;
    for (int part = 0; part < parts; part++) /* the samples, then their weights */
        ok &= (scratch[part] = nnl_alloc((size_t)j->n * 2 * sizeof(int32_t))) != NULL;
    j->scratch = scratch;
    if (ok)
        nnl_parallel_tasks(parts, j->num_trees, build_task, j);
    for (int part = 0; part < parts; part++)
        nnl_dealloc(scratch[part]);
    nnl_tree_bins_free(&bins);
    if (!ok)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory for %lld samples", (long long)j->n);
    for (int64_t t = 0; t < j->num_trees; t++)
        if (j->status[t] != NNL_OK) /* only memory can run out; the message stayed on its thread */
            return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory building tree %lld", (long long)t);
    return join_trees(e, j);
}

nnl_status nnl_forest_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n)
{
    forest_job j = {e, NULL, y, n, e->opt.kind == NNL_ESTIMATOR_FOREST ? e->opt.n_estimators : 1, {0}, NULL,
                    NULL, NULL, NULL};
    j.params = (nnl_tree_params){e->opt.criterion, e->opt.max_depth, e->opt.min_samples_split,
                                 e->opt.min_samples_leaf, resolve_max_features(e, e->num_features),
                                 j.num_trees == 1 ? nnl_estimator_threads(e) : 1};
    j.trees = nnl_alloc_zeroed((size_t)j.num_trees * sizeof *j.trees);
    j.importance = nnl_alloc(nnl_mul_size3((size_t)j.num_trees, (size_t)e->num_features, sizeof(double)));
    j.status = nnl_alloc((size_t)j.num_trees * sizeof *j.status);
    nnl_status s = NNL_OK;
    if (!j.trees || !j.importance || !j.status)
        s = nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory for %lld trees", (long long)j.num_trees);
    for (int64_t t = 0; s == NNL_OK && t < j.num_trees; t++)
        nnl_tree_nodes_init(&j.trees[t], e->num_classes);
    if (s == NNL_OK)
        s = grow_forest(e, &j, x);
    for (int64_t t = 0; j.trees && t < j.num_trees; t++)
        nnl_tree_nodes_free(&j.trees[t]);
    nnl_dealloc(j.trees);
    nnl_dealloc(j.importance);
    nnl_dealloc(j.status);
    return s;
}

void nnl_forest_scores(const nnl_estimator *e, const float *x, int64_t count, float *out)
{
    int32_t k = e->num_classes;
    float scale = 1.0f / (float)e->num_trees;
    for (int64_t i = 0; i < count; i++) {
        const float *xi = x + i * e->num_features;
        float *o = out + i * k;
        memset(o, 0, (size_t)k * sizeof *o);
        for (int64_t t = 0; t < e->num_trees; t++) {
            const float *v = e->nodes.value + nnl_tree_leaf(&e->nodes, e->tree_start[t], xi) * k;
            for (int32_t c = 0; c < k; c++)
                o[c] += v[c];
        }
        for (int32_t c = 0; c < k; c++)
            o[c] *= scale;
    }
}
