/* Growing one CART tree (tree_build.h), depth first.
 *
 * A node's samples are a range of idx; its best split comes from
 * tree_scan.c. The builder keeps the pending nodes on a stack (right child
 * pushed first, so that the left one is numbered first and every child
 * comes after its parent), partitions a split node's range in place
 * keeping the order on each side, writes the leaf values (weighted class
 * fractions) and charges each split's weighted impurity decrease to its
 * feature for the importances.
 *
 * Samples carry integer weights, as scikit-learn's bootstrap does: a forest
 * tree sees each drawn sample once with its number of draws. min_samples_split
 * and min_samples_leaf count samples, as scikit-learn's do. */
#include <math.h>
#include <string.h>

#include "classic/tree_scan.h"
#include "core/alloc.h"
#include "core/error.h"

/* Below this impurity a node is pure (scikit-learn's EPSILON). */
#define PURE 1e-7

/* A node waiting to be built: its samples idx[start, end), and `constants`,
 * how many features (w->feat[0 .. constants)) an ancestor found constant:
 * they are constant here too and are not scanned again (scikit-learn keeps
 * the same list). */
typedef struct pending {
    int64_t start, end, depth, parent;
    int is_left;
    int64_t constants;
} pending;

/* Moves the samples of idx[0..n) that go left to the front, keeping the
 * order on each side; returns how many go left. */
static int64_t partition(nnl_tree_workspace *w, int32_t *idx, int64_t n, const nnl_tree_split *s)
{
    /* a node that read its rows reads them again: they are in cache, its column is not */
    int rows = n * w->b->f <= w->row_budget;
    const uint8_t *code = rows ? w->b->row_code + s->feature : w->b->code + s->feature * w->b->n;
    int64_t stride = rows ? w->b->f : 1;
    const float *values = s->exact ? w->b->values + w->b->value_col[s->feature] * w->b->n : NULL;
    int32_t *right = (int32_t *)w->labels; /* free again after the scan */
    int64_t nl = 0, nr = 0;
    for (int64_t j = 0; j < n; j++) {
        if (values ? values[idx[j]] <= s->threshold : code[idx[j] * stride] <= s->code)
            idx[nl++] = idx[j];
        else
            right[nr++] = idx[j];
    }
    memcpy(idx + nl, right, (size_t)nr * sizeof *idx);
    return nl;
}

/* Class weights of the samples idx[0..n) into counts (K); returns their sum. */
static int64_t count_classes(const nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t *counts)
{
    int64_t total = 0;
    memset(counts, 0, (size_t)w->K * sizeof *counts);
    for (int64_t j = 0; j < n; j++) {
        counts[w->y[idx[j]]] += w->weight[idx[j]];
        total += w->weight[idx[j]];
    }
    return total;
}

/* Adds node `i` for the pending range and links it to its parent; fills
 * w->node with its class counts and its value with their fractions. */
static nnl_status add_node(nnl_tree_workspace *w, nnl_tree_nodes *t, const int32_t *idx, const pending *p, int64_t *i)
{
    NNL_TRY(nnl_tree_nodes_add(t, i));
    if (p->parent >= 0)
        (p->is_left ? t->left : t->right)[p->parent] = (int32_t)*i;
    w->node_total = count_classes(w, idx + p->start, p->end - p->start, w->node);
    for (int32_t k = 0; k < w->K; k++)
        t->value[*i * w->K + k] = (float)((double)w->node[k] / (double)w->node_total);
    return NNL_OK;
}

/* Whether the node must stay a leaf before any split is searched. */
static int stays_leaf(const nnl_tree_workspace *w, const pending *p, double node_impurity)
{
    int64_t n = p->end - p->start;
    return n < w->p->min_split || n < 2 * w->p->min_leaf || (w->p->max_depth > 0 && p->depth >= w->p->max_depth) ||
           node_impurity <= PURE;
}

/* The threshold of split s: midway between the largest value of the
 * left's last bin and the smallest of the right's first (a split on kept
 * values has its own). */
static float split_threshold(const nnl_tree_workspace *w, const nnl_tree_split *s)
{
    if (s->exact)
        return s->threshold;
    const float *lo = w->b->lo + s->feature * NNL_TREE_MAX_BINS, *hi = w->b->hi + s->feature * NNL_TREE_MAX_BINS;
    return nnl_tree_bins_threshold(hi[s->code], lo[s->next_code]);
}

/* Splits node i of t as s says, charges the impurity decrease to the
 * feature and queues the two children. */
static void split_node(nnl_tree_workspace *w, nnl_tree_nodes *t, int32_t *idx, const pending *p, int64_t i,
                       const nnl_tree_split *s, double node_impurity, double *importance, pending *stack, int64_t *top)
{
    int64_t n = p->end - p->start, nl = partition(w, idx + p->start, n, s);
    t->feature[i] = (int32_t)s->feature;
    t->threshold[i] = split_threshold(w, s);
    int64_t wl = count_classes(w, idx + p->start, nl, w->left);
    int64_t wr = count_classes(w, idx + p->start + nl, n - nl, w->right);
    importance[s->feature] += (double)w->node_total * node_impurity - (double)wl * nnl_tree_impurity(w, w->left, wl) -
                              (double)wr * nnl_tree_impurity(w, w->right, wr);
    /* right first, so that the left child is taken (and numbered) first */
    stack[(*top)++] = (pending){p->start + nl, p->end, p->depth + 1, i, 0, p->constants};
    stack[(*top)++] = (pending){p->start, p->start + nl, p->depth + 1, i, 1, p->constants};
}

static void normalise(double *v, int64_t n)
{
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += v[i];
    for (int64_t i = 0; sum > 0.0 && i < n; i++)
        v[i] /= sum;
}

nnl_status nnl_tree_build(nnl_tree_nodes *t, const nnl_tree_bins *b, const int32_t *y, const int32_t *weight,
                          int32_t K, int32_t *idx, int64_t count, const nnl_tree_params *p, nnl_rng *rng,
                          double *importance)
{
    int64_t total = 0;
    for (int64_t j = 0; j < count; j++)
        total += weight[idx[j]];
    nnl_tree_workspace w;
    memset(&w, 0, sizeof w);
    w.b = b;
    w.y = y;
    w.weight = weight;
    w.K = K;
    w.p = p;
    memset(importance, 0, (size_t)b->f * sizeof *importance);
    nnl_status s = nnl_tree_workspace_alloc(&w, count, total, p->threads);
    pending *stack = nnl_alloc((size_t)count * sizeof *stack);
    if (s == NNL_OK && !stack)
        s = nnl_error(NNL_E_NOMEM, "tree: out of memory for %lld samples", (long long)count);
    int64_t top = 0;
    if (s == NNL_OK)
        stack[top++] = (pending){0, count, 0, -1, 0, 0};
    while (s == NNL_OK && top > 0) {
        pending node = stack[--top];
        int64_t i;
        if ((s = add_node(&w, t, idx, &node, &i)) != NNL_OK)
            break;
        double node_impurity = nnl_tree_impurity(&w, w.node, w.node_total);
        if (stays_leaf(&w, &node, node_impurity))
            continue;
        nnl_tree_split best = nnl_tree_find_split(&w, idx + node.start, node.end - node.start, rng, &node.constants);
        if (best.found)
            split_node(&w, t, idx, &node, i, &best, node_impurity, importance, stack, &top);
    }
    nnl_tree_workspace_free(&w);
    nnl_dealloc(stack);
    normalise(importance, b->f);
    return s;
}
