/* Internal: features binned to byte codes for the tree builder.
 *
 * Each feature's values are sorted once per fit; a feature with at most 256
 * distinct values gets one code per value (so the splits are exactly
 * CART's). A feature with more keeps its values (`values`): its splits come
 * from sorting them in each node, exact CART too. (It also gets codes, 256
 * bins of about equal counts, which only fill the row copy's places.)
 * Codes keep the order of the
 * values: code(a) <= code(b) when a <= b. A split "code <= c" of a node
 * whose next code present is c' becomes the threshold midway between the
 * largest value of bin c and the smallest of bin c', as scikit-learn puts
 * it between the node's neighbouring values. */
#ifndef NNL_CLASSIC_TREE_BINS_H
#define NNL_CLASSIC_TREE_BINS_H

#include <stdint.h>

#include "nnlite/status.h"

#define NNL_TREE_MAX_BINS 256

typedef struct nnl_tree_bins {
    int64_t n, f;      /* samples, features */
    uint8_t *code;     /* f * n, feature after feature (a large node's scan reads one column) */
    uint8_t *row_code; /* n * f, the same codes sample after sample (a small node reads its rows) */
    float *lo, *hi;    /* f * NNL_TREE_MAX_BINS: the smallest and largest value of each bin */
    int64_t *value_col; /* f: the column of `values` of a feature with more distinct values
                           than codes, else -1 */
    float *values;     /* those features' values, n each, or NULL when there are none */
} nnl_tree_bins;

/* Bin x (n * f floats, sample after sample), the features spread over
 * `threads` parts of the pool. NNL_E_NOMEM when memory runs out. */
nnl_status nnl_tree_bins_build(nnl_tree_bins *b, const float *x, int64_t n, int64_t f, int threads);
void nnl_tree_bins_free(nnl_tree_bins *b);
/* The threshold between a bin's largest value lo and a later bin's
 * smallest hi: their midpoint, or lo when the midpoint rounds up to hi (so
 * that lo <= threshold < hi). */
float nnl_tree_bins_threshold(float lo, float hi);

#endif
