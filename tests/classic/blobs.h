/* Test data for the classic learners: k Gaussian-ish blobs in f dimensions
 * (centre of class c: 1.5 on feature c % f, noise uniform in [-1, 1)), from
 * test_fill_random, so every run sees the same data. */
#ifndef NNL_TEST_CLASSIC_BLOBS_H
#define NNL_TEST_CLASSIC_BLOBS_H

#include "test_util.h"

/* n samples of f features and their labels, into caller arrays. */
static inline void blobs_fill(float *x, int32_t *y, int64_t n, int64_t f, int32_t k, uint32_t seed)
{
    test_fill_random(x, n * f, seed);
    for (int64_t i = 0; i < n; i++) {
        y[i] = (int32_t)(i % k);
        x[i * f + y[i] % f] += 1.5f;
    }
}

/* The same as a labelled dataset of samples with shape {f}. */
static inline nnl_dataset *blobs_dataset(int64_t n, int64_t f, int32_t k, uint32_t seed)
{
    float *x = malloc(sizeof(float) * (size_t)(n * f));
    int32_t *y = malloc(sizeof(int32_t) * (size_t)n);
    blobs_fill(x, y, n, f, k, seed);
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_create_labeled(&ds, n, 1, (int64_t[]){f}, x, y));
    free(x);
    free(y);
    return ds;
}

/* An estimator of `kind` with options tweaked by the caller's `o`. */
static inline nnl_estimator *make_estimator(nnl_estimator_options *o, int kind)
{
    o->kind = kind;
    nnl_estimator *e = NULL;
    assert_ok(nnl_estimator_create(&e, o));
    return e;
}

#endif
