/**
 * @file nnlite/estimator.h
 * @brief Classic learners on the same datasets: linear SVM, RBF SVM, decision tree, random forest.
 *
 * @defgroup estimator Classic estimators
 * One handle type, ::nnl_estimator, for the learners scikit-learn users know
 * as LinearSVC, SVC, DecisionTreeClassifier and RandomForestClassifier. An
 * estimator is created with options, fitted on a labelled ::nnl_dataset
 * (each sample is flattened to its nnl_dataset_sample_shape() product of
 * features), then predicts labels (and, for the tree, the forest and the RBF
 * SVM with nnl_estimator_options::probability, class probabilities),
 * evaluates with the library's metrics (metrics.h), and saves to and loads
 * from a safetensors file (docs/file-format.md) that loading validates as it
 * validates network models.
 *
 * Thread-safety: a fitted or loaded estimator may predict and evaluate from
 * many threads at once; fit, free and load are one thread at a time.
 * @{
 */
#ifndef NNLITE_ESTIMATOR_H
#define NNLITE_ESTIMATOR_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Opaque estimator handle. */
typedef struct nnl_estimator nnl_estimator;

/** The learner an estimator is. */
typedef enum nnl_estimator_kind {
    NNL_ESTIMATOR_LINEAR_SVM = 0, /**< One-vs-rest linear SVM, squared hinge loss, L2 penalty (LinearSVC). */
    NNL_ESTIMATOR_SVM = 1,        /**< One-vs-one SVM with the RBF kernel exp(-gamma |x - y|^2) (SVC). */
    NNL_ESTIMATOR_TREE = 2,       /**< CART decision tree (DecisionTreeClassifier). */
    NNL_ESTIMATOR_FOREST = 3      /**< Random forest of CART trees (RandomForestClassifier). */
} nnl_estimator_kind;

/** Split criterion of the trees. */
typedef enum nnl_criterion {
    NNL_CRITERION_GINI = 0,   /**< Gini impurity 1 - sum p_k^2. */
    NNL_CRITERION_ENTROPY = 1 /**< Entropy -sum p_k log p_k. */
} nnl_criterion;

/** A value of nnl_estimator_options::max_features: the square root of the feature count (rounded down, at least 1). */
#define NNL_MAX_FEATURES_SQRT (-1)
/** A value of nnl_estimator_options::max_features: log2 of the feature count (rounded down, at least 1). */
#define NNL_MAX_FEATURES_LOG2 (-2)

/** Options of nnl_estimator_create(). Initialise with ::NNL_ESTIMATOR_OPTIONS_INIT, then set fields. */
typedef struct nnl_estimator_options {
    size_t struct_size;        /**< sizeof(nnl_estimator_options) (docs/versioning.md). */
    int kind;                  /**< An ::nnl_estimator_kind (default ::NNL_ESTIMATOR_FOREST). */
    double c;                  /**< SVMs: the penalty C > 0 (default 1). */
    double gamma;              /**< RBF SVM: gamma > 0, or 0 for scikit-learn's "scale",
                                    1 / (features * variance of all training values) (default 0). */
    double tolerance;          /**< SVMs: stopping tolerance > 0, or 0 for the learner's default
                                    (1e-4 linear, 1e-3 RBF, as scikit-learn) (default 0). */
    int64_t max_iter;          /**< Linear SVM: passes over the data per class, >= 0, 0 = 1000 (default 0).
                                    RBF SVM: iterations per class pair, 0 = libsvm's max(10^7, 100 x the
                                    pair's samples). */
    int probability;           /**< RBF SVM: nonzero also fits Platt sigmoids on the decision values, so that
                                    nnl_estimator_predict_proba() works (default 0). */
    double cache_mb;           /**< RBF SVM: size of the kernel cache in MiB, >= 1 (default 512). */
    int criterion;             /**< Trees: an ::nnl_criterion (default ::NNL_CRITERION_GINI). */
    int64_t max_depth;         /**< Trees: the deepest a leaf may be, >= 0, 0 = no limit (default 0). */
    int64_t min_samples_split; /**< Trees: a node with fewer samples is a leaf, >= 2 (default 2). */
    int64_t min_samples_leaf;  /**< Trees: every leaf keeps at least this many samples, >= 1 (default 1). */
    int64_t max_features;      /**< Trees: features tried per split: a count >= 1, ::NNL_MAX_FEATURES_SQRT,
                                    ::NNL_MAX_FEATURES_LOG2, or 0 for all (tree) and sqrt (forest) (default 0). */
    int64_t n_estimators;      /**< Forest: number of trees, 1..100000 (default 100). */
    int bootstrap;             /**< Forest: nonzero draws each tree's samples with replacement (default 1). */
    int threads;               /**< Threads of fit, predict and evaluate; 0 = nnl_get_num_threads() (default 0). The
                                    result does not depend on it. */
    uint64_t seed;             /**< Seed of the forest's and the tree's draws and the linear SVM's
                                    order of coordinates (default 42). */
} nnl_estimator_options;

