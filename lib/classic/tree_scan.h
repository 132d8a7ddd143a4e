/* Internal: the best split of a tree node (tree_scan.c), and the
 * workspace the tree builder (tree_build.c) and the scans share. */
#ifndef NNL_CLASSIC_TREE_SCAN_H
#define NNL_CLASSIC_TREE_SCAN_H

#include <stdint.h>

#include "classic/tree_build.h"

typedef struct nnl_tree_split {
    int64_t feature;
    int code;      /* samples with code <= this go left */
    double score;  /* larger is better */
    int found;
    int exact;       /* a feature with kept values (tree_bins.h): */
    float threshold; /* samples with value <= this go left */
    int next_code;   /* else the node's smallest code above `code` (the threshold lies between) */
} nnl_tree_split;

/* The node being split (set by the builder) and the scans' scratch. With
 * several parts, scratch[1 ..] are copies whose scratch arrays are their
 * own and whose other members point at this one's. */
typedef struct nnl_tree_workspace {
    const nnl_tree_bins *b;
    const int32_t *y, *weight; /* per sample of the data */
    int32_t K;
    int64_t node_total;  /* the weight of the node being split */
    const nnl_tree_params *p;
    int parts;           /* scratch[1 .. parts): the other parts of a parallel scan */
    int *varied;         /* f: per feature of a parallel scan, whether it was not constant */
    struct nnl_tree_workspace *scratch;
    int32_t *labels, *weights; /* count: scratch of the scans (the samples' labels and weights in code order) */
    int32_t *node_labels; /* count: the labels of the node's samples, in idx order */
    int32_t *node_weights; /* count: their weights */
    uint8_t *codes;      /* the node's codes of the features being scanned, in idx order */
    struct nnl_tree_value *sorted; /* count, when the bins kept values: a node's values and positions */
    int64_t row_budget;  /* nodes whose rows (samples x features codes) fit this read rows */
    int32_t *hist;       /* NNL_TREE_MAX_BINS * K (code, class) weights */
    int32_t *code_count; /* 4 x NNL_TREE_MAX_BINS: samples per code, per block of the counting sort
                            (all 0 between scans) */
    int64_t *left, *right, *node; /* K class counts */
    int64_t *feat;       /* f: the features, drawn in place */
    double *clogc;       /* total weight + 1: c log c, for entropy */
} nnl_tree_workspace;

/* Allocates w's arrays for `count` samples of total weight `total`, and
 * scratch for `parts` parallel scans (w->b, y, weight, K, p set). */
nnl_status nnl_tree_workspace_alloc(nnl_tree_workspace *w, int64_t count, int64_t total, int parts);
void nnl_tree_workspace_free(nnl_tree_workspace *w);
/* Impurity of total weight n with class weights c (Gini, or entropy in nats). */
double nnl_tree_impurity(const nnl_tree_workspace *w, const int64_t *c, int64_t n);
/* The best split of the node idx[0..n) (w->node, node_total set) over
 * features drawn from rng, past max_features until one splits. *constants:
 * in, the features known constant (the first ones of w->feat); out, with
 * those found constant here added after them. */
nnl_tree_split nnl_tree_find_split(nnl_tree_workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng,
                                   int64_t *constants);

#endif
