/* The best split of a tree node (tree_scan.h).
 *
 * A node's samples are a range of idx. For each feature tried, its codes
 * are sorted (insertion for a handful of samples, two 4-bit radix passes
 * for more; large nodes count (code, class) pairs in a histogram instead),
 * then a sweep moves the samples from right to left in code order, keeping
 * the split score up to date in O(1) per move: for Gini the sums of squared
 * class counts on each side, for entropy the sums of c log c (from a
 * table). A split is scored where one code ends and the next begins, as
 * CART scores the midpoints between distinct values. Cost per node:
 * O(samples) per feature tried (O(samples + codes x classes) by histogram).
 *
 * Samples carry integer weights, as scikit-learn's bootstrap does: a forest
 * tree sees each drawn sample once with its number of draws (a third fewer
 * samples to scan than the draws themselves). Class counts, impurities and
 * leaf values are weighted; min_samples_split and min_samples_leaf count
 * samples, as scikit-learn's do. */
#include <math.h>
#include <string.h>

#include "classic/tree_scan.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"
#include "nnlite/estimator.h"

/* The scratch arrays of one scan (also of each parallel part's copy). */
static int alloc_scratch(nnl_tree_workspace *w, size_t n)
{
    size_t k = (size_t)w->K;
    w->labels = nnl_alloc(n * sizeof(int32_t));
    w->sorted_weights = nnl_alloc(n * sizeof(int32_t));
    w->code_count = nnl_alloc(NNL_TREE_MAX_BINS * sizeof(int32_t));
    w->hist = nnl_alloc((size_t)NNL_TREE_MAX_BINS * k * sizeof(int32_t));
    w->left = nnl_alloc(2 * k * sizeof(int64_t));
    w->right = w->left ? w->left + k : NULL;
    return w->labels && w->sorted_weights && w->code_count && w->hist && w->left;
}

static void free_scratch(nnl_tree_workspace *w)
{
    nnl_dealloc(w->labels);
    nnl_dealloc(w->sorted_weights);
    nnl_dealloc(w->code_count);
    nnl_dealloc(w->hist);
    nnl_dealloc(w->left);
}

nnl_status nnl_tree_workspace_alloc(nnl_tree_workspace *w, int64_t count, int64_t total, int parts)
{
    size_t n = (size_t)count, k = (size_t)w->K;
    w->parts = parts < 1 ? 1 : parts;
    w->scratch = nnl_alloc_zeroed((size_t)w->parts * sizeof *w->scratch);
    w->node_labels = nnl_alloc(n * sizeof(int32_t));
    w->node_weights = nnl_alloc(n * sizeof(int32_t));
    w->node = nnl_alloc(k * sizeof(int64_t));
    w->feat = nnl_alloc((size_t)w->b->f * sizeof(int64_t));
    w->varied = nnl_alloc((size_t)w->b->f * sizeof(int));
    w->clogc = nnl_alloc(((size_t)total + 1) * sizeof(double));
    int ok = w->scratch && w->node_labels && w->node_weights && w->node && w->feat && w->varied && w->clogc &&
             alloc_scratch(w, n);
    for (int part = 1; ok && part < w->parts; part++) {
        w->scratch[part] = *w;
        ok = alloc_scratch(&w->scratch[part], n);
    }
    if (!ok)
        return nnl_error(NNL_E_NOMEM, "tree: out of memory for %lld samples", (long long)count);
    for (int64_t i = 0; i < w->b->f; i++)
        w->feat[i] = i;
    w->clogc[0] = 0.0;
    for (int64_t c = 1; c <= total; c++)
        w->clogc[c] = (double)c * log((double)c);
    return NNL_OK;
}

void nnl_tree_workspace_free(nnl_tree_workspace *w)
{
    for (int part = 1; w->scratch && part < w->parts; part++)
        free_scratch(&w->scratch[part]);
    free_scratch(w);
    nnl_dealloc(w->scratch);
    nnl_dealloc(w->node_labels);
    nnl_dealloc(w->node_weights);
    nnl_dealloc(w->node);
    nnl_dealloc(w->feat);
    nnl_dealloc(w->varied);
    nnl_dealloc(w->clogc);
}

