/* The estimator handle: options, fit (data checks, then the learner's fit),
 * and the getters. Prediction is in predict.c, files in estimator_io.c. */
#include <math.h>
#include <string.h>

#include "classic/estimator.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/threads.h"
#include "data/dataset.h"

#define ESTIMATOR_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_estimator_options, seed)

/* The first option out of range, as an error naming it; NNL_OK when all fit. */
static nnl_status check_options(const nnl_estimator_options *o)
{
    const char *who = "nnl_estimator_create";
    if (o->kind < NNL_ESTIMATOR_LINEAR_SVM || o->kind > NNL_ESTIMATOR_FOREST)
        return nnl_error(NNL_E_INVALID_ARG, "%s: kind %d is not an nnl_estimator_kind", who, o->kind);
    if (!(o->c > 0.0) || !isfinite(o->c))
        return nnl_error(NNL_E_INVALID_ARG, "%s: c must be a finite number > 0, got %g", who, o->c);
    if (!(o->gamma >= 0.0) || !isfinite(o->gamma))
        return nnl_error(NNL_E_INVALID_ARG, "%s: gamma must be finite and >= 0 (0 = scale), got %g", who, o->gamma);
    if (!(o->tolerance >= 0.0) || !isfinite(o->tolerance))
        return nnl_error(NNL_E_INVALID_ARG, "%s: tolerance must be finite and >= 0, got %g", who, o->tolerance);
    if (o->max_iter < 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: max_iter must be >= 0, got %lld", who, (long long)o->max_iter);
    if (!(o->cache_mb >= 1.0) || !(o->cache_mb <= 1048576.0))
        return nnl_error(NNL_E_INVALID_ARG, "%s: cache_mb must be in [1, 2^20], got %g", who, o->cache_mb);
    if (o->criterion != NNL_CRITERION_GINI && o->criterion != NNL_CRITERION_ENTROPY)
        return nnl_error(NNL_E_INVALID_ARG, "%s: criterion %d is not an nnl_criterion", who, o->criterion);
    if (o->max_depth < 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: max_depth must be >= 0 (0 = no limit), got %lld", who,
                         (long long)o->max_depth);
    if (o->min_samples_split < 2)
        return nnl_error(NNL_E_INVALID_ARG, "%s: min_samples_split must be >= 2, got %lld", who,
                         (long long)o->min_samples_split);
    if (o->min_samples_leaf < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: min_samples_leaf must be >= 1, got %lld", who,
                         (long long)o->min_samples_leaf);
    if (o->max_features < NNL_MAX_FEATURES_LOG2)
        return nnl_error(NNL_E_INVALID_ARG, "%s: max_features must be a count >= 1, 0, NNL_MAX_FEATURES_SQRT or "
                         "NNL_MAX_FEATURES_LOG2, got %lld", who, (long long)o->max_features);
    if (o->n_estimators < 1 || o->n_estimators > 100000)
        return nnl_error(NNL_E_INVALID_ARG, "%s: n_estimators must be in [1, 100000], got %lld", who,
                         (long long)o->n_estimators);
    if (o->threads < 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: threads must be >= 0, got %d", who, o->threads);
    return NNL_OK;
}

nnl_status nnl_estimator_create(nnl_estimator **out, const nnl_estimator_options *options)
{
    NNL_CHECK_PTR("nnl_estimator_create", out);
    *out = NULL;
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_estimator_options, NNL_ESTIMATOR_OPTIONS_INIT, ESTIMATOR_OPTIONS_MIN_SIZE, &o,
                                 options, "nnl_estimator_create"));
    NNL_TRY(check_options(&o));
    nnl_estimator *e = nnl_alloc_zeroed(sizeof *e);
    if (!e)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_create: out of memory");
    e->opt = o;
    *out = e;
    return NNL_OK;
}

void nnl_estimator_reset(nnl_estimator *e)
{
    nnl_tree_nodes_free(&e->nodes);
    nnl_dealloc(e->tree_start);
    nnl_dealloc(e->importance);
    nnl_dealloc(e->coef);
    nnl_dealloc(e->bias);
    nnl_svm_model *m = &e->svm;
    nnl_dealloc(m->sv);
    nnl_dealloc(m->sv_norm);
    nnl_dealloc(m->start);
    nnl_dealloc(m->dual_coef);
    nnl_dealloc(m->intercept);
    nnl_dealloc(m->prob_a);
    nnl_dealloc(m->prob_b);
    nnl_estimator_options o = e->opt;
    memset(e, 0, sizeof *e);
    e->opt = o;
}

