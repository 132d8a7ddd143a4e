/* Misuse of estimator.h. */
#include <math.h>

#include "core/alloc.h"
#include "fixtures/fixtures.h"
#include "misuse.h"

/* A dataset of 4 samples of 2 features, labels 0 1 0 1. */
static nnl_dataset *tiny(void)
{
    const float x[8] = {0, 0, 1, 1, 0, 1, 1, 0};
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create_labeled(&ds, 4, 1, (int64_t[]){2}, x, (int32_t[]){0, 1, 0, 1}));
    return ds;
}

static nnl_estimator *fitted(int kind)
{
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.kind = kind;
    o.n_estimators = 2;
    nnl_estimator *e;
    assert_ok(nnl_estimator_create(&e, &o));
    nnl_dataset *ds = tiny();
    assert_ok(nnl_estimator_fit(e, ds));
    nnl_dataset_free(ds);
    return e;
}

static void misuse_nnl_estimator_create(void **state)
{
    (void)state;
    nnl_estimator *e = (nnl_estimator *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_create, NULL, NULL);
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.struct_size = 8;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "NNL_ESTIMATOR_OPTIONS_INIT");
    assert_null(e);
    const struct {
        size_t offset;
        double value;
        const char *name;
    } bad[] = {
        {offsetof(nnl_estimator_options, c), 0.0, "c must"},
        {offsetof(nnl_estimator_options, c), -1.0, "c must"},
        {offsetof(nnl_estimator_options, gamma), -0.5, "gamma"},
        {offsetof(nnl_estimator_options, tolerance), -1e-3, "tolerance"},
        {offsetof(nnl_estimator_options, cache_mb), 0.5, "cache_mb"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
        memcpy((char *)&o + bad[i].offset, &bad[i].value, sizeof(double));
        assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, bad[i].name);
    }
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.kind = 7;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "kind 7");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.criterion = 2;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "criterion");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.max_depth = -1;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "max_depth");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.min_samples_split = 1;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "min_samples_split");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.min_samples_leaf = 0;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "min_samples_leaf");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.max_features = -3;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "max_features");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.n_estimators = 0;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "n_estimators");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.max_iter = -1;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "max_iter");
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.threads = -2;
    assert_status_msg(nnl_estimator_create(&e, &o), NNL_E_INVALID_ARG, "threads");
    assert_null(e);
    nnl_testing_fail_allocation(1);
    expect_misuse(NNL_E_NOMEM, nnl_estimator_create, &e, NULL);
    nnl_testing_fail_allocation(0);
    assert_null(e);
}

static void misuse_nnl_estimator_free(void **state)
{
    (void)state;
    nnl_estimator_free(NULL);
}

static void misuse_nnl_estimator_fit(void **state)
{
    (void)state;
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.max_features = 3;
    nnl_estimator *e;
    assert_ok(nnl_estimator_create(&e, &o));
    nnl_dataset *ds = tiny(), *unlabelled, *one, *nan;
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_fit, NULL, ds);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_fit, e, NULL);
    assert_status_msg(nnl_estimator_fit(e, ds), NNL_E_INVALID_ARG, "max_features 3");
    const float x[4] = {0, 1, 2, 3}, y[2] = {0.5f, 1.5f};
    assert_ok(nnl_dataset_create(&unlabelled, 2, 1, (int64_t[]){2}, x, 0, NULL, y));
    expect_misuse(NNL_E_STATE, nnl_estimator_fit, e, unlabelled);
    assert_ok(nnl_dataset_create_labeled(&one, 1, 1, (int64_t[]){2}, x, (int32_t[]){0}));
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_fit, e, one);
    const float bad[4] = {0, 1, NAN, 3};
    assert_ok(nnl_dataset_create_labeled(&nan, 2, 1, (int64_t[]){2}, bad, (int32_t[]){0, 1}));
    nnl_estimator_free(e);
    assert_ok(nnl_estimator_create(&e, NULL));
    expect_misuse(NNL_E_NUMERIC, nnl_estimator_fit, e, nan);
    assert_int_equal(nnl_estimator_num_classes(e), 0); /* unfitted after a failure */
    nnl_estimator_free(e);
    o = (nnl_estimator_options)NNL_ESTIMATOR_OPTIONS_INIT;
    o.kind = NNL_ESTIMATOR_SVM;
    assert_ok(nnl_estimator_create(&e, &o));
    const float x3[6] = {0, 1, 2, 3, 4, 5};
    nnl_dataset *single_class;
    assert_ok(nnl_dataset_create_labeled(&single_class, 3, 1, (int64_t[]){2}, x3, (int32_t[]){0, 0, 0}));
    assert_status_msg(nnl_estimator_fit(e, single_class), NNL_E_INVALID_ARG, "2 classes");
    nnl_testing_fail_allocation(3);
    expect_misuse(NNL_E_NOMEM, nnl_estimator_fit, e, ds);
    nnl_testing_fail_allocation(0);
    nnl_estimator_free(e);
    nnl_dataset_free(ds);
    nnl_dataset_free(unlabelled);
    nnl_dataset_free(one);
    nnl_dataset_free(nan);
    nnl_dataset_free(single_class);
}

static void misuse_nnl_estimator_predict(void **state)
{
    (void)state;
    nnl_estimator *e, *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    e = fitted(NNL_ESTIMATOR_TREE);
    float x[2] = {0, 1};
    int32_t label;
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict, NULL, x, 1, &label);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict, e, NULL, 1, &label);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict, e, x, 1, NULL);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict, e, x, 0, &label);
    expect_misuse(NNL_E_STATE, nnl_estimator_predict, fresh, x, 1, &label);
    nnl_estimator_free(e);
    nnl_estimator_free(fresh);
}

