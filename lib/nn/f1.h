/* Internal: F1 from counts, shared by the multi-label metrics and the
 * training progress so that both report the same number. */
#ifndef NNL_NN_F1_H
#define NNL_NN_F1_H

#include <stdint.h>

/* 2 tp / (2 tp + fp + fn) = harmonic mean of precision and recall; 0 when
 * nothing was predicted nor present (scikit-learn's zero_division=0). */
static inline double nnl_f1_from_counts(int64_t tp, int64_t fp, int64_t fn)
{
    int64_t den = 2 * tp + fp + fn;
    return den > 0 ? 2.0 * (double)tp / (double)den : 0.0;
}

#endif
