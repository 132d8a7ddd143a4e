/* Growing one CART tree (tree_build.h), depth first.
 *
 * A node's samples are a range of idx. For each feature tried, its codes
 * are counting-sorted (at most 256 buckets, and only between the node's
 * smallest and largest code), then a sweep moves the samples from right to
 * left bucket by bucket, keeping the split score up to date in O(1) per
 * sample: for Gini the sums of squared class counts on each side, for
 * entropy the sums of c log c (from a table). A split is scored where one
 * bucket ends and the next begins, as CART scores the midpoints between
 * distinct values. Cost per node: O(samples + range) per feature tried.
 *
 * Samples carry integer weights, as scikit-learn's bootstrap does: a forest
 * tree sees each drawn sample once with its number of draws (a third fewer
 * samples to scan than the draws themselves). Class counts, impurities and
 * leaf values are weighted; min_samples_split and min_samples_leaf count
 * samples, as scikit-learn's do. */
#include <math.h>
#include <string.h>

#include "classic/tree_build.h"
#include "core/alloc.h"
#include "core/error.h"
#include "nnlite/estimator.h"

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

typedef struct split {
    int64_t feature;
    int code;      /* samples with code <= this go left */
    double score;  /* larger is better */
    int found;
} split;

typedef struct workspace {
    const nnl_tree_bins *b;
    const int32_t *y, *weight; /* per sample of the data */
    int32_t K;
    int64_t node_total;  /* the weight of the node being split */
    const nnl_tree_params *p;
    uint8_t *codes;      /* count: the node's codes of the feature scanned */
    int32_t *labels;     /* count: the node's labels sorted by code */
    int32_t *node_labels; /* count: the labels of the node's samples, in idx order */
    int32_t *node_weights; /* count: their weights */
    int32_t *sorted_weights; /* count: the weights in w->labels' order */
    int32_t *hist;       /* NNL_TREE_MAX_BINS * K (code, class) weights */
    int32_t *code_count; /* NNL_TREE_MAX_BINS: samples per code */
    int64_t *left, *right, *node; /* K class counts */
    int64_t *feat;       /* f: the features, drawn in place */
    pending *stack;      /* count */
    double *clogc;       /* total weight + 1: c log c, for entropy */
} workspace;

static nnl_status workspace_alloc(workspace *w, int64_t count, int64_t total)
{
    size_t n = (size_t)count, k = (size_t)w->K;
    w->codes = nnl_alloc(n);
    w->labels = nnl_alloc(n * sizeof(int32_t));
    w->node_labels = nnl_alloc(n * sizeof(int32_t));
    w->node_weights = nnl_alloc(n * sizeof(int32_t));
    w->sorted_weights = nnl_alloc(n * sizeof(int32_t));
    w->code_count = nnl_alloc(NNL_TREE_MAX_BINS * sizeof(int32_t));
    w->hist = nnl_alloc((size_t)NNL_TREE_MAX_BINS * k * sizeof(int32_t));
    w->left = nnl_alloc(3 * k * sizeof(int64_t));
    w->feat = nnl_alloc((size_t)w->b->f * sizeof(int64_t));
    w->stack = nnl_alloc(n * sizeof(pending));
    w->clogc = nnl_alloc(((size_t)total + 1) * sizeof(double));
    if (!w->codes || !w->labels || !w->node_labels || !w->node_weights || !w->sorted_weights || !w->code_count ||
        !w->hist || !w->left || !w->feat || !w->stack || !w->clogc)
        return nnl_error(NNL_E_NOMEM, "tree: out of memory for %lld samples", (long long)count);
    w->right = w->left + k;
    w->node = w->right + k;
    for (int64_t i = 0; i < w->b->f; i++)
        w->feat[i] = i;
    w->clogc[0] = 0.0;
    for (int64_t c = 1; c <= total; c++)
        w->clogc[c] = (double)c * log((double)c);
    return NNL_OK;
}

