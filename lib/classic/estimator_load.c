/* Reading an estimator from a parsed, untrusted safetensors file: the
 * header's counts are bounded, each tensor must have exactly the shape they
 * imply, and each value is checked before the estimator uses it (indices
 * integral and in range, tree children after their parent and inside their
 * tree, numbers finite). The layout is described in estimator_io.c. */
#include <math.h>
#include <string.h>

#include "classic/estimator_file.h"
#include "core/alloc.h"
#include "core/error.h"
#include "io/json.h"

#define MAX_CLASSES ((int64_t)1 << 16)
#define MAX_FEATURES ((int64_t)1 << 24)
#define MAX_COUNT ((int64_t)1 << 24) /* nodes, support vectors: exact as float indices */

typedef struct reader {
    const nnl_st_file *f;
    const char *label;
    int64_t tensors; /* tensors read, to compare with the file's count */
} reader;

/* Tensor `name` of the given shape, its values finite (and >= min when
 * `nonneg`). */
static nnl_status get_floats(reader *r, const char *name, int ndim, const int64_t *dims, int nonneg, const float **out)
{
    NNL_TRY(nnl_st_file_tensor(r->f, name, ndim, dims, out));
    r->tensors++;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    for (int64_t i = 0; i < n; i++)
        if (!isfinite((*out)[i]) || (nonneg && (*out)[i] < 0.0f))
            return nnl_error(NNL_E_FORMAT, "%s: tensor '%s'[%lld] is %g", r->label, name, (long long)i,
                             (double)(*out)[i]);
    return NNL_OK;
}

/* Tensor `name` (n values) as integers in [min, max], into out (n int64). */
static nnl_status get_ints(reader *r, const char *name, int64_t n, int64_t min, int64_t max, int64_t *out)
{
    const float *v;
    NNL_TRY(get_floats(r, name, 1, (int64_t[]){n}, 0, &v));
    for (int64_t i = 0; i < n; i++) {
        if (v[i] != floorf(v[i]) || v[i] < (float)min || v[i] > (float)max)
            return nnl_error(NNL_E_FORMAT, "%s: tensor '%s'[%lld] is %g, not an integer in [%lld, %lld]", r->label,
                             name, (long long)i, (double)v[i], (long long)min, (long long)max);
        out[i] = (int64_t)v[i];
    }
    return NNL_OK;
}

static nnl_status copy_floats(reader *r, const char *name, int ndim, const int64_t *dims, int nonneg, float **out)
{
    const float *v;
    NNL_TRY(get_floats(r, name, ndim, dims, nonneg, &v));
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    NNL_TRY(nnl_alloc_floats(out, n, "nnl_estimator_load"));
    memcpy(*out, v, (size_t)n * sizeof(float));
    return NNL_OK;
}

/* Member `key` of the header as an integer in [min, max]. */
static nnl_status header_int(const reader *r, const nnl_json *h, const char *key, int64_t min, int64_t max,
                             int64_t *out)
{
    const nnl_json *v = nnl_json_get(h, key);
    if (!v || v->kind != NNL_JSON_NUMBER || !nnl_json_int(v, min, max, out))
        return nnl_error(NNL_E_FORMAT, "%s: estimator header needs '%s', an integer in [%lld, %lld]", r->label, key,
                         (long long)min, (long long)max);
    return NNL_OK;
}

/* Node i of the tree [begin, end): a leaf (-1, -1, -1) or a split on a known
 * feature whose children lie in (i, end). */
static nnl_status check_node(const reader *r, int64_t i, int64_t end, const int64_t *feature, const int64_t *left,
                             const int64_t *right)
{
    int ok = feature[i] < 0 ? left[i] == -1 && right[i] == -1
                            : left[i] > i && left[i] < end && right[i] > i && right[i] < end;
    if (!ok)
        return nnl_error(NNL_E_FORMAT, "%s: node %lld (feature %lld) has children %lld, %lld outside (%lld, %lld)",
                         r->label, (long long)i, (long long)feature[i], (long long)left[i], (long long)right[i],
                         (long long)i, (long long)end);
    return NNL_OK;
}

