/* Multi-label metrics: per-class counts of true positives, false positives
 * and false negatives over count x classes decisions, and what follows from
 * them (subset accuracy, Hamming loss, per-class and averaged precision,
 * recall and F1). */
#include "nnlite/metrics.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "nn/f1.h"
#include "nn/metrics_multilabel.h"

enum { MAX_CLASSES = 65536 };

static double ratio(int64_t num, int64_t den) { return den > 0 ? (double)num / (double)den : 0.0; }

nnl_status nnl_multilabel_check(const uint8_t *bytes, int64_t count, int32_t num_classes, const char *who,
                                const char *what)
{
    for (int64_t i = 0; i < count * num_classes; i++)
        if (bytes[i] > 1)
            return nnl_error(NNL_E_INVALID_ARG, "%s: %s[%lld][%lld]=%u, expected 0 or 1", who, what,
                             (long long)(i / num_classes), (long long)(i % num_classes), bytes[i]);
    return NNL_OK;
}

nnl_status nnl_multilabel_check_sizes(int64_t count, int32_t num_classes, int64_t min_count, const char *who)
{
    if (count < min_count || num_classes < 1 || num_classes > MAX_CLASSES)
        return nnl_error(NNL_E_INVALID_ARG, "%s: count=%lld num_classes=%d, expected count >= %lld and "
                         "1..%d classes", who, (long long)count, num_classes, (long long)min_count, MAX_CLASSES);
    return NNL_OK;
}

/* Per-class counts (each num_classes long, zeroed here) and the samples
 * whose every class is right. */
static int64_t count_decisions(const uint8_t *truth, const uint8_t *predicted, int64_t count, int32_t classes,
                               int64_t *tp, int64_t *fp, int64_t *fn)
{
    memset(tp, 0, (size_t)classes * sizeof *tp);
    memset(fp, 0, (size_t)classes * sizeof *fp);
    memset(fn, 0, (size_t)classes * sizeof *fn);
    int64_t exact = 0;
    for (int64_t i = 0; i < count; i++) {
        const uint8_t *t = truth + i * classes, *p = predicted + i * classes;
        int all_right = 1;
        for (int32_t c = 0; c < classes; c++) {
            tp[c] += t[c] && p[c];
            fp[c] += !t[c] && p[c];
            fn[c] += t[c] && !p[c];
            all_right &= t[c] == p[c];
        }
        exact += all_right;
    }
    return exact;
}

/* Per-class values into the caller's arrays and the averages into *r. */
static void summarise(const int64_t *tp, const int64_t *fp, const int64_t *fn, int64_t count, int32_t classes,
                      int64_t exact, nnl_multilabel_report *r, double *precision, double *recall, double *f1,
                      int64_t *support)
{
    int64_t sum_tp = 0, sum_fp = 0, sum_fn = 0;
    double sum_p = 0, sum_r = 0, sum_f = 0;
    for (int32_t c = 0; c < classes; c++) {
        double p = ratio(tp[c], tp[c] + fp[c]), q = ratio(tp[c], tp[c] + fn[c]);
        double f = nnl_f1_from_counts(tp[c], fp[c], fn[c]);
        if (precision) precision[c] = p;
        if (recall) recall[c] = q;
        if (f1) f1[c] = f;
        if (support) support[c] = tp[c] + fn[c];
        sum_p += p;
        sum_r += q;
        sum_f += f;
        sum_tp += tp[c];
        sum_fp += fp[c];
        sum_fn += fn[c];
    }
    r->subset_accuracy = ratio(exact, count);
    r->hamming_loss = ratio(sum_fp + sum_fn, count * classes);
    r->micro_precision = ratio(sum_tp, sum_tp + sum_fp);
    r->micro_recall = ratio(sum_tp, sum_tp + sum_fn);
    r->micro_f1 = nnl_f1_from_counts(sum_tp, sum_fp, sum_fn);
    r->macro_precision = sum_p / classes;
    r->macro_recall = sum_r / classes;
    r->macro_f1 = sum_f / classes;
}

nnl_status nnl_metrics_multilabel(const uint8_t *truth, const uint8_t *predicted, int64_t count,
                                  int32_t num_classes, nnl_multilabel_report *report, double *precision,
                                  double *recall, double *f1, int64_t *support)
{
    static const char who[] = "nnl_metrics_multilabel";
    NNL_TRY(nnl_multilabel_check_sizes(count, num_classes, 0, who));
    if (count > 0) {
        NNL_CHECK_PTR(who, truth);
        NNL_CHECK_PTR(who, predicted);
        NNL_TRY(nnl_multilabel_check(truth, count, num_classes, who, "truth"));
        NNL_TRY(nnl_multilabel_check(predicted, count, num_classes, who, "predicted"));
    }
    int64_t *counts = nnl_alloc(3 * (size_t)num_classes * sizeof *counts);
    if (!counts)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for %d classes", who, num_classes);
    int64_t *tp = counts, *fp = counts + num_classes, *fn = counts + 2 * num_classes;
    int64_t exact = count_decisions(truth, predicted, count, num_classes, tp, fp, fn);
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    summarise(tp, fp, fn, count, num_classes, exact, &r, precision, recall, f1, support);
    nnl_dealloc(counts);
    if (report)
        return NNL_OPTIONS_WRITE(nnl_multilabel_report, NNL_MULTILABEL_REPORT_INIT,
                                 NNL_MULTILABEL_REPORT_MIN_SIZE, report, &r, who);
    return NNL_OK;
}