static void workspace_free(workspace *w)
{
    nnl_dealloc(w->codes);
    nnl_dealloc(w->labels);
    nnl_dealloc(w->node_labels);
    nnl_dealloc(w->node_weights);
    nnl_dealloc(w->sorted_weights);
    nnl_dealloc(w->code_count);
    nnl_dealloc(w->hist);
    nnl_dealloc(w->left);
    nnl_dealloc(w->feat);
    nnl_dealloc(w->stack);
    nnl_dealloc(w->clogc);
}

/* Impurity of n samples with class counts c (Gini or entropy in nats). */
static double impurity(const workspace *w, const int64_t *c, int64_t n)
{
    double sum = 0.0;
    for (int32_t k = 0; k < w->K; k++) {
        double q = (double)c[k] / (double)n;
        sum += w->p->criterion == NNL_CRITERION_GINI ? q * q : (c[k] ? -q * log(q) : 0.0);
    }
    return w->p->criterion == NNL_CRITERION_GINI ? 1.0 - sum : sum;
}

/* The split score of a side from its running sum (Gini: sum c^2, entropy:
 * sum c log c) and size: sum c^2 / n, or sum c log c - n log n. The best
 * split maximises the sum over both sides: this is minus the weighted
 * impurity of the children up to a constant of the node. */
static double side_score(const workspace *w, double sum, int64_t n)
{
    return w->p->criterion == NNL_CRITERION_GINI ? sum / (double)n : sum - w->clogc[n];
}

/* The running state of one feature's sweep: how many samples went left
 * and their weight, and the criterion's sums on each side (the class
 * weights are in w). */
typedef struct sweep {
    double sum_left, sum_right;
    int64_t n_left, w_left;
} sweep;

static void sweep_start(workspace *w, sweep *s)
{
    s->sum_left = s->sum_right = 0.0;
    s->n_left = s->w_left = 0;
    for (int32_t k = 0; k < w->K; k++) {
        w->left[k] = 0;
        w->right[k] = w->node[k];
        s->sum_right += w->p->criterion == NNL_CRITERION_GINI ? (double)(w->node[k] * w->node[k]) : w->clogc[w->node[k]];
    }
}

/* Moves weight c of class k from the right side to the left:
 * (l + c)^2 - l^2 = c (2l + c) and r^2 - (r - c)^2 = c (2r - c). */
static inline void move_left(const workspace *w, int32_t k, int64_t c, sweep *s)
{
    int64_t l = w->left[k], r = w->right[k];
    w->left[k] = l + c;
    w->right[k] = r - c;
    s->w_left += c;
    if (w->p->criterion == NNL_CRITERION_GINI) {
        s->sum_left += (double)(c * (2 * l + c));
        s->sum_right -= (double)(c * (2 * r - c));
    } else {
        s->sum_left += w->clogc[l + c] - w->clogc[l];
        s->sum_right -= w->clogc[r] - w->clogc[r - c];
    }
}

/* Scores the split "code <= `code`" of feature f with the sweep's state. */
static void consider(const workspace *w, const sweep *s, int64_t n, int64_t f, int code, split *best)
{
    if (s->n_left < w->p->min_leaf || n - s->n_left < w->p->min_leaf)
        return;
    double score = side_score(w, s->sum_left, s->w_left) + side_score(w, s->sum_right, w->node_total - s->w_left);
    if (!best->found || score > best->score) {
        best->found = 1;
        best->score = score;
        best->feature = f;
        best->code = code;
    }
}

/* Small nodes: the node's codes of f gathered, the labels counting-sorted by
 * code (buckets only between the smallest and largest code), then one move
 * per sample. Returns 0 when f is constant in the node (it does not count
 * as tried), 1 otherwise. */
