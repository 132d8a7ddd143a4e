/* Confusion matrix and per-class precision / recall / F1. */
#include "nnlite/metrics.h"

#include <string.h>

#include "core/error.h"

nnl_status nnl_metrics_confusion(const int32_t *truth, const int32_t *predicted, int64_t count, int32_t num_classes,
                                 int64_t *matrix)
{
    NNL_CHECK_PTR("nnl_metrics_confusion", matrix);
    if (count < 0 || num_classes < 1 || num_classes > 65536)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_metrics_confusion: count=%lld num_classes=%d out of range",
                         (long long)count, num_classes);
    if (count > 0) {
        NNL_CHECK_PTR("nnl_metrics_confusion", truth);
        NNL_CHECK_PTR("nnl_metrics_confusion", predicted);
    }
    memset(matrix, 0, (size_t)num_classes * (size_t)num_classes * sizeof *matrix);
    for (int64_t i = 0; i < count; i++) {
        if (truth[i] < 0 || truth[i] >= num_classes || predicted[i] < 0 || predicted[i] >= num_classes)
            return nnl_error(NNL_E_INVALID_ARG, "nnl_metrics_confusion: sample %lld has truth=%d predicted=%d, "
                             "expected [0, %d)", (long long)i, truth[i], predicted[i], num_classes);
        matrix[(int64_t)truth[i] * num_classes + predicted[i]]++;
    }
    return NNL_OK;
}

static double ratio(int64_t num, int64_t den) { return den > 0 ? (double)num / (double)den : 0.0; }

nnl_status nnl_metrics_report(const int64_t *matrix, int32_t num_classes, double *precision, double *recall,
                              double *f1, double *macro, double *accuracy)
{
    NNL_CHECK_PTR("nnl_metrics_report", matrix);
    if (num_classes < 1 || num_classes > 65536)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_metrics_report: num_classes=%d", num_classes);
    double sum_p = 0, sum_r = 0, sum_f = 0;
    int64_t total = 0, correct = 0;
    for (int32_t c = 0; c < num_classes; c++) {
        int64_t tp = matrix[(int64_t)c * num_classes + c], predicted = 0, actual = 0;
        for (int32_t o = 0; o < num_classes; o++) {
            predicted += matrix[(int64_t)o * num_classes + c];
            actual += matrix[(int64_t)c * num_classes + o];
        }
        if (tp < 0 || predicted < tp || actual < tp)
            return nnl_error(NNL_E_INVALID_ARG, "nnl_metrics_report: class %d has negative or inconsistent counts", c);
        double p = ratio(tp, predicted), r = ratio(tp, actual), f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
        if (precision) precision[c] = p;
        if (recall) recall[c] = r;
        if (f1) f1[c] = f;
        sum_p += p;
        sum_r += r;
        sum_f += f;
        total += actual;
        correct += tp;
    }
    if (macro) {
        macro[0] = sum_p / num_classes;
        macro[1] = sum_r / num_classes;
        macro[2] = sum_f / num_classes;
    }
    if (accuracy)
        *accuracy = ratio(correct, total);
    return NNL_OK;
}
