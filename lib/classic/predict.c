/* Prediction and evaluation for every learner: each learner computes K
 * scores per sample (estimator.h); the label is the first largest.
 * Samples go in blocks over the library's thread pool. */
#include <string.h>

#include "classic/estimator.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"
#include "data/dataset.h"
#include "nnlite/metrics.h"

/* Samples per block: the RBF SVM's kernel rows of a block are one GEMM. */
#define BLOCK 64

typedef struct predict_job {
    const nnl_estimator *e;
    const float *x;
    int64_t count;
    int proba;
    float *scores;   /* parts * rows * K when labels are wanted */
    float *scratch;  /* parts * scratch_size (RBF SVM) */
    int64_t scratch_size;
    int64_t rows;    /* samples per block: BLOCK, or count when smaller */
    int32_t *labels; /* or NULL */
    float *probs;    /* or NULL: count * K, written directly */
} predict_job;

static void block_scores(const nnl_estimator *e, const float *x, int64_t count, int proba, float *out,
                         float *scratch)
{
    if (e->opt.kind == NNL_ESTIMATOR_LINEAR_SVM)
        nnl_linear_svm_scores(e, x, count, out);
    else if (e->opt.kind == NNL_ESTIMATOR_SVM)
        nnl_svm_scores(e, x, count, proba, out, scratch);
    else
        nnl_forest_scores(e, x, count, out);
}

static int32_t argmax(const float *v, int32_t k)
{
    int32_t best = 0;
    for (int32_t c = 1; c < k; c++)
        if (v[c] > v[best])
            best = c;
    return best;
}

static void predict_part(void *ctx, int part, int parts)
{
    predict_job *j = ctx;
    int32_t k = j->e->num_classes;
    int64_t begin, end, f = j->e->num_features;
    nnl_parallel_share(j->count, BLOCK, part, parts, &begin, &end);
    for (int64_t i = begin; i < end; i += BLOCK) {
        int64_t n = end - i < BLOCK ? end - i : BLOCK;
        float *out = j->probs ? j->probs + i * k : j->scores + part * j->rows * k;
        block_scores(j->e, j->x + i * f, n, j->proba, out, j->scratch + part * j->scratch_size);
        for (int64_t r = 0; j->labels && r < n; r++)
            j->labels[i + r] = argmax(out + r * k, k);
    }
}

/* Labels and/or probabilities of count samples. */
static nnl_status run(const nnl_estimator *e, const float *x, int64_t count, int32_t *labels, float *probs,
                      const char *who)
{
    int threads = nnl_estimator_threads(e);
    int64_t blocks = (count + BLOCK - 1) / BLOCK;
    int parts = blocks < threads ? (int)blocks : threads;
    /* sized for the rows a block really has: one image's call should not
     * allocate (and fault in) a whole block's kernel values */
    int64_t rows = count < BLOCK ? count : BLOCK;
    predict_job j = {e, x, count, probs != NULL, NULL, NULL, 0, rows, labels, probs};
    j.scratch_size = e->opt.kind == NNL_ESTIMATOR_SVM ? nnl_svm_scratch_floats(e, rows) : 0;
    j.scores = nnl_alloc(nnl_mul_size3((size_t)parts * (size_t)rows, (size_t)e->num_classes, sizeof(float)));
    j.scratch = nnl_alloc(nnl_mul_size3((size_t)parts, (size_t)j.scratch_size + 1, sizeof(float)));
    nnl_status s = j.scores && j.scratch ? NNL_OK : nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    if (s == NNL_OK)
        nnl_parallel_run(parts, predict_part, &j);
    nnl_dealloc(j.scores);
    nnl_dealloc(j.scratch);
    return s;
}

static nnl_status check_call(const nnl_estimator *e, const void *x, int64_t count, const void *out, const char *who)
{
    NNL_CHECK_PTR(who, e);
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, out);
    if (count < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: count must be >= 1, got %lld", who, (long long)count);
    if (!e->fitted)
        return nnl_error(NNL_E_STATE, "%s: the estimator is not fitted", who);
    return NNL_OK;
}

nnl_status nnl_estimator_predict(const nnl_estimator *estimator, const float *x, int64_t count, int32_t *labels)
{
    NNL_TRY(check_call(estimator, x, count, labels, "nnl_estimator_predict"));
    return run(estimator, x, count, labels, NULL, "nnl_estimator_predict");
}

nnl_status nnl_estimator_predict_proba(const nnl_estimator *estimator, const float *x, int64_t count, float *probs)
{
    const char *who = "nnl_estimator_predict_proba";
    NNL_TRY(check_call(estimator, x, count, probs, who));
    if (estimator->opt.kind == NNL_ESTIMATOR_LINEAR_SVM)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the linear SVM gives no probabilities", who);
    if (estimator->opt.kind == NNL_ESTIMATOR_SVM && !estimator->svm.prob_a)
        return nnl_error(NNL_E_UNSUPPORTED, "%s: the SVM was fitted without probability", who);
    return run(estimator, x, count, NULL, probs, who);
}

static nnl_status check_data(const nnl_estimator *e, const nnl_dataset *data, const char *who)
{
    NNL_CHECK_PTR(who, e);
    NNL_CHECK_PTR(who, data);
    if (!e->fitted)
        return nnl_error(NNL_E_STATE, "%s: the estimator is not fitted", who);
    NNL_TRY(nnl_dataset_check_stored(data, who));
    if (data->num_classes < 1)
        return nnl_error(NNL_E_STATE, "%s: the dataset has no class labels", who);
    if (data->x_size != e->num_features)
        return nnl_error(NNL_E_SHAPE, "%s: samples have %lld features, the estimator %lld", who,
                         (long long)data->x_size, (long long)e->num_features);
    return NNL_OK;
}

nnl_status nnl_estimator_evaluate(const nnl_estimator *estimator, const nnl_dataset *data, int64_t *matrix,
                                  double *accuracy)
{
    const char *who = "nnl_estimator_evaluate";
    NNL_TRY(check_data(estimator, data, who));
    int32_t k = estimator->num_classes;
    int64_t n = data->count, *counts = nnl_alloc(nnl_mul_size3((size_t)k, (size_t)k, sizeof(int64_t)));
    int32_t *truth = nnl_alloc((size_t)n * sizeof(int32_t)), *predicted = nnl_alloc((size_t)n * sizeof(int32_t));
    nnl_status s = NNL_OK;
    if (!counts || !truth || !predicted)
        s = nnl_error(NNL_E_NOMEM, "%s: out of memory", who);
    if (s == NNL_OK)
        s = nnl_dataset_get_labels(data, 0, n, truth);
    if (s == NNL_OK)
        s = run(estimator, data->x, n, predicted, NULL, who);
    if (s == NNL_OK)
        s = nnl_metrics_confusion(truth, predicted, n, k, counts);
    if (s == NNL_OK && matrix)
        memcpy(matrix, counts, (size_t)k * (size_t)k * sizeof(int64_t));
    if (s == NNL_OK && accuracy)
        s = nnl_metrics_report(counts, k, NULL, NULL, NULL, NULL, accuracy);
    nnl_dealloc(counts);
    nnl_dealloc(truth);
    nnl_dealloc(predicted);
    return nnl_error_in(s, who);
}
