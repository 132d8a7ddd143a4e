/**
 * @file nnlite/metrics.h
 * @brief Classification metrics: confusion matrix, precision, recall, F1;
 *        multi-label metrics and per-class threshold tuning.
 *
 * @defgroup metrics Metrics
 * Pure functions on caller arrays; thread-safe.
 *
 * Multi-label results are matrices of count x num_classes bytes, row after
 * row: 1 when the sample has (or is predicted to have) the class, 0 when
 * not. nnl_model_predict_multilabel() writes the predicted ones and
 * nnl_dataset_get_multilabels() reads the true ones.
 * @{
 */
#ifndef NNLITE_METRICS_H
#define NNLITE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/**
 * @brief Count a confusion matrix: matrix[truth * num_classes + predicted].
 * @param truth       @p count true labels in [0, num_classes).
 * @param predicted   @p count predicted labels in [0, num_classes).
 * @param count       number of samples, >= 0.
 * @param num_classes >= 1.
 * @param matrix      receives num_classes * num_classes counts (overwritten).
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a label out of range (the message gives its index).
 */
NNL_API nnl_status nnl_metrics_confusion(const int32_t *truth, const int32_t *predicted, int64_t count,
                                         int32_t num_classes, int64_t *matrix);

/**
 * @brief Per-class precision, recall and F1, their macro averages and accuracy.
 *
 * A class never predicted has precision 0; never present, recall 0 (as
 * scikit-learn's zero_division=0).
 * @param matrix      confusion matrix from nnl_metrics_confusion().
 * @param num_classes >= 1.
 * @param precision   receives num_classes values, or NULL.
 * @param recall      receives num_classes values, or NULL.
 * @param f1          receives num_classes values, or NULL.
 * @param macro       receives 3 values (macro precision, recall, F1), or NULL.
 * @param accuracy    receives the accuracy, or NULL.
 * @return ::NNL_E_INVALID_ARG for a NULL @p matrix, num_classes < 1 or negative counts.
 */
NNL_API nnl_status nnl_metrics_report(const int64_t *matrix, int32_t num_classes, double *precision,
                                      double *recall, double *f1, double *macro, double *accuracy);

/** Averages of nnl_metrics_multilabel(). Initialise with ::NNL_MULTILABEL_REPORT_INIT. */
typedef struct nnl_multilabel_report {
    size_t struct_size;     /**< sizeof(nnl_multilabel_report): the library writes the members within it
                                 (a program built against an older nnlite gets the ones it knows). */
    double subset_accuracy; /**< Samples whose predicted set equals the true set exactly (an empty
                                 prediction of a sample without classes counts as right). */
    double hamming_loss;    /**< Wrong (sample, class) decisions over count * num_classes. */
    double micro_precision; /**< Over all (sample, class) decisions pooled: tp / (tp + fp). */
    double micro_recall;    /**< tp / (tp + fn), pooled. */
    double micro_f1;        /**< 2 tp / (2 tp + fp + fn), pooled. */
    double macro_precision; /**< Unweighted mean over the classes of their precision. */
    double macro_recall;    /**< Mean of the classes' recall. */
    double macro_f1;        /**< Mean of the classes' F1. */
} nnl_multilabel_report;

/** Default ::nnl_multilabel_report: struct_size set, every value 0. */
#define NNL_MULTILABEL_REPORT_INIT { sizeof(nnl_multilabel_report), 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * @brief Multi-label metrics: subset accuracy, Hamming loss, per-class
 *        precision, recall and F1, and their micro and macro averages.
 *
 * As scikit-learn's with zero_division=0: a ratio whose denominator is 0 is
 * 0, so a class never predicted has precision 0, a class never present has
 * recall 0, and one neither present nor predicted has F1 0 (and counts in
 * the macro averages as 0).
 * @param truth       count * num_classes bytes, each 0 or 1: the true sets.
 * @param predicted   count * num_classes bytes, each 0 or 1: the predicted sets.
 * @param count       number of samples, >= 0 (0 gives zeros).
 * @param num_classes 1..65536.
 * @param report      receives the averages (its struct_size set, e.g. by ::NNL_MULTILABEL_REPORT_INIT), or NULL.
 * @param precision   receives num_classes values, or NULL.
 * @param recall      receives num_classes values, or NULL.
 * @param f1          receives num_classes values, or NULL.
 * @param support     receives num_classes counts of samples that have the class, or NULL.
 * @return ::NNL_E_INVALID_ARG for NULL matrices (with count > 0), a bad count or num_classes, a byte
 *         other than 0 or 1 (its sample and class in the message) or a struct_size that is not one of
 *         a version of ::nnl_multilabel_report.
 */
NNL_API nnl_status nnl_metrics_multilabel(const uint8_t *truth, const uint8_t *predicted, int64_t count,
                                          int32_t num_classes, nnl_multilabel_report *report,
                                          double *precision, double *recall, double *f1, int64_t *support);

/**
 * @brief Per-class decision thresholds that maximise each class's F1 on
 *        validation data.
 *
 * For each class, every cut between two distinct probabilities of the
 * validation samples is tried (a sample is predicted to have the class when
 * its probability is >= the threshold); the threshold is the midpoint of
 * the cut with the highest F1. The default 0.5 is kept unless a cut beats
 * its F1 strictly, so each class's F1 on these data (and hence their macro
 * F1) is at least what 0.5 gives; a class without positive samples keeps 0.5.
 * Thresholds come out in [0, 1]; pass them to nnl_model_predict_multilabel().
 * @param probabilities count * num_classes probabilities in [0, 1] (nnl_model_predict_multilabel()).
 * @param truth         count * num_classes bytes, each 0 or 1.
 * @param count         number of samples, >= 1.
 * @param num_classes   1..65536.
 * @param thresholds    receives num_classes thresholds.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a bad count or num_classes, a probability that is
 *         not in [0, 1] or a byte other than 0 or 1 (its sample and class in the message);
 *         ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_metrics_tune_thresholds(const float *probabilities, const uint8_t *truth, int64_t count,
                                               int32_t num_classes, float *thresholds);

NNL_END_DECLS

#endif
/** @} */