static nnl_status read_structure(reader *r, nnl_estimator *e, int64_t n, int64_t *feature, int64_t *left,
                                 int64_t *right)
{
    int64_t t = e->num_trees;
    NNL_TRY(get_ints(r, "trees.start", t + 1, 0, n, e->tree_start));
    NNL_TRY(get_ints(r, "nodes.feature", n, -1, e->num_features - 1, feature));
    NNL_TRY(get_ints(r, "nodes.left", n, -1, n - 1, left));
    NNL_TRY(get_ints(r, "nodes.right", n, -1, n - 1, right));
    if (e->tree_start[0] != 0 || e->tree_start[t] != n)
        return nnl_error(NNL_E_FORMAT, "%s: trees.start must run from 0 to %lld", r->label, (long long)n);
    for (int64_t k = 0; k < t; k++) {
        if (e->tree_start[k + 1] <= e->tree_start[k])
            return nnl_error(NNL_E_FORMAT, "%s: tree %lld has no node", r->label, (long long)k);
        for (int64_t i = e->tree_start[k]; i < e->tree_start[k + 1]; i++)
            NNL_TRY(check_node(r, i, e->tree_start[k + 1], feature, left, right));
    }
    nnl_tree_nodes *nodes = &e->nodes;
    NNL_TRY(nnl_tree_nodes_reserve(nodes, n));
    nodes->count = n;
    for (int64_t i = 0; i < n; i++) {
        nodes->feature[i] = (int32_t)feature[i];
        nodes->left[i] = (int32_t)left[i];
        nodes->right[i] = (int32_t)right[i];
    }
    return NNL_OK;
}

static nnl_status read_trees(reader *r, nnl_estimator *e, const nnl_json *h)
{
    int64_t n, k = e->num_classes;
    NNL_TRY(header_int(r, h, "num_trees", 1, 100000, &e->num_trees));
    NNL_TRY(header_int(r, h, "num_nodes", e->num_trees, MAX_COUNT, &n));
    const float *v; /* the file holds the nodes before anything is allocated for them */
    NNL_TRY(nnl_st_file_tensor(r->f, "nodes.value", 2, (int64_t[]){n, k}, &v));
    NNL_TRY(nnl_st_file_tensor(r->f, "trees.start", 1, (int64_t[]){e->num_trees + 1}, &v));
    e->tree_start = nnl_alloc((size_t)(e->num_trees + 1) * sizeof(int64_t));
    int64_t *scratch = nnl_alloc((size_t)n * 3 * sizeof(int64_t));
    nnl_tree_nodes_init(&e->nodes, e->num_classes);
    nnl_status s = e->tree_start && scratch ? NNL_OK : nnl_error(NNL_E_NOMEM, "nnl_estimator_load: out of memory");
    if (s == NNL_OK)
        s = read_structure(r, e, n, scratch, scratch + n, scratch + 2 * n);
    nnl_dealloc(scratch);
    NNL_TRY(s);
    NNL_TRY(get_floats(r, "nodes.threshold", 1, (int64_t[]){n}, 0, &v));
    memcpy(e->nodes.threshold, v, (size_t)n * sizeof(float));
    NNL_TRY(get_floats(r, "nodes.value", 2, (int64_t[]){n, k}, 1, &v));
    memcpy(e->nodes.value, v, (size_t)(n * k) * sizeof(float));
    return copy_floats(r, "feature_importances", 1, (int64_t[]){e->num_features}, 1, &e->importance);
}

static nnl_status read_linear(reader *r, nnl_estimator *e)
{
    e->linear_rows = e->num_classes == 2 ? 1 : e->num_classes;
    NNL_TRY(copy_floats(r, "coef", 2, (int64_t[]){e->linear_rows, e->num_features}, 0, &e->coef));
    return copy_floats(r, "intercept", 1, (int64_t[]){e->linear_rows}, 0, &e->bias);
}