/* Impurity of n samples with class counts c (Gini or entropy in nats). */
double nnl_tree_impurity(const nnl_tree_workspace *w, const int64_t *c, int64_t n)
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
static double side_score(const nnl_tree_workspace *w, double sum, int64_t n)
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

static void sweep_start(nnl_tree_workspace *w, sweep *s)
{
    s->sum_left = s->sum_right = 0.0;
    s->n_left = s->w_left = 0;
    for (int32_t k = 0; k < w->K; k++) {
        w->left[k] = 0;
        w->right[k] = w->node[k];
        int64_t c = w->node[k];
        s->sum_right += w->p->criterion == NNL_CRITERION_GINI ? (double)(c * c) : w->clogc[c];
    }
}

/* Moves weight c of class k from the right side to the left:
 * (l + c)^2 - l^2 = c (2l + c) and r^2 - (r - c)^2 = c (2r - c). */
static inline void move_left(const nnl_tree_workspace *w, int32_t k, int64_t c, sweep *s)
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
static void consider(const nnl_tree_workspace *w, const sweep *s, int64_t n, int64_t f, int code, nnl_tree_split *best)
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

/* Up to this many samples a node's codes are sorted by insertion. */
#define TINY_SAMPLES 24

/* The sweep over a node's (code << 24 | position) keys sorted by code: one
 * move per sample, a split scored where the code changes. */
static void sweep_keys(nnl_tree_workspace *w, const uint32_t *key, int64_t n, int64_t f, nnl_tree_split *best)
{
    sweep s;
    sweep_start(w, &s);
    for (int64_t t = 0; t + 1 < n; t++) {
        uint32_t j = key[t] & 0xffffff;
        move_left(w, w->node_labels[j], w->node_weights[j], &s);
        s.n_left++;
        if (key[t + 1] >> 24 != key[t] >> 24)
            consider(w, &s, n, f, (int)(key[t] >> 24), best);
    }
}

/* Small nodes: the node's codes of f gathered as (code, position) keys,
 * sorted by insertion up to TINY_SAMPLES, else by a radix sort on the
 * code's two nibbles (16 buckets a pass: O(samples) whatever the range of
 * codes; counting over the range cost more than the samples in the many
 * small nodes of a deep tree), then swept. Returns 0 when f is constant in
 * the node (it does not count as tried), 1 otherwise. */
static int scan_sorted(nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t f, nnl_tree_split *best)
{
    const uint8_t *col = w->b->code + f * w->b->n;
    uint32_t *key = (uint32_t *)w->labels, *tmp = (uint32_t *)w->sorted_weights;
    uint32_t mn = 255, mx = 0;
    for (int64_t j = 0; j < n; j++) {
        uint32_t c = col[idx[j]];
        key[j] = c << 24 | (uint32_t)j;
        mn = c < mn ? c : mn;
        mx = c > mx ? c : mx;
    }
    if (mn >= mx)
        return 0;
    if (n <= TINY_SAMPLES) {
        for (int64_t j = 1; j < n; j++) {
            uint32_t k = key[j];
            int64_t t = j;
            for (; t > 0 && key[t - 1] > k; t--)
                key[t] = key[t - 1];
            key[t] = k;
        }
    } else {
        for (int shift = 24; shift <= 28; shift += 4) { /* two stable passes: key -> tmp -> key */
            uint32_t *from = shift == 24 ? key : tmp, *to = shift == 24 ? tmp : key;
            int64_t count[17] = {0};
            for (int64_t j = 0; j < n; j++)
                count[(from[j] >> shift & 15) + 1]++;
            for (int d = 0; d < 16; d++)
                count[d + 1] += count[d];
            for (int64_t j = 0; j < n; j++)
                to[count[from[j] >> shift & 15]++] = from[j];
        }
    }
    sweep_keys(w, key, n, f, best);
    return 1;
}

