/* The best split of a tree node (tree_scan.h).
 *
 * A node's samples are a range of idx. For each feature tried, its codes
 * are read (from the feature's column, or for a small node from its
 * samples' rows, several features at once), checked for being all equal
 * (a constant feature is not sorted), and sorted (tiny nodes by insertion,
 * small ones by a counting sort over the codes present; large nodes count
 * (code, class) pairs in a histogram instead), then a sweep moves the
 * samples from right to left in
 * code order, keeping the split score up to date in O(1) per move: for
 * Gini the sums of squared class counts on each side, for entropy the sums
 * of c log c (from a table). A split is scored where one code ends and the
 * next begins, as CART scores the midpoints between distinct values. Cost
 * per node: O(samples) per feature tried (O(samples + codes x classes) by
 * histogram). Features with more distinct values than codes are sorted by
 * value instead (scan_values). Once a Gini split into two pure sides is
 * found, no other can beat it: the node's other features are only checked
 * for constants (cannot_improve).
 *
 * Samples carry integer weights, as scikit-learn's bootstrap does: a forest
 * tree sees each drawn sample once with its number of draws (a third fewer
 * samples to scan than the draws themselves). Class counts, impurities and
 * leaf values are weighted; min_samples_split and min_samples_leaf count
 * samples, as scikit-learn's do. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classic/tree_scan.h"
#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/pool.h"
#include "nnlite/estimator.h"

/* A node's value of a feature with kept values, and the sample's position
 * in the node. */
typedef struct nnl_tree_value {
    float value;
    int32_t position;
} nnl_tree_value;

/* The counting sort of scan_sorted() splits the node's samples into this
 * many blocks of consecutive samples, each with its own counters, and
 * walks them side by side: a counter incremented again (most samples of a
 * digit have the same code, 0, in most pixels) waits for its last store,
 * and four such chains overlap where one would stall. */
#define SORT_BLOCKS 4

/* The scratch arrays of one scan (also of each parallel part's copy), for
 * n samples and code_bytes gathered codes. */
static int alloc_scratch(nnl_tree_workspace *w, size_t n, size_t code_bytes)
{
    size_t k = (size_t)w->K;
    w->labels = nnl_alloc(n * sizeof(int32_t));
    w->weights = nnl_alloc(n * sizeof(int32_t));
    w->codes = nnl_alloc(code_bytes);
    w->sorted = w->b->values ? nnl_alloc(n * sizeof *w->sorted) : NULL;
    w->code_count = nnl_alloc_zeroed(SORT_BLOCKS * NNL_TREE_MAX_BINS * sizeof(int32_t));
    w->hist = nnl_alloc((size_t)NNL_TREE_MAX_BINS * k * sizeof(int32_t));
    w->left = nnl_alloc(2 * k * sizeof(int64_t));
    w->right = w->left ? w->left + k : NULL;
    return w->labels && w->weights && w->codes && (w->sorted || !w->b->values) && w->code_count && w->hist && w->left;
}

static void free_scratch(nnl_tree_workspace *w)
{
    nnl_dealloc(w->labels);
    nnl_dealloc(w->weights);
    nnl_dealloc(w->codes);
    nnl_dealloc(w->sorted);
    nnl_dealloc(w->code_count);
    nnl_dealloc(w->hist);
    nnl_dealloc(w->left);
}