void nnl_estimator_free(nnl_estimator *estimator)
{
    if (!estimator)
        return;
    nnl_estimator_reset(estimator);
    nnl_dealloc(estimator);
}

int nnl_estimator_threads(const nnl_estimator *e)
{
    return e->opt.threads > 0 ? e->opt.threads : nnl_threads_get();
}

/* The checks of a training set, and its labels as integers (*y, n ints). */
static nnl_status training_labels(const nnl_estimator *e, const nnl_dataset *ds, int32_t **y)
{
    const char *who = "nnl_estimator_fit";
    NNL_TRY(nnl_dataset_check_stored(ds, who));
    if (ds->num_classes < 1 || ds->y_size != 1)
        return nnl_error(NNL_E_STATE, "%s: the dataset has no class labels", who);
    if (ds->count < 2)
        return nnl_error(NNL_E_INVALID_ARG, "%s: needs at least 2 samples, got %lld", who, (long long)ds->count);
    if (ds->count > INT32_MAX || ds->x_size > ((int64_t)1 << 24))
        return nnl_error(NNL_E_INVALID_ARG, "%s: at most 2^31 - 1 samples of 2^24 features", who);
    if (e->opt.max_features > ds->x_size)
        return nnl_error(NNL_E_INVALID_ARG, "%s: max_features %lld exceeds the %lld features of the data", who,
                         (long long)e->opt.max_features, (long long)ds->x_size);
    NNL_TRY(nnl_dataset_check_finite(ds, who, "training data"));
    *y = nnl_alloc((size_t)ds->count * sizeof(int32_t));
    if (!*y)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    return nnl_dataset_get_labels(ds, 0, ds->count, *y);
}

nnl_status nnl_estimator_fit(nnl_estimator *estimator, const nnl_dataset *train)
{
    NNL_CHECK_PTR("nnl_estimator_fit", estimator);
    NNL_CHECK_PTR("nnl_estimator_fit", train);
    nnl_estimator *e = estimator;
    nnl_estimator_reset(e);
    int32_t *y = NULL;
    nnl_status s = training_labels(e, train, &y);
    if (s == NNL_OK) {
        e->num_classes = train->num_classes;
        e->num_features = train->x_size;
        if (e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM)
            s = nnl_linear_svm_fit(e, train->x, y, train->count);
        else if (e->opt.kind == NNL_ESTIMATOR_SVM)
            s = nnl_svm_fit(e, train->x, y, train->count);
        else
            s = nnl_forest_fit(e, train->x, y, train->count);
    }
    nnl_dealloc(y);
    if (s != NNL_OK)
        nnl_estimator_reset(e);
    e->fitted = s == NNL_OK;
    return nnl_error_in(s, "nnl_estimator_fit");
}

int nnl_estimator_kind_of(const nnl_estimator *estimator)
{
    return estimator ? estimator->opt.kind : -1;
}

int32_t nnl_estimator_num_classes(const nnl_estimator *estimator)
{
    return estimator && estimator->fitted ? estimator->num_classes : 0;
}

int64_t nnl_estimator_num_features(const nnl_estimator *estimator)
{
    return estimator && estimator->fitted ? estimator->num_features : 0;
}

int64_t nnl_estimator_size(const nnl_estimator *estimator)
{
    const nnl_estimator *e = estimator;
    if (!e || !e->fitted)
        return 0;
    if (e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM)
        return e->linear_rows * (e->num_features + 1);
    return e->opt.kind == NNL_ESTIMATOR_SVM ? e->svm.num_sv : e->nodes.count;
}

nnl_status nnl_estimator_feature_importances(const nnl_estimator *estimator, float *importance, int64_t capacity)
{
    const char *who = "nnl_estimator_feature_importances";
    NNL_CHECK_PTR(who, estimator);
    NNL_CHECK_PTR(who, importance);
    if (!estimator->fitted)
        return nnl_error(NNL_E_STATE, "%s: the estimator is not fitted", who);
    if (estimator->opt.kind != NNL_ESTIMATOR_TREE && estimator->opt.kind != NNL_ESTIMATOR_FOREST)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: only trees and forests have feature importances", who);
    if (capacity < estimator->num_features)
        return nnl_error(NNL_E_INVALID_ARG, "%s: capacity %lld is below the %lld features", who, (long long)capacity,
                         (long long)estimator->num_features);
    memcpy(importance, estimator->importance, (size_t)estimator->num_features * sizeof(float));
    return NNL_OK;
}
