/* Internal: growing one CART tree on binned features (tree_build.c). */
#ifndef NNL_CLASSIC_TREE_BUILD_H
#define NNL_CLASSIC_TREE_BUILD_H

#include <stdint.h>

#include "classic/tree_bins.h"
#include "classic/tree_nodes.h"
#include "core/rng.h"

typedef struct nnl_tree_params {
    int criterion;         /* nnl_criterion */
    int64_t max_depth;     /* 0: no limit */
    int64_t min_split;     /* >= 2 */
    int64_t min_leaf;      /* >= 1 */
    int64_t max_features;  /* features tried per node, 1..f */
    int threads;           /* scans of one large node in parallel when all features are tried */
} nnl_tree_params;

/* Grow a tree into `t` (empty, t->num_classes = K) from the distinct
 * samples idx[0..count) of `b`, labels y in [0, K), each counting
 * weight[sample] >= 1 times (a bootstrap's draws). idx is reordered. The features tried at a node
 * are drawn from `rng` without replacement, past max_features until a valid
 * split turns up. importance (b->f doubles) receives each feature's share of
 * the tree's weighted impurity decrease (summing to 1, or all 0 for a
 * single leaf). NNL_E_NOMEM when memory runs out. */
nnl_status nnl_tree_build(nnl_tree_nodes *t, const nnl_tree_bins *b, const int32_t *y, const int32_t *weight,
                          int32_t K, int32_t *idx, int64_t count, const nnl_tree_params *p, nnl_rng *rng,
                          double *importance);

#endif
