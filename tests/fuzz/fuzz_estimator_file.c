/* Fuzz target: the estimator loader. The input is a whole safetensors file;
 * it goes through nnl_estimator_load()'s code (nnl_st_file_parse, then the
 * checks and building of estimator_load.c). An estimator that loads is then
 * used: prediction, probabilities and importances on a sample of zeros and
 * one of ones, which walks every tree or evaluates every support vector. */
#include <stdlib.h>

#include "classic/estimator.h"
#include "fuzz_targets.h"
#include "nnlite.h"

/* Prediction only when a sample is small (loading already bounds the rest). */
enum { MAX_FEATURES = 1 << 16 };

static void use_estimator(const nnl_estimator *e)
{
    int64_t f = nnl_estimator_num_features(e);
    int32_t k = nnl_estimator_num_classes(e), labels[2];
    if (f < 1 || k < 1 || nnl_estimator_size(e) < 0)
        abort(); /* a loaded estimator is fitted */
    if (f > MAX_FEATURES)
        return;
    float *x = calloc((size_t)f * 2, sizeof(float)), *probs = malloc(sizeof(float) * 2 * (size_t)k);
    if (!x || !probs)
        abort();
    for (int64_t i = f; i < 2 * f; i++)
        x[i] = 1.0f;
    if (nnl_estimator_predict(e, x, 2, labels) != NNL_OK)
        abort();
    if (labels[0] < 0 || labels[0] >= k || labels[1] < 0 || labels[1] >= k)
        abort();
    int s = nnl_estimator_predict_proba(e, x, 2, probs);
    if (s != NNL_OK)
        fuzz_check_failure(s);
    s = nnl_estimator_feature_importances(e, x, f);
    if (s != NNL_OK)
        fuzz_check_failure(s);
    free(x);
    free(probs);
}

int fuzz_estimator_file(const uint8_t *data, size_t size)
{
    nnl_estimator *e = (nnl_estimator *)1;
    int s = nnl_estimator_load_from_memory(&e, data, size, "fuzz.safetensors");
    if (s != NNL_OK) {
        fuzz_check_failure(s);
        if (e)
            abort();
        return 0;
    }
    if (!e)
        abort();
    use_estimator(e);
    nnl_estimator_free(e);
    return 0;
}