static nnl_status read_svm(reader *r, nnl_estimator *e, const nnl_json *h)
{
    nnl_svm_model *m = &e->svm;
    int64_t k = e->num_classes, pairs = k * (k - 1) / 2, probability;
    NNL_TRY(header_int(r, h, "num_support", 0, MAX_COUNT, &m->num_sv));
    NNL_TRY(header_int(r, h, "probability", 0, 1, &probability));
    const nnl_json *g = nnl_json_get(h, "gamma");
    if (!g || g->kind != NNL_JSON_NUMBER || !(g->number > 0.0) || !(g->number < 1e30))
        return nnl_error(NNL_E_FORMAT, "%s: estimator header needs 'gamma', a number > 0", r->label);
    m->gamma = (float)g->number;
    m->start = nnl_alloc((size_t)(k + 1) * sizeof(int64_t));
    if (!m->start)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_load: out of memory");
    m->start[0] = 0;
    NNL_TRY(get_ints(r, "n_support", k, 0, m->num_sv, m->start + 1));
    for (int64_t c = 0; c < k; c++)
        m->start[c + 1] += m->start[c];
    if (m->start[k] != m->num_sv)
        return nnl_error(NNL_E_FORMAT, "%s: n_support adds up to %lld, not num_support %lld", r->label,
                         (long long)m->start[k], (long long)m->num_sv);
    NNL_TRY(copy_floats(r, "support_vectors", 2, (int64_t[]){m->num_sv, e->num_features}, 0, &m->sv));
    NNL_TRY(copy_floats(r, "dual_coef", 2, (int64_t[]){k - 1, m->num_sv}, 0, &m->dual_coef));
    NNL_TRY(copy_floats(r, "intercept", 1, (int64_t[]){pairs}, 0, &m->intercept));
    if (probability) {
        NNL_TRY(copy_floats(r, "prob_a", 1, (int64_t[]){pairs}, 0, &m->prob_a));
        NNL_TRY(copy_floats(r, "prob_b", 1, (int64_t[]){pairs}, 0, &m->prob_b));
    }
    return nnl_svm_prepare(e);
}

static nnl_status read_kind(reader *r, const nnl_json *h, int *kind)
{
    static const char *const names[] = {"linear_svm", "svm", "tree", "forest"};
    const nnl_json *v = nnl_json_get(h, "kind");
    for (int k = 0; v && v->kind == NNL_JSON_STRING && k < 4; k++)
        if (strcmp(v->string, names[k]) == 0) {
            *kind = k;
            return NNL_OK;
        }
    return nnl_error(NNL_E_FORMAT, "%s: estimator header needs 'kind': linear_svm, svm, tree or forest", r->label);
}

static nnl_status read_estimator(reader *r, nnl_estimator *e, const nnl_json *h)
{
    int64_t k;
    NNL_TRY(read_kind(r, h, &e->opt.kind));
    int svm = e->opt.kind == NNL_ESTIMATOR_SVM || e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM;
    NNL_TRY(header_int(r, h, "num_classes", svm ? 2 : 1, MAX_CLASSES, &k));
    NNL_TRY(header_int(r, h, "num_features", 1, MAX_FEATURES, &e->num_features));
    e->num_classes = (int32_t)k;
    if (e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM)
        NNL_TRY(read_linear(r, e));
    else if (e->opt.kind == NNL_ESTIMATOR_SVM)
        NNL_TRY(read_svm(r, e, h));
    else
        NNL_TRY(read_trees(r, e, h));
    if (nnl_st_file_tensor_count(r->f) != r->tensors)
        return nnl_error(NNL_E_FORMAT, "%s: file has %lld tensors, the estimator uses %lld", r->label,
                         (long long)nnl_st_file_tensor_count(r->f), (long long)r->tensors);
    return NNL_OK;
}

nnl_status nnl_estimator_from_file(nnl_estimator *e, const nnl_st_file *f, const char *label)
{
    reader r = {f, label, 0};
    const char *format = nnl_st_file_metadata(f, "format"), *text = nnl_st_file_metadata(f, "nnlite.estimator");
    if (!format || strcmp(format, NNL_ESTIMATOR_FORMAT) != 0 || !text)
        return nnl_error(NNL_E_FORMAT, "%s: not an nnlite estimator (metadata 'format' is '%s')", label,
                         format ? format : "missing");
    nnl_json *h;
    NNL_TRY(nnl_json_parse(&h, text, strlen(text), label));
    nnl_status s = h->kind == NNL_JSON_OBJECT ? read_estimator(&r, e, h)
                                              : nnl_error(NNL_E_FORMAT, "%s: estimator header is not an object", label);
    nnl_json_free(h);
    return s;
}