static int scan_sorted(workspace *w, const int32_t *idx, int64_t n, int64_t f, split *best)
{
    const uint8_t *col = w->b->code + f * w->b->n;
    int mn = 255, mx = 0;
    for (int64_t j = 0; j < n; j++) {
        int c = col[idx[j]];
        w->codes[j] = (uint8_t)c;
        mn = c < mn ? c : mn;
        mx = c > mx ? c : mx;
    }
    if (mn >= mx)
        return 0;
    int64_t bucket_end[NNL_TREE_MAX_BINS];
    int range = mx - mn + 1;
    memset(bucket_end, 0, (size_t)range * sizeof *bucket_end);
    for (int64_t j = 0; j < n; j++)
        bucket_end[w->codes[j] - mn]++;
    for (int r = 0, sum = 0; r < range; r++) {
        int c = (int)bucket_end[r];
        bucket_end[r] = sum;
        sum += c;
    }
    for (int64_t j = 0; j < n; j++) {
        int64_t at = bucket_end[w->codes[j] - mn]++;
        w->labels[at] = w->node_labels[j];
        w->sorted_weights[at] = w->node_weights[j];
    }
    sweep s;
    sweep_start(w, &s);
    for (int r = 0; r < range - 1; r++) {
        if (bucket_end[r] == s.n_left)
            continue; /* an empty bucket: no new split */
        for (; s.n_left < bucket_end[r]; s.n_left++)
            move_left(w, w->labels[s.n_left], w->sorted_weights[s.n_left], &s);
        consider(w, &s, n, f, mn + r, best);
    }
    return 1;
}

/* Large nodes: one pass counts (code, class) pairs, then the sweep moves a
 * whole bucket per class: O(samples + codes * classes) instead of a move
 * per sample. Returns as scan_sorted(). */
static int scan_histogram(workspace *w, const int32_t *idx, int64_t n, int64_t f, split *best)
{
    const uint8_t *col = w->b->code + f * w->b->n;
    int32_t k = w->K, *hist = w->hist;
    memset(hist, 0, (size_t)NNL_TREE_MAX_BINS * (size_t)k * sizeof *hist);
    memset(w->code_count, 0, NNL_TREE_MAX_BINS * sizeof *w->code_count);
    int mn = 255, mx = 0;
    for (int64_t j = 0; j < n; j++) {
        int c = col[idx[j]];
        hist[c * k + w->node_labels[j]] += w->node_weights[j];
        w->code_count[c]++;
        mn = c < mn ? c : mn;
        mx = c > mx ? c : mx;
    }
    if (mn >= mx)
        return 0;
    sweep s;
    sweep_start(w, &s);
    for (int code = mn; code < mx; code++) {
        if (!w->code_count[code])
            continue;
        for (int32_t c = 0; c < k; c++)
            if (hist[code * k + c])
                move_left(w, c, hist[code * k + c], &s);
        s.n_left += w->code_count[code];
        consider(w, &s, n, f, code, best);
    }
    return 1;
}

/* Scores every split of feature f of the node idx[0..n) into *best. */
static int scan_feature(workspace *w, const int32_t *idx, int64_t n, int64_t f, split *best)
{
    /* the histogram's sweep costs codes x classes: worth it when the node
     * has more samples than that */
    return n >= (int64_t)w->K * 64 ? scan_histogram(w, idx, n, f, best) : scan_sorted(w, idx, n, f, best);
}

/* The best split of the node idx[0..n) over features drawn from rng.
 * *constants: in, the features known constant (the first ones of w->feat);
 * out, with those found constant here added after them. A feature drawn
 * and scanned sits at position i; one found constant is swapped down to
 * the end of the constant run (the feature it swaps with was scanned). */
static split find_split(workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng, int64_t *constants)
{
    split best = {0, 0, 0.0, 0};
    for (int64_t j = 0; j < n; j++) { /* once per node, for every feature's scan */
        w->node_labels[j] = w->y[idx[j]];
        w->node_weights[j] = w->weight[idx[j]];
    }
    int64_t f = w->b->f, tried = 0, total = *constants;
    for (int64_t i = total; i < f && (tried < w->p->max_features || !best.found); i++) {
        int64_t pick = i + (int64_t)nnl_rng_below(rng, (uint32_t)(f - i));
        int64_t feature = w->feat[pick];
        w->feat[pick] = w->feat[i];
        w->feat[i] = feature;
        if (scan_feature(w, idx, n, feature, &best)) {
            tried++;
        } else {
            w->feat[i] = w->feat[total];
            w->feat[total++] = feature;
        }
    }
    *constants = total;
    return best;
}

/* Moves the samples of idx[0..n) that go left to the front, keeping the
 * order on each side; returns how many go left. */
