/* Saving and loading estimators as safetensors files (docs/file-format.md).
 *
 * Metadata: format "nnlite.estimator", nnlite.version, and nnlite.estimator,
 * JSON {"kind": "linear_svm" | "svm" | "tree" | "forest", "num_classes": K,
 * "num_features": F, and per kind "num_trees", "num_nodes" | "num_support",
 * "gamma", "probability"}. Tensors (float32; indices as exact floats):
 *   tree, forest: trees.start (T + 1), nodes.feature, nodes.threshold,
 *                 nodes.left, nodes.right (N), nodes.value (N, K),
 *                 feature_importances (F)
 *   linear SVM:   coef (R, F), intercept (R), R = K or 1 for two classes
 *   RBF SVM:      support_vectors (S, F), n_support (K), dual_coef (K - 1, S),
 *                 intercept (P), and with probability prob_a, prob_b (P),
 *                 P = K (K - 1) / 2
 * Loading trusts nothing: the counts in the metadata are bounded, every
 * tensor must have exactly the shape they imply (so it lies inside the file
 * before anything is allocated for it), and every index and number is
 * checked (estimator_check.c) before the estimator is built. */
#include <stdio.h>
#include <string.h>

#include "classic/estimator.h"
#include "classic/estimator_file.h"
#include "core/alloc.h"
#include "core/error.h"
#include "io/strbuf.h"
#include "nnlite/version.h"

static const char *const kind_names[] = {"linear_svm", "svm", "tree", "forest"};

static void write_header(const nnl_estimator *e, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, "{\"kind\":\"%s\",\"num_classes\":%d,\"num_features\":%lld", kind_names[e->opt.kind],
                      (int)e->num_classes, (long long)e->num_features);
    if (e->opt.kind == NNL_ESTIMATOR_SVM)
        nnl_strbuf_printf(json, ",\"num_support\":%lld,\"gamma\":%.9g,\"probability\":%d", (long long)e->svm.num_sv,
                          (double)e->svm.gamma, e->svm.prob_a != NULL);
    else if (e->opt.kind != NNL_ESTIMATOR_LINEAR_SVM)
        nnl_strbuf_printf(json, ",\"num_trees\":%lld,\"num_nodes\":%lld", (long long)e->num_trees,
                          (long long)e->nodes.count);
    nnl_strbuf_puts(json, "}");
}

/* Integer arrays go into the file as floats: the copies live in `ints`
 * until the file is written. */
typedef struct int_copies {
    float *data[5];
    int count;
} int_copies;

static nnl_status add_ints32(nnl_st_writer *w, int_copies *c, const char *name, const int32_t *v, int64_t n)
{
    float *f;
    NNL_TRY(nnl_alloc_floats(&f, n, "nnl_estimator_save"));
    c->data[c->count++] = f;
    for (int64_t i = 0; i < n; i++)
        f[i] = (float)v[i];
    return nnl_st_writer_add_tensor(w, name, 1, (int64_t[]){n}, f);
}

static nnl_status add_ints64(nnl_st_writer *w, int_copies *c, const char *name, const int64_t *v, int64_t n,
                             int differences)
{
    float *f;
    NNL_TRY(nnl_alloc_floats(&f, n, "nnl_estimator_save"));
    c->data[c->count++] = f;
    for (int64_t i = 0; i < n; i++)
        f[i] = (float)(differences ? v[i + 1] - v[i] : v[i]);
    return nnl_st_writer_add_tensor(w, name, 1, (int64_t[]){n}, f);
}

static nnl_status add_trees(const nnl_estimator *e, nnl_st_writer *w, int_copies *c)
{
    const nnl_tree_nodes *t = &e->nodes;
    int64_t n = t->count, k = e->num_classes;
    NNL_TRY(add_ints64(w, c, "trees.start", e->tree_start, e->num_trees + 1, 0));
    NNL_TRY(add_ints32(w, c, "nodes.feature", t->feature, n));
    NNL_TRY(nnl_st_writer_add_tensor(w, "nodes.threshold", 1, (int64_t[]){n}, t->threshold));
    NNL_TRY(add_ints32(w, c, "nodes.left", t->left, n));
    NNL_TRY(add_ints32(w, c, "nodes.right", t->right, n));
    NNL_TRY(nnl_st_writer_add_tensor(w, "nodes.value", 2, (int64_t[]){n, k}, t->value));
    return nnl_st_writer_add_tensor(w, "feature_importances", 1, (int64_t[]){e->num_features}, e->importance);
}