nnl_status nnl_tree_workspace_alloc(nnl_tree_workspace *w, int64_t count, int64_t total, int parts)
{
    size_t n = (size_t)count, k = (size_t)w->K;
    /* twice the core's L2: a node's rows are read faster than its columns
     * up to that size (a row's features drawn share its cache lines, a
     * column's samples hardly share theirs), and a smaller node's rows stay
     * in L2 for its subtree; on the digits forest, 4-5% less time than at
     * half the L2 (A/B, 1 thread, 20 alternated rounds; 1x and 4x in
     * between) */
    w->row_budget = nnl_cpu_caches_get()->l2 * 2;
    int64_t rows_bytes = count * w->b->f < w->row_budget ? count * w->b->f : w->row_budget;
    size_t code_bytes = (size_t)(rows_bytes > count ? rows_bytes : count);
    w->parts = parts < 1 ? 1 : parts;
    w->scratch = nnl_alloc_zeroed((size_t)w->parts * sizeof *w->scratch);
    w->node_labels = nnl_alloc(n * sizeof(int32_t));
    w->node_weights = nnl_alloc(n * sizeof(int32_t));
    w->node = nnl_alloc(k * sizeof(int64_t));
    w->feat = nnl_alloc((size_t)w->b->f * sizeof(int64_t));
    w->varied = nnl_alloc((size_t)w->b->f * sizeof(int));
    w->clogc = nnl_alloc(((size_t)total + 1) * sizeof(double));
    int ok = w->scratch && w->node_labels && w->node_weights && w->node && w->feat && w->varied && w->clogc &&
             alloc_scratch(w, n, code_bytes);
    for (int part = 1; ok && part < w->parts; part++) { /* parallel scans read columns only */
        w->scratch[part] = *w;
        ok = alloc_scratch(&w->scratch[part], n, n);
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
 * weights are in w): for Gini the sums of squares, exact in integers (no
 * conversion per move), for entropy the sums of c log c. */
typedef struct sweep {
    int64_t square_left, square_right;
    double sum_left, sum_right;
    int64_t n_left, w_left;
} sweep;

static void sweep_start(nnl_tree_workspace *w, sweep *s)
{
    s->square_left = s->square_right = 0;
    s->sum_left = s->sum_right = 0.0;
    s->n_left = s->w_left = 0;
    for (int32_t k = 0; k < w->K; k++) {
        w->left[k] = 0;
        int64_t c = w->node[k];
        s->square_right += c * c;
        s->sum_right += w->clogc[c];
    }
}

/* Moves weight c of class k from the right side to the left:
 * (l + c)^2 - l^2 = c (2l + c) and r^2 - (r - c)^2 = c (2r - c). */
static inline void move_left(const nnl_tree_workspace *w, int32_t k, int64_t c, sweep *s)
{
    int64_t l = w->left[k], r = w->node[k] - l; /* the right side: what has not moved */
    w->left[k] = l + c;
    s->w_left += c;
    if (w->p->criterion == NNL_CRITERION_GINI) {
        s->square_left += c * (2 * l + c);
        s->square_right -= c * (2 * r - c);
    } else {
        s->sum_left += w->clogc[l + c] - w->clogc[l];
        s->sum_right -= w->clogc[r] - w->clogc[r - c];
    }
}

/* Scores the split "code <= `code`" of feature f with the sweep's state;
 * returns whether it became the best. */
static inline int consider(const nnl_tree_workspace *w, const sweep *s, int64_t n, int64_t f, int code,
                           nnl_tree_split *best)
{
    if (s->n_left < w->p->min_leaf || n - s->n_left < w->p->min_leaf)
        return 0;
    int gini = w->p->criterion == NNL_CRITERION_GINI;
    double left = gini ? (double)s->square_left : s->sum_left, right = gini ? (double)s->square_right : s->sum_right;
    double score = side_score(w, left, s->w_left) + side_score(w, right, w->node_total - s->w_left);
    if (best->found && score <= best->score)
        return 0;
    *best = (nnl_tree_split){f, code, score, 1, 0, 0.0f, 0};
    return 1;
}

/* Counts code c in a block's counters and marks it present. */
static inline void count_code(int32_t *count, uint64_t *present, uint8_t c)
{
    count[c]++;
    present[c >> 6] |= (uint64_t)1 << (c & 63);
}

/* Places sample j of the node at its slot in code order (next[c]: where
 * the block's next sample of code c goes). */
static inline void place_sample(const nnl_tree_workspace *w, int32_t *next, uint8_t c, int64_t j, int32_t *labels,
                                int32_t *weights)
{
    int32_t slot = next[c]++;
    labels[slot] = w->node_labels[j];
    weights[slot] = w->node_weights[j];
}

/* Small nodes: a counting sort of the node's samples by code that touches
 * only the codes present. One pass counts the codes (per block) and marks
 * them in a 256-bit set; the set, walked word by word, gives the present
 * codes in increasing order (a node of 50 samples has a few dozen codes of
 * 256: walking the whole range cost more than the samples, and a radix
 * sort needs two passes more); a second pass places each sample's label
 * and weight in its code's run, block 0's samples of the code first: the
 * run keeps the samples' order. The sweep then moves the samples run by
 * run and scores a split at the end of each run but the last (when the
 * next begins, so that the split knows the next code). f varies in the
 * node. */
static void scan_sorted(nnl_tree_workspace *w, const uint8_t *code, int64_t n, int64_t f, nnl_tree_split *best)
{
    /* run_end + b * 256: block b's counts of the codes, then where its
     * next sample of each goes (all 0 between scans) */
    int32_t *labels = w->labels, *weights = w->weights, *run_end = w->code_count;
    uint64_t present[SORT_BLOCKS][NNL_TREE_MAX_BINS / 64] = {{0}};
    /* blocks [b len, (b + 1) len), the last one to n */
    int64_t len = n / SORT_BLOCKS, b1 = len, b2 = 2 * len, b3 = 3 * len;
    int32_t *count1 = run_end + NNL_TREE_MAX_BINS, *count2 = count1 + NNL_TREE_MAX_BINS,
            *count3 = count2 + NNL_TREE_MAX_BINS;
    for (int64_t j = 0; j < len; j++) {
        count_code(run_end, present[0], code[j]);
        count_code(count1, present[1], code[b1 + j]);
        count_code(count2, present[2], code[b2 + j]);
        count_code(count3, present[3], code[b3 + j]);
    }
    for (int64_t j = b3 + len; j < n; j++)
        count_code(count3, present[3], code[j]);
    int32_t at = 0; /* the blocks' parts of the runs, their start offsets in place of their counts */
    for (int word = 0; word < NNL_TREE_MAX_BINS / 64; word++) {
        present[0][word] |= present[1][word] | present[2][word] | present[3][word];
        for (uint64_t bits = present[0][word]; bits; bits &= bits - 1)
            for (int b = 0, c = word * 64 + __builtin_ctzll(bits); b < SORT_BLOCKS; b++) {
                int32_t count = run_end[b * NNL_TREE_MAX_BINS + c];
                run_end[b * NNL_TREE_MAX_BINS + c] = at;
                at += count;
            }
    }
    for (int64_t j = 0; j < len; j++) { /* block b's offsets end as the ends of its parts */
        place_sample(w, run_end, code[j], j, labels, weights);
        place_sample(w, count1, code[b1 + j], b1 + j, labels, weights);
        place_sample(w, count2, code[b2 + j], b2 + j, labels, weights);
        place_sample(w, count3, code[b3 + j], b3 + j, labels, weights);
    }
    for (int64_t j = b3 + len; j < n; j++)
        place_sample(w, count3, code[j], j, labels, weights);
    sweep s;
    sweep_start(w, &s);
    int64_t t = 0;
    int prev = -1;
    for (int word = 0; word < NNL_TREE_MAX_BINS / 64; word++)
        for (uint64_t bits = present[0][word]; bits; bits &= bits - 1) {
            int c = word * 64 + __builtin_ctzll(bits);
            if (prev >= 0 && consider(w, &s, n, f, prev, best)) /* every run up to prev has moved */
                best->next_code = c;
            for (; t < count3[c]; t++) /* block 3's part ends the run */
                move_left(w, labels[t], weights[t], &s);
            s.n_left = t;
            run_end[c] = count1[c] = count2[c] = count3[c] = 0;
            prev = c;
        }
}

/* Tiny nodes (below TINY_SAMPLES): an insertion sort of the node's (code,
 * label, weight) triples, stable as the counting sort is, then the same
 * sweep. Half the scans of a grown tree are of nodes under 8 samples,
 * where the counting sort's fixed costs (its sets of codes and counters
 * to clear and walk) outweigh its samples. f varies in the node. */
#define TINY_SAMPLES 16

static void scan_tiny(nnl_tree_workspace *w, const uint8_t *code, int64_t n, int64_t f, nnl_tree_split *best)
{
    uint8_t c[TINY_SAMPLES];
    int32_t label[TINY_SAMPLES], weight[TINY_SAMPLES];
    for (int64_t j = 0; j < n; j++) {
        int64_t t = j;
        for (; t > 0 && c[t - 1] > code[j]; t--) {
            c[t] = c[t - 1];
            label[t] = label[t - 1];
            weight[t] = weight[t - 1];
        }
        c[t] = code[j];
        label[t] = w->node_labels[j];
        weight[t] = w->node_weights[j];
    }
    sweep s;
    sweep_start(w, &s);
    for (int64_t t = 0; t + 1 < n; t++) {
        move_left(w, label[t], weight[t], &s);
        s.n_left = t + 1;
        if (c[t + 1] != c[t] && consider(w, &s, n, f, c[t], best))
            best->next_code = c[t + 1];
    }
}

/* Large nodes: one pass counts (code, class) pairs, then the sweep moves a
 * whole bucket per class: O(samples + codes * classes) instead of a move
 * per sample. f varies in the node. */
static void scan_histogram(nnl_tree_workspace *w, const uint8_t *code, int64_t n, int64_t f, nnl_tree_split *best)
{
    int32_t k = w->K, *hist = w->hist;
    memset(hist, 0, (size_t)NNL_TREE_MAX_BINS * (size_t)k * sizeof *hist);
    int mn = 255, mx = 0;
    for (int64_t j = 0; j < n; j++) {
        int c = code[j];
        hist[c * k + w->node_labels[j]] += w->node_weights[j];
        w->code_count[c]++;
        mn = c < mn ? c : mn;
        mx = c > mx ? c : mx;
    }
    sweep s;
    sweep_start(w, &s);
    for (int b = mn, prev = -1; b < mx; b++) {
        if (!w->code_count[b])
            continue;
        if (prev >= 0 && consider(w, &s, n, f, prev, best)) /* every code up to prev has moved */
            best->next_code = b;
        for (int32_t c = 0; c < k; c++)
            if (hist[b * k + c])
                move_left(w, c, hist[b * k + c], &s);
        s.n_left += w->code_count[b];
        prev = b;
    }
    int prev = mx - 1; /* the last code before mx */
    while (!w->code_count[prev])
        prev--;
    if (consider(w, &s, n, f, prev, best))
        best->next_code = mx;
    memset(w->code_count + mn, 0, (size_t)(mx - mn + 1) * sizeof *w->code_count); /* all 0 between scans */
}

static int by_value(const void *a, const void *b)
{
    const nnl_tree_value *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value ? 1 : x->position - y->position;
}

/* A feature with kept values (more distinct ones than codes): the node's
 * values sorted, a split scored between each two neighbouring distinct
 * values, with the threshold midway between them: CART's search, as
 * scikit-learn sorts. Returns 0 when f is constant in the node (it does
 * not count as tried), 1 otherwise. */
static int scan_values(nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t f, nnl_tree_split *best)
{
    const float *col = w->b->values + w->b->value_col[f] * w->b->n;
    nnl_tree_value *v = w->sorted;
    for (int64_t j = 0; j < n; j++)
        v[j] = (nnl_tree_value){col[idx[j]], (int32_t)j};
    qsort(v, (size_t)n, sizeof *v, by_value);
    if (v[0].value == v[n - 1].value)
        return 0;
    sweep s;
    sweep_start(w, &s);
    for (int64_t t = 0; t + 1 < n; t++) {
        move_left(w, w->node_labels[v[t].position], w->node_weights[v[t].position], &s);
        s.n_left = t + 1;
        if (v[t + 1].value != v[t].value && consider(w, &s, n, f, 0, best)) {
            best->exact = 1;
            best->threshold = nnl_tree_bins_threshold(v[t].value, v[t + 1].value);
        }
    }
    return 1;
}

/* Whether the n >= 1 codes are all the same. Deep in a tree about half
 * the features drawn are constant in the node (the digits' border
 * pixels): one vectorised pass finds them before a scan counts them. */
static int is_constant(const uint8_t *code, int64_t n)
{
    uint8_t differ = 0;
    for (int64_t j = 1; j < n; j++)
        differ |= code[j] ^ code[0];
    return !differ;
}

/* Whether no split can score above *best: for Gini, one into two pure
 * sides scores the node's weight (sum c^2 / n = n on each side), the
 * most any split can, and its floating-point sum is exact; a later
 * feature could only tie, and the first of equal scores stays. Deep in a
 * tree small, nearly pure nodes often split into two pure leaves on one
 * of the first features tried: the others are still drawn and checked for
 * constants (the draws and the constants passed down stay the same), not
 * scanned. (Entropy's sums are rounded: it scans them all.) */
static int cannot_improve(const nnl_tree_workspace *w, const nnl_tree_split *best)
{
    return w->p->criterion == NNL_CRITERION_GINI && best->found && best->score >= (double)w->node_total;
}

/* Scores every split of feature f into *best from the node's n codes of
 * it (in idx order). Returns 0 when f is constant in the node (it does not
 * count as tried), 1 otherwise. */
static int scan_codes(nnl_tree_workspace *w, const uint8_t *code, int64_t n, int64_t f, nnl_tree_split *best)
{
    if (is_constant(code, n))
        return 0;
    if (cannot_improve(w, best))
        return 1; /* it varies: it counts as tried */
    /* the histogram's sweep costs codes x classes: worth it when the node
     * has more samples than that */
    if (n >= (int64_t)w->K * 64)
        scan_histogram(w, code, n, f, best);
    else if (n >= TINY_SAMPLES)
        scan_sorted(w, code, n, f, best);
    else
        scan_tiny(w, code, n, f, best);
    return 1;
}

/* The node's codes of feature f from its column, into w->codes. */
static const uint8_t *gather_column(nnl_tree_workspace *w, const int32_t *idx, int64_t n, int64_t f)
{
    const uint8_t *col = w->b->code + f * w->b->n;
    uint8_t *code = w->codes; /* a local: a byte store may alias w */
    for (int64_t j = 0; j < n; j++)
        code[j] = col[idx[j]];
    return code;
}

/* The node's codes of features feat[0..m) from its samples' rows, into
 * w->codes, feature after feature (n each). In a deep node a column read
 * costs a cache line per sample and feature, a row read a line per sample
 * and 64 features, and the rows stay cached for the node's subtree. */
static const uint8_t *gather_rows(nnl_tree_workspace *w, const int32_t *idx, int64_t n, const int64_t *feat, int64_t m)
{
    const uint8_t *rows = w->b->row_code;
    uint8_t *code = w->codes; /* locals: a byte store may alias w */
    int64_t f = w->b->f;
    for (int64_t j = 0; j < n; j++) {
        const uint8_t *row = rows + (int64_t)idx[j] * f;
        for (int64_t t = 0; t < m; t++)
            code[t * n + j] = row[feat[t]];
    }
    return code;
}

/* Draws the feature of position i of w->feat from positions [i, f). */
static void draw_feature(nnl_tree_workspace *w, int64_t i, nnl_rng *rng)
{
    int64_t f = w->b->f, pick = i + (int64_t)nnl_rng_below(rng, (uint32_t)(f - i)), feature = w->feat[pick];
    w->feat[pick] = w->feat[i];
    w->feat[i] = feature;
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
    j->best[part] = (nnl_tree_split){0, 0, 0.0, 0, 0, 0.0f, 0};
    for (int64_t i = begin; i < end; i++) {
        int64_t f = j->w->feat[j->first + i];
        j->varied[i] = w->b->value_col[f] >= 0 ? scan_values(w, j->idx, j->n, f, &j->best[part])
                                               : scan_codes(w, gather_column(w, j->idx, j->n, f), j->n, f,
                                                            &j->best[part]);
    }
}

/* Every remaining feature, scanned on the parts of the pool. The draws,
 * the choice among equal scores (the first in the drawn order) and the
 * constants found are those of the one-at-a-time loop below. */
static nnl_tree_split scan_all_parallel(nnl_tree_workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng,
                                        int64_t *constants)
{
    int64_t f = w->b->f, total = *constants;
    for (int64_t i = total; i < f; i++)
        draw_feature(w, i, rng);
    nnl_tree_split best = {0, 0, 0.0, 0, 0, 0.0f, 0}, part_best[64];
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
 * the end of the constant run (the feature it swaps with was scanned).
 *
 * A node whose rows fit w->row_budget reads the codes of a batch of
 * features from its rows at once: as many as may still count as tried,
 * which the loop would scan whatever they turn out to be; once max_features
 * are tried and no split was found, one at a time. A draw only touches
 * positions from its own on, a constant's swap only positions up to its
 * own: drawing a batch ahead gives the draws and the trees of drawing one
 * at a time. */
nnl_tree_split nnl_tree_find_split(nnl_tree_workspace *w, const int32_t *idx, int64_t n, nnl_rng *rng,
                                   int64_t *constants)
{
    nnl_tree_split best = {0, 0, 0.0, 0, 0, 0.0f, 0};
    for (int64_t j = 0; j < n; j++) { /* once per node, for every feature's scan */
        w->node_labels[j] = w->y[idx[j]];
        w->node_weights[j] = w->weight[idx[j]];
    }
    int64_t f = w->b->f, tried = 0, total = *constants;
    if (w->parts > 1 && n >= PARALLEL_SAMPLES && w->p->max_features >= f - total)
        return scan_all_parallel(w, idx, n, rng, constants);
    int rows = n * f <= w->row_budget;
    for (int64_t i = total; i < f && (tried < w->p->max_features || !best.found);) {
        int64_t batch = tried < w->p->max_features ? w->p->max_features - tried : 1;
        batch = rows ? (batch < f - i ? batch : f - i) : 1;
        for (int64_t t = 0; t < batch; t++)
            draw_feature(w, i + t, rng);
        const uint8_t *tile = rows ? gather_rows(w, idx, n, w->feat + i, batch) : NULL;
        for (int64_t t = 0; t < batch; t++, i++) {
            int64_t feature = w->feat[i];
            int varied = w->b->value_col[feature] >= 0
                             ? scan_values(w, idx, n, feature, &best)
                             : scan_codes(w, rows ? tile + t * n : gather_column(w, idx, n, feature), n, feature,
                                          &best);
            if (varied) {
                tried++;
            } else {
                w->feat[i] = w->feat[total];
                w->feat[total++] = feature;
            }
        }
    }
    *constants = total;
    return best;
}
