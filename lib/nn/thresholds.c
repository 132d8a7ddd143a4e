/* Per-class threshold tuning: for each class, the cut of the validation
 * probabilities (sorted, highest first) whose F1 is highest. Predicting the
 * top k samples of n, of which tp_k are positive, out of P positives, gives
 * F1 = 2 tp_k / (k + P): one pass over the sorted samples tries every cut. */
#include "nnlite/metrics.h"

#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"
#include "nn/f1.h"
#include "nn/metrics_multilabel.h"

static const float DEFAULT_THRESHOLD = 0.5f;

typedef struct scored {
    float p;
    uint8_t positive;
} scored;

static int by_probability_descending(const void *a, const void *b)
{
    float pa = ((const scored *)a)->p, pb = ((const scored *)b)->p;
    return (pa < pb) - (pa > pb);
}

/* A threshold that keeps `above` (predicted) and drops `below` < above:
 * their midpoint, or `above` itself when the midpoint rounds to `below`. */
static float between(float above, float below)
{
    float mid = 0.5f * above + 0.5f * below;
    return mid > below ? mid : above;
}

/* The best threshold of one class whose n samples are sorted highest first. */
static float tune_class(const scored *s, int64_t n)
{
    int64_t positives = 0, predicted_at_default = 0, tp_at_default = 0;
    for (int64_t i = 0; i < n; i++) {
        positives += s[i].positive;
        predicted_at_default += s[i].p >= DEFAULT_THRESHOLD;
        tp_at_default += s[i].positive && s[i].p >= DEFAULT_THRESHOLD;
    }
    double best = nnl_f1_from_counts(tp_at_default, predicted_at_default - tp_at_default, positives - tp_at_default);
    float threshold = DEFAULT_THRESHOLD;
    int64_t tp = 0;
    for (int64_t k = 1; k <= n; k++) { /* predict s[0 .. k) */
        tp += s[k - 1].positive;
        if (k < n && s[k].p == s[k - 1].p)
            continue; /* not a cut: equal probabilities fall on one side */
        double f1 = nnl_f1_from_counts(tp, k - tp, positives - tp);
        if (f1 > best) {
            best = f1;
            threshold = k < n ? between(s[k - 1].p, s[k].p) : s[n - 1].p;
        }
    }
    return threshold;
}

static nnl_status check_probabilities(const float *p, int64_t count, int32_t classes, const char *who)
{
    for (int64_t i = 0; i < count * classes; i++)
        if (!(p[i] >= 0.0f && p[i] <= 1.0f))
            return nnl_error(NNL_E_INVALID_ARG, "%s: probabilities[%lld][%lld]=%g, expected [0, 1]", who,
                             (long long)(i / classes), (long long)(i % classes), (double)p[i]);
    return NNL_OK;
}

nnl_status nnl_metrics_tune_thresholds(const float *probabilities, const uint8_t *truth, int64_t count,
                                       int32_t num_classes, float *thresholds)
{
    static const char who[] = "nnl_metrics_tune_thresholds";
    NNL_CHECK_PTR(who, probabilities);
    NNL_CHECK_PTR(who, truth);
    NNL_CHECK_PTR(who, thresholds);
    NNL_TRY(nnl_multilabel_check_sizes(count, num_classes, 1, who));
    NNL_TRY(check_probabilities(probabilities, count, num_classes, who));
    NNL_TRY(nnl_multilabel_check(truth, count, num_classes, who, "truth"));
    scored *s = nnl_alloc(nnl_mul_size((size_t)count, sizeof *s));
    if (!s)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for %lld samples", who, (long long)count);
    for (int32_t c = 0; c < num_classes; c++) {
        for (int64_t i = 0; i < count; i++)
            s[i] = (scored){probabilities[i * num_classes + c], truth[i * num_classes + c]};
        qsort(s, (size_t)count, sizeof *s, by_probability_descending);
        thresholds[c] = tune_class(s, count);
    }
    nnl_dealloc(s);
    return NNL_OK;
}