static nnl_status add_svm(const nnl_estimator *e, nnl_st_writer *w, int_copies *c)
{
    const nnl_svm_model *m = &e->svm;
    int64_t k = e->num_classes, pairs = k * (k - 1) / 2;
    NNL_TRY(nnl_st_writer_add_tensor(w, "support_vectors", 2, (int64_t[]){m->num_sv, e->num_features}, m->sv));
    NNL_TRY(add_ints64(w, c, "n_support", m->start, k, 1));
    NNL_TRY(nnl_st_writer_add_tensor(w, "dual_coef", 2, (int64_t[]){k - 1, m->num_sv}, m->dual_coef));
    NNL_TRY(nnl_st_writer_add_tensor(w, "intercept", 1, (int64_t[]){pairs}, m->intercept));
    if (m->prob_a) {
        NNL_TRY(nnl_st_writer_add_tensor(w, "prob_a", 1, (int64_t[]){pairs}, m->prob_a));
        NNL_TRY(nnl_st_writer_add_tensor(w, "prob_b", 1, (int64_t[]){pairs}, m->prob_b));
    }
    return NNL_OK;
}

static nnl_status fill_writer(const nnl_estimator *e, nnl_st_writer *w, nnl_strbuf *json, int_copies *c)
{
    NNL_TRY(nnl_st_writer_add_metadata(w, "format", NNL_ESTIMATOR_FORMAT));
    NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.version", NNL_VERSION_STRING));
    write_header(e, json);
    NNL_TRY(nnl_strbuf_status(json, "nnl_estimator_save"));
    NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.estimator", json->data));
    if (e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM) {
        NNL_TRY(nnl_st_writer_add_tensor(w, "coef", 2, (int64_t[]){e->linear_rows, e->num_features}, e->coef));
        return nnl_st_writer_add_tensor(w, "intercept", 1, (int64_t[]){e->linear_rows}, e->bias);
    }
    return e->opt.kind == NNL_ESTIMATOR_SVM ? add_svm(e, w, c) : add_trees(e, w, c);
}

nnl_status nnl_estimator_save(const nnl_estimator *estimator, const char *path)
{
    const char *who = "nnl_estimator_save";
    NNL_CHECK_PTR(who, estimator);
    NNL_CHECK_PTR(who, path);
    if (!estimator->fitted)
        return nnl_error(NNL_E_STATE, "%s: the estimator is not fitted", who);
    nnl_st_writer *w;
    NNL_TRY(nnl_error_in(nnl_st_writer_create(&w), who));
    nnl_strbuf json;
    nnl_strbuf_init(&json);
    int_copies copies = {{NULL}, 0};
    nnl_status s = fill_writer(estimator, w, &json, &copies);
    if (s == NNL_OK)
        s = nnl_st_writer_save(w, path);
    for (int i = 0; i < copies.count; i++)
        nnl_dealloc(copies.data[i]);
    nnl_strbuf_free(&json);
    nnl_st_writer_free(w);
    return nnl_error_in(s, who);
}

/* ------------------------------------------------------------------ load */

static nnl_status load_parsed(nnl_estimator **out, const nnl_st_file *f, const char *label)
{
    nnl_estimator *e = NULL;
    nnl_status s = nnl_estimator_create(&e, NULL);
    if (s == NNL_OK)
        s = nnl_estimator_from_file(e, f, label);
    if (s != NNL_OK) {
        nnl_estimator_free(e);
        return s;
    }
    e->fitted = 1;
    *out = e;
    return NNL_OK;
}

nnl_status nnl_estimator_load(nnl_estimator **out, const char *path)
{
    NNL_CHECK_PTR("nnl_estimator_load", out);
    *out = NULL;
    NNL_CHECK_PTR("nnl_estimator_load", path);
    nnl_st_file *f;
    nnl_status s = nnl_st_file_load(&f, path);
    if (s == NNL_OK) {
        s = load_parsed(out, f, path);
        nnl_st_file_free(f);
    }
    return nnl_error_in(s, "nnl_estimator_load");
}

nnl_status nnl_estimator_load_from_memory(nnl_estimator **out, const void *bytes, size_t size, const char *label)
{
    *out = NULL;
    nnl_st_file *f;
    nnl_status s = nnl_st_file_parse(&f, bytes, size, label);
    if (s == NNL_OK) {
        s = load_parsed(out, f, label);
        nnl_st_file_free(f);
    }
    return nnl_error_in(s, "nnl_estimator_load");
}
