/* Internal: the estimator handle (include/nnlite/estimator.h) and the entry
 * points of its learners, one file each in lib/classic/.
 *
 * lib/classic sits above lib/nn in the dependency rule (docs/architecture.md)
 * but uses only core, kernels, data and io: datasets, the safetensors files,
 * the thread pool, the RNG and the SIMD kernel table. */
#ifndef NNL_CLASSIC_ESTIMATOR_H
#define NNL_CLASSIC_ESTIMATOR_H

#include <stdint.h>

#include "classic/tree_nodes.h"
#include "nnlite/estimator.h"

/* The fitted RBF SVM, in libsvm's layout (scikit-learn's SVC attributes):
 * support vectors grouped by class, n_support[k] of class k; dual_coef
 * (K - 1, S): column s holds y_i alpha_i of vector s in each of the K - 1
 * classifiers its class takes part in; intercept (K (K - 1) / 2) per pair
 * (i < j) in the order (0,1), (0,2) .. (1,2) ..; decision > 0 votes for i. */
typedef struct nnl_svm_model {
    int64_t num_sv;
    float *sv;          /* num_sv * F */
    float *sv_norm;     /* num_sv squared norms (derived, not saved) */
    int64_t *start;     /* K + 1: class k's vectors are [start[k], start[k + 1]) */
    float *dual_coef;   /* (K - 1) * num_sv */
    float *intercept;   /* K (K - 1) / 2 */
    float gamma;
    float *prob_a, *prob_b; /* K (K - 1) / 2 each, or NULL without probability */
} nnl_svm_model;

struct nnl_estimator {
    nnl_estimator_options opt; /* validated, today's size */
    int fitted;
    int32_t num_classes;       /* K */
    int64_t num_features;      /* F */
    /* tree and forest */
    nnl_tree_nodes nodes;      /* all trees, one after the other */
    int64_t num_trees;
    int64_t *tree_start;       /* num_trees + 1 node offsets */
    float *importance;         /* F */
    /* linear SVM: rows = K, or 1 for two classes (class 1 against 0) */
    int64_t linear_rows;
    float *coef;               /* linear_rows * F */
    float *bias;               /* linear_rows */
    nnl_svm_model svm;
};

/* Forget the fit (frees its arrays); the options stay. */
void nnl_estimator_reset(nnl_estimator *e);

/* Threads for fit and evaluate: the option, else the library's count. */
int nnl_estimator_threads(const nnl_estimator *e);

/* The learners. x is n * F floats, y n labels in [0, K). Each fills its part
 * of e and leaves the rest; the caller resets e on failure. */
nnl_status nnl_forest_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n);
nnl_status nnl_linear_svm_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n);
nnl_status nnl_svm_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n);

/* Derived arrays of a fitted or loaded RBF SVM (the support vectors'
 * squared norms); NNL_E_NOMEM. */
nnl_status nnl_svm_prepare(nnl_estimator *e);

/* Per-sample scores of `count` samples: votes or probabilities, K per
 * sample (out: count * K), the predicted label being the first largest.
 * Forest: mean leaf fractions; linear SVM: decision values (K == 2: -d, d);
 * RBF SVM: pairwise votes, ties broken by the summed confidences, or Platt
 * probabilities when `proba` and fitted with them. Thread-safe. */
void nnl_forest_scores(const nnl_estimator *e, const float *x, int64_t count, float *out);
void nnl_linear_svm_scores(const nnl_estimator *e, const float *x, int64_t count, float *out);
void nnl_svm_scores(const nnl_estimator *e, const float *x, int64_t count, int proba, float *out, float *scratch);
/* Floats of scratch nnl_svm_scores needs for `count` samples (kernel
 * values, norms, and the coupling's doubles). */
int64_t nnl_svm_scratch_floats(const nnl_estimator *e, int64_t count);

/* Files: as nnl_estimator_load() from a parsed buffer (estimator_io.c),
 * for the fuzz target; `label` names the input in messages. */
nnl_status nnl_estimator_load_from_memory(nnl_estimator **out, const void *bytes, size_t size, const char *label);

#endif
