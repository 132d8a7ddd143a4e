/* Internal: the nodes of decision trees, as flat arrays (the layout of the
 * file, docs/file-format.md), and the walk from the root to a leaf.
 *
 * Node i is a leaf when feature[i] < 0; otherwise a sample x goes to
 * left[i] when x[feature[i]] <= threshold[i], else to right[i]. Children
 * always come after their parent (i < left[i], right[i]), which both the
 * builder guarantees and the loader checks: a walk therefore ends. value
 * holds K class fractions per node (the leaf's prediction). */
#ifndef NNL_CLASSIC_TREE_NODES_H
#define NNL_CLASSIC_TREE_NODES_H

#include <stdint.h>

#include "nnlite/status.h"

typedef struct nnl_tree_nodes {
    int64_t count, capacity;
    int32_t num_classes;
    int32_t *feature;
    float *threshold;
    int32_t *left, *right;
    float *value; /* count * num_classes */
} nnl_tree_nodes;

/* Empty arrays for `num_classes` classes (nothing allocated yet). */
void nnl_tree_nodes_init(nnl_tree_nodes *t, int32_t num_classes);
void nnl_tree_nodes_free(nnl_tree_nodes *t);
/* Make room for `count` nodes in all; NNL_E_NOMEM beyond 2^24 nodes (the
 * file keeps indices as exact floats) or when memory runs out. */
nnl_status nnl_tree_nodes_reserve(nnl_tree_nodes *t, int64_t count);
/* Append a leaf (feature -1, children -1) with K zero values; its index. */
nnl_status nnl_tree_nodes_add(nnl_tree_nodes *t, int64_t *index);
/* Append all of `src`'s nodes, their child indices shifted by dst->count. */
nnl_status nnl_tree_nodes_append(nnl_tree_nodes *dst, const nnl_tree_nodes *src);
/* The leaf that x reaches from node `root`. */
int64_t nnl_tree_leaf(const nnl_tree_nodes *t, int64_t root, const float *x);

#endif