/** Default ::nnl_estimator_options: a forest of 100 Gini trees, C = 1, gamma "scale", seed 42. */
#define NNL_ESTIMATOR_OPTIONS_INIT \
    { sizeof(nnl_estimator_options), NNL_ESTIMATOR_FOREST, 1.0, 0.0, 0.0, 0, 0, 512.0, NNL_CRITERION_GINI, \
      0, 2, 1, 0, 100, 1, 0, 42u }

/**
 * @brief Create an unfitted estimator.
 * @param out     receives the estimator (transferred; free with nnl_estimator_free()). NULL on failure.
 * @param options the options (copied), or NULL for ::NNL_ESTIMATOR_OPTIONS_INIT.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out, a struct_size this library does not know or an option
 *         out of range (the message names it); ::NNL_E_NOMEM when memory runs out.
 */
NNL_API nnl_status nnl_estimator_create(nnl_estimator **out, const nnl_estimator_options *options);

/**
 * @brief Free an estimator.
 * @param estimator the estimator, or NULL (a no-op).
 */
NNL_API void nnl_estimator_free(nnl_estimator *estimator);

/**
 * @brief Fit on a labelled dataset, replacing any earlier fit.
 *
 * Every sample is flattened to a vector of features. The classes are
 * nnl_dataset_num_classes(): a class with no sample is never predicted.
 * @param estimator the estimator.
 * @param train     the training data (borrowed for the call), at least 2 samples.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, fewer than 2 samples or options that do not fit the data
 *         (max_features above the feature count); ::NNL_E_STATE for a dataset without labels;
 *         ::NNL_E_UNSUPPORTED for text windows; ::NNL_E_NUMERIC for a NaN or infinite value in the samples;
 *         ::NNL_E_NOMEM. On failure
 *         the estimator is unfitted.
 */
NNL_API nnl_status nnl_estimator_fit(nnl_estimator *estimator, const nnl_dataset *train);

/**
 * @brief Predict the labels of @p count samples.
 * @param estimator a fitted or loaded estimator.
 * @param x         count * nnl_estimator_num_features() floats, sample after sample (borrowed).
 * @param count     number of samples, >= 1.
 * @param labels    receives @p count class indices.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or count < 1; ::NNL_E_STATE when not fitted.
 */
NNL_API nnl_status nnl_estimator_predict(const nnl_estimator *estimator, const float *x, int64_t count,
                                         int32_t *labels);

/**
 * @brief Class probabilities of @p count samples.
 *
 * Tree: the class fractions of the sample's leaf; forest: their mean over
 * the trees; RBF SVM fitted with nnl_estimator_options::probability set:
 * Platt sigmoids of the pairwise decision values, coupled as libsvm does.
 * @param estimator a fitted or loaded estimator.
 * @param x         count * nnl_estimator_num_features() floats (borrowed).
 * @param count     number of samples, >= 1.
 * @param probs     receives count * nnl_estimator_num_classes() floats, each row summing to 1.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or count < 1; ::NNL_E_STATE when not fitted;
 *         ::NNL_E_UNSUPPORTED for the linear SVM and an RBF SVM fitted without probability.
 */