static int64_t partition(workspace *w, int32_t *idx, int64_t n, const split *s)
{
    const uint8_t *col = w->b->code + s->feature * w->b->n;
    int32_t *right = (int32_t *)w->labels; /* free again after the scan */
    int64_t nl = 0, nr = 0;
    for (int64_t j = 0; j < n; j++) {
        if (col[idx[j]] <= s->code)
            idx[nl++] = idx[j];
        else
            right[nr++] = idx[j];
    }
    memcpy(idx + nl, right, (size_t)nr * sizeof *idx);
    return nl;
}

/* Class weights of the samples idx[0..n) into counts (K); returns their sum. */
static int64_t count_classes(const workspace *w, const int32_t *idx, int64_t n, int64_t *counts)
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
static nnl_status add_node(workspace *w, nnl_tree_nodes *t, const int32_t *idx, const pending *p, int64_t *i)
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
static int stays_leaf(const workspace *w, const pending *p, double node_impurity)
{
    int64_t n = p->end - p->start;
    return n < w->p->min_split || n < 2 * w->p->min_leaf || (w->p->max_depth > 0 && p->depth >= w->p->max_depth) ||
           node_impurity <= PURE;
}

/* The threshold of split s, whose right side is right[0..n): midway
 * between the largest value of the left's last bin and the smallest of the
 * right's first. */
static float split_threshold(const workspace *w, const int32_t *right, int64_t n, const split *s)
{
    const uint8_t *col = w->b->code + s->feature * w->b->n;
    int next = 255;
    for (int64_t j = 0; j < n; j++)
        next = col[right[j]] < next ? col[right[j]] : next;
    const float *lo = w->b->lo + s->feature * NNL_TREE_MAX_BINS, *hi = w->b->hi + s->feature * NNL_TREE_MAX_BINS;
    return nnl_tree_bins_threshold(hi[s->code], lo[next]);
}

/* Splits node i of t as s says, charges the impurity decrease to the
 * feature and queues the two children. */
static void split_node(workspace *w, nnl_tree_nodes *t, int32_t *idx, const pending *p, int64_t i, const split *s,
                       double node_impurity, double *importance, int64_t *top)
{
    int64_t n = p->end - p->start, nl = partition(w, idx + p->start, n, s);
    t->feature[i] = (int32_t)s->feature;
    t->threshold[i] = split_threshold(w, idx + p->start + nl, n - nl, s);
    int64_t wl = count_classes(w, idx + p->start, nl, w->left);
    int64_t wr = count_classes(w, idx + p->start + nl, n - nl, w->right);
    importance[s->feature] += (double)w->node_total * node_impurity - (double)wl * impurity(w, w->left, wl) -
                              (double)wr * impurity(w, w->right, wr);
    /* right first, so that the left child is taken (and numbered) first */
    w->stack[(*top)++] = (pending){p->start + nl, p->end, p->depth + 1, i, 0, p->constants};
    w->stack[(*top)++] = (pending){p->start, p->start + nl, p->depth + 1, i, 1, p->constants};
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
    workspace w;
    memset(&w, 0, sizeof w);
    w.b = b;
    w.y = y;
    w.weight = weight;
    w.K = K;
    w.p = p;
    memset(importance, 0, (size_t)b->f * sizeof *importance);
    nnl_status s = workspace_alloc(&w, count, total);
    int64_t top = 0;
    if (s == NNL_OK)
        w.stack[top++] = (pending){0, count, 0, -1, 0, 0};
    while (s == NNL_OK && top > 0) {
        pending node = w.stack[--top];
        int64_t i;
        if ((s = add_node(&w, t, idx, &node, &i)) != NNL_OK)
            break;
        double node_impurity = impurity(&w, w.node, w.node_total);
        if (stays_leaf(&w, &node, node_impurity))
            continue;
        split best = find_split(&w, idx + node.start, node.end - node.start, rng, &node.constants);
        if (best.found)
            split_node(&w, t, idx, &node, i, &best, node_impurity, importance, &top);
    }
    workspace_free(&w);
    normalise(importance, b->f);
    return s;
}
