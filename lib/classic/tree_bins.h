/* Internal: features binned to byte codes for the tree builder.
 *
 * Each feature's values are sorted once per fit; a feature with at most 256
 * distinct values gets one code per value (so the splits are exactly
 * CART's, thresholds midway between neighbouring values, as scikit-learn
 * puts them), a feature with more is cut into at most 256 bins of about
 * equal counts at the boundaries between distinct values (the splits are
 * then the best among those 255 thresholds). Codes keep the order of the
 * values: code(a) <= code(b) when a <= b, and a sample goes left of the
 * split "code <= c" exactly when its value is <= edge[c]. */
#ifndef NNL_CLASSIC_TREE_BINS_H
#define NNL_CLASSIC_TREE_BINS_H

#include <stdint.h>

#include "nnlite/status.h"

#define NNL_TREE_MAX_BINS 256

typedef struct nnl_tree_bins {
    int64_t n, f;      /* samples, features */
    uint8_t *code;     /* f * n, feature after feature (a node's scan reads one column) */
    float *edge;       /* f * (NNL_TREE_MAX_BINS - 1): edge[c] is between bins c and c + 1 */
} nnl_tree_bins;

/* Bin x (n * f floats, sample after sample), the features spread over
 * `threads` parts of the pool. NNL_E_NOMEM when memory runs out. */
nnl_status nnl_tree_bins_build(nnl_tree_bins *b, const float *x, int64_t n, int64_t f, int threads);
void nnl_tree_bins_free(nnl_tree_bins *b);

#endif