NNL_API nnl_status nnl_estimator_predict_proba(const nnl_estimator *estimator, const float *x, int64_t count,
                                               float *probs);

/**
 * @brief Confusion matrix and accuracy on a labelled dataset.
 *
 * Pass the matrix to nnl_metrics_report() for precision, recall and F1.
 * @param estimator a fitted or loaded estimator.
 * @param data      the data (borrowed), with the estimator's feature count.
 * @param matrix    receives num_classes^2 counts, matrix[truth * num_classes + predicted], with num_classes
 *                  = nnl_estimator_num_classes(); or NULL.
 * @param accuracy  receives the fraction of samples predicted right, or NULL.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a label the estimator does not know;
 *         ::NNL_E_SHAPE when the sample size differs from the estimator's; ::NNL_E_STATE when not
 *         fitted or the data has no labels; ::NNL_E_UNSUPPORTED for text windows.
 */
NNL_API nnl_status nnl_estimator_evaluate(const nnl_estimator *estimator, const nnl_dataset *data,
                                          int64_t *matrix, double *accuracy);

/**
 * @brief Save a fitted estimator as a safetensors file (docs/file-format.md).
 *
 * The file is written to a temporary file and renamed, so a crash never
 * leaves half a file at @p path.
 * @param estimator a fitted or loaded estimator.
 * @param path      the file (borrowed).
 * @return ::NNL_E_INVALID_ARG for NULL pointers; ::NNL_E_STATE when not fitted; ::NNL_E_IO naming the path.
 */
NNL_API nnl_status nnl_estimator_save(const nnl_estimator *estimator, const char *path);

/**
 * @brief Load an estimator saved by nnl_estimator_save().
 *
 * The file is untrusted: every length, offset, shape, index and value is
 * checked before use (tree children point forward inside their tree,
 * features and classes are in range, numbers are finite), so a damaged or
 * hostile file gives an error, never a crash.
 * @param out  receives the estimator (transferred); NULL on failure.
 * @param path the file (borrowed).
 * @return ::NNL_E_INVALID_ARG for NULL pointers; ::NNL_E_IO when the file cannot be read;
 *         ::NNL_E_FORMAT for a file that is not a valid estimator (the message says why);
 *         ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_estimator_load(nnl_estimator **out, const char *path);

/**
 * @brief The learner of an estimator.
 * @param estimator the estimator.
 * @return an ::nnl_estimator_kind, or -1 when @p estimator is NULL.
 */
NNL_API int nnl_estimator_kind_of(const nnl_estimator *estimator);

/**
 * @brief Number of classes of a fitted estimator.
 * @param estimator the estimator.
 * @return the count, or 0 when not fitted or @p estimator is NULL.
 */
NNL_API int32_t nnl_estimator_num_classes(const nnl_estimator *estimator);

/**
 * @brief Number of features (floats per sample) of a fitted estimator.
 * @param estimator the estimator.
 * @return the count, or 0 when not fitted or @p estimator is NULL.
 */
NNL_API int64_t nnl_estimator_num_features(const nnl_estimator *estimator);

/**
 * @brief Size of the fitted model: support vectors (RBF SVM), nodes (tree, forest) or
 *        weights per class including the bias (linear SVM).
 * @param estimator the estimator.
 * @return the count, or 0 when not fitted or @p estimator is NULL.
 */
NNL_API int64_t nnl_estimator_size(const nnl_estimator *estimator);

/**
 * @brief Feature importances of a tree or forest: each feature's total weighted impurity decrease,
 *        normalised to sum to 1 (per tree, then averaged over the forest, as scikit-learn).
 * @param estimator  a fitted or loaded tree or forest.
 * @param importance receives nnl_estimator_num_features() floats.
 * @param capacity   floats @p importance can hold.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a too small @p capacity; ::NNL_E_STATE when not fitted;
 *         ::NNL_E_UNSUPPORTED for the SVMs.
 */
NNL_API nnl_status nnl_estimator_feature_importances(const nnl_estimator *estimator, float *importance,
                                                     int64_t capacity);

NNL_END_DECLS

#endif
/** @} */
