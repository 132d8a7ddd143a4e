/**
 * @file nnlite/metrics.h
 * @brief Classification metrics: confusion matrix, precision, recall, F1.
 *
 * @defgroup metrics Metrics
 * Pure functions on caller arrays; thread-safe.
 * @{
 */
#ifndef NNLITE_METRICS_H
#define NNLITE_METRICS_H

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

NNL_END_DECLS

#endif
/** @} */