/* Large nodes: one pass counts (code, class) pairs, then the sweep moves a
 * whole bucket per class: O(samples + codes * classes) instead of a move
 * per sample. Returns as scan_sorted(). */
static int scan_histogram(nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t f, nnl_tree_split *best)
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
static int scan_feature(nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t f, nnl_tree_split *best)
{
    /* the histogram's sweep costs codes x classes: worth it when the node
     * has more samples than that */
    return n >= (int64_t)w->K * 64 ? scan_histogram(w, idx, n, f, best) : scan_sorted(w, idx, n, f, best);
}

/* Nodes from this many samples scan their features in parallel (when all
 * are tried): below it a part's work is shorter than handing it out. */
#define PARALLEL_SAMPLES 2048

typedef struct scan_job {
    nnl_tree_workspace *w;
    const int32_t *idx;
    int64_t n, first, count; /* features w->feat[first .. first + count) */
    int *varied;             /* count: whether each was not constant */
    nnl_tree_split *best;    /* per part */
} scan_job;

static void scan_part(void *ctx, int part, int parts)
{
    scan_job *j = ctx;
    nnl_tree_workspace *w = part == 0 ? j->w : &j->w->scratch[part];
    int64_t begin, end;
    nnl_parallel_share(j->count, 1, part, parts, &begin, &end);
    j->best[part] = (nnl_tree_split){0, 0, 0.0, 0};
    for (int64_t i = begin; i < end; i++)
        j->varied[i] = scan_feature(w, j->idx, j->n, j->w->feat[j->first + i], &j->best[part]);
}

/* Every remaining feature, scanned on the parts of the pool. The draws,
 * the choice among equal scores (the first in the drawn order) and the
 * constants found are those of the one-at-a-time loop below. */
static nnl_tree_split scan_all_parallel(nnl_tree_workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng,
                                        int64_t *constants)
{
    int64_t f = w->b->f, total = *constants;
    for (int64_t i = total; i < f; i++) {
        int64_t pick = i + (int64_t)nnl_rng_below(rng, (uint32_t)(f - i)), feature = w->feat[pick];
        w->feat[pick] = w->feat[i];
        w->feat[i] = feature;
    }
    nnl_tree_split best = {0, 0, 0.0, 0}, part_best[64];
    int parts = w->parts < 64 ? w->parts : 64;
    for (int part = 1; part < parts; part++)
        w->scratch[part].node_total = w->node_total;
    scan_job j = {w, idx, n, total, f - total, w->varied, part_best};
    nnl_parallel_run(parts, scan_part, &j);
    for (int part = 0; part < parts; part++)
        if (part_best[part].found && (!best.found || part_best[part].score > best.score))
            best = part_best[part];
    for (int64_t i = j.first; i < f; i++)
        if (!w->varied[i - j.first]) {
            int64_t feature = w->feat[i];
            w->feat[i] = w->feat[total];
            w->feat[total++] = feature;
        }
    *constants = total;
    return best;
}

/* The best split of the node idx[0..n) over features drawn from rng.
 * *constants: in, the features known constant (the first ones of w->feat);
 * out, with those found constant here added after them. A feature drawn
 * and scanned sits at position i; one found constant is swapped down to
 * the end of the constant run (the feature it swaps with was scanned). */
nnl_tree_split nnl_tree_find_split(nnl_tree_workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng,
                                   int64_t *constants)
{
    nnl_tree_split best = {0, 0, 0.0, 0};
    for (int64_t j = 0; j < n; j++) { /* once per node, for every feature's scan */
        w->node_labels[j] = w->y[idx[j]];
        w->node_weights[j] = w->weight[idx[j]];
    }
    int64_t f = w->b->f, tried = 0, total = *constants;
    if (w->parts > 1 && n >= PARALLEL_SAMPLES && w->p->max_features >= f - total)
        return scan_all_parallel(w, idx, n, rng, constants);
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