static void misuse_nnl_estimator_predict_proba(void **state)
{
    (void)state;
    nnl_estimator *e = fitted(NNL_ESTIMATOR_LINEAR_SVM), *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    float x[2] = {0, 1}, probs[2];
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict_proba, NULL, x, 1, probs);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict_proba, e, x, -1, probs);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_predict_proba, e, x, 1, NULL);
    expect_misuse(NNL_E_STATE, nnl_estimator_predict_proba, fresh, x, 1, probs);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_estimator_predict_proba, e, x, 1, probs);
    nnl_estimator_free(e);
    nnl_estimator_free(fresh);
}

static void misuse_nnl_estimator_evaluate(void **state)
{
    (void)state;
    nnl_estimator *e = fitted(NNL_ESTIMATOR_FOREST), *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    nnl_dataset *ds = tiny(), *wide, *more_classes;
    double accuracy;
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_evaluate, NULL, ds, NULL, &accuracy);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_evaluate, e, NULL, NULL, &accuracy);
    expect_misuse(NNL_E_STATE, nnl_estimator_evaluate, fresh, ds, NULL, &accuracy);
    const float x[6] = {0};
    assert_ok(nnl_dataset_create_labeled(&wide, 2, 1, (int64_t[]){3}, x, (int32_t[]){0, 1}));
    expect_misuse(NNL_E_SHAPE, nnl_estimator_evaluate, e, wide, NULL, &accuracy);
    assert_ok(nnl_dataset_create_labeled(&more_classes, 3, 1, (int64_t[]){2}, x, (int32_t[]){0, 1, 2}));
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_evaluate, e, more_classes, NULL, &accuracy);
    nnl_estimator_free(e);
    nnl_estimator_free(fresh);
    nnl_dataset_free(ds);
    nnl_dataset_free(wide);
    nnl_dataset_free(more_classes);
}

static void misuse_nnl_estimator_save(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "missing/e.safetensors");
    nnl_estimator *e = fitted(NNL_ESTIMATOR_SVM), *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_save, NULL, path);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_save, e, NULL);
    expect_misuse(NNL_E_STATE, nnl_estimator_save, fresh, path);
    expect_misuse(NNL_E_IO, nnl_estimator_save, e, path);
    nnl_estimator_free(e);
    nnl_estimator_free(fresh);
    fixture_remove_tree(dir);
}

static void misuse_nnl_estimator_load(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "e.safetensors");
    nnl_estimator *e = (nnl_estimator *)1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_load, NULL, path);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_load, &e, NULL);
    assert_null(e);
    expect_misuse(NNL_E_IO, nnl_estimator_load, &e, path);
    fixture_write_file(path, "garbage", 7);
    expect_misuse(NNL_E_FORMAT, nnl_estimator_load, &e, path);
    nnl_model *m = fixture_cnn(); /* a network model is not an estimator */
    assert_ok(nnl_model_save(m, path, 0));
    nnl_model_free(m);
    assert_status_msg(nnl_estimator_load(&e, path), NNL_E_FORMAT, "not an nnlite estimator");
    assert_null(e);
    fixture_remove_tree(dir);
}

static void misuse_nnl_estimator_kind_of(void **state)
{
    (void)state;
    assert_int_equal(nnl_estimator_kind_of(NULL), -1);
}

static void misuse_nnl_estimator_num_classes(void **state)
{
    (void)state;
    nnl_estimator *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    assert_int_equal(nnl_estimator_num_classes(NULL), 0);
    assert_int_equal(nnl_estimator_num_classes(fresh), 0);
    nnl_estimator_free(fresh);
}

static void misuse_nnl_estimator_num_features(void **state)
{
    (void)state;
    nnl_estimator *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    assert_int_equal(nnl_estimator_num_features(NULL), 0);
    assert_int_equal(nnl_estimator_num_features(fresh), 0);
    nnl_estimator_free(fresh);
}

static void misuse_nnl_estimator_size(void **state)
{
    (void)state;
    nnl_estimator *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    assert_int_equal(nnl_estimator_size(NULL), 0);
    assert_int_equal(nnl_estimator_size(fresh), 0);
    nnl_estimator_free(fresh);
}

static void misuse_nnl_estimator_feature_importances(void **state)
{
    (void)state;
    nnl_estimator *tree = fitted(NNL_ESTIMATOR_TREE), *svm = fitted(NNL_ESTIMATOR_SVM), *fresh;
    assert_ok(nnl_estimator_create(&fresh, NULL));
    float importance[2];
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_feature_importances, NULL, importance, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_feature_importances, tree, NULL, 2);
    expect_misuse(NNL_E_INVALID_ARG, nnl_estimator_feature_importances, tree, importance, 1);
    expect_misuse(NNL_E_STATE, nnl_estimator_feature_importances, fresh, importance, 2);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_estimator_feature_importances, svm, importance, 2);
    nnl_estimator_free(tree);
    nnl_estimator_free(svm);
    nnl_estimator_free(fresh);
}

const misuse_case misuse_estimator_cases[] = {
    MISUSE_CASE(nnl_estimator_create),
    MISUSE_CASE(nnl_estimator_free),
    MISUSE_CASE(nnl_estimator_fit),
    MISUSE_CASE(nnl_estimator_predict),
    MISUSE_CASE(nnl_estimator_predict_proba),
    MISUSE_CASE(nnl_estimator_evaluate),
    MISUSE_CASE(nnl_estimator_save),
    MISUSE_CASE(nnl_estimator_load),
    MISUSE_CASE(nnl_estimator_kind_of),
    MISUSE_CASE(nnl_estimator_num_classes),
    MISUSE_CASE(nnl_estimator_num_features),
    MISUSE_CASE(nnl_estimator_size),
    MISUSE_CASE(nnl_estimator_feature_importances),
    {NULL, NULL},
};
