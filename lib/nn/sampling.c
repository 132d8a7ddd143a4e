/* Sampling the next token: temperature, top-k (a radix filter, then
 * quickselect), top-p. */
#include "nn/sampling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Whether candidate a comes before b: the larger value first, ties by the
 * smaller id (a total order: no value is NaN). */
static inline int before(const nnl_candidate *a, const nnl_candidate *b)
{
    return a->value > b->value || (a->value == b->value && a->id < b->id);
}

static int by_value_desc(const void *a, const void *b)
{
    return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* Sorts c[0..n) by `before`: quicksort down to runs of 16, then one
 * insertion pass, the comparison inlined (qsort's call per comparison took
 * a tenth of a generated token's time). Any correct sort gives the same
 * order, since `before` is total; a range still unsorted `depth` halvings
 * deep (an unlucky pivot run) is left to qsort. */
static void sort_candidates(nnl_candidate *c, int64_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            qsort(c, (size_t)n, sizeof *c, by_value_desc);
            return;
        }
        nnl_candidate pivot = c[n / 2];
        int64_t i = 0, j = n - 1;
        while (i <= j) {
            while (before(&c[i], &pivot))
                i++;
            while (before(&pivot, &c[j]))
                j--;
            if (i <= j) {
                nnl_candidate t = c[i];
                c[i++] = c[j];
                c[j--] = t;
            }
        }
        /* [0, j] and [i, n) remain: the smaller by recursion, the larger here */
        if (j + 1 < n - i) {
            sort_candidates(c, j + 1, depth);
            c += i;
            n -= i;
        } else {
            sort_candidates(c + i, n - i, depth);
            n = j + 1;
        }
    }
}

static void insertion_sort(nnl_candidate *c, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        nnl_candidate v = c[i];
        int64_t j = i;
        for (; j > 0 && before(&v, &c[j - 1]); j--)
            c[j] = c[j - 1];
        c[j] = v;
    }
}

/* Reorder c[0..n) so that its k largest values come first (quickselect). */
static void select_top(nnl_candidate *c, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        nnl_candidate pivot = c[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (by_value_desc(&c[i], &pivot) < 0)
                i++;
            while (by_value_desc(&c[j], &pivot) > 0)
                j--;
            if (i <= j) {
                nnl_candidate t = c[i];
                c[i++] = c[j];
                c[j--] = t;
            }
        }
        if (k - 1 <= j)
            hi = j;
        else if (k - 1 >= i)
            lo = i;
        else
            return;
    }
}

/* A logit with NaN (a diverged model) as -inf, so that the order of the
 * candidates is total and NaN is drawn only when all are. */
static float ordered(float logit) { return isnan(logit) ? -INFINITY : logit; }

/* A candidate's value: its ordered logit over the temperature. */
static float candidate_value(float logit, float temperature) { return ordered(logit) / temperature; }

/* Bins of the top-k filter: the top KEY_BITS bits of order_key (sign,
 * exponent and 2 bits of mantissa: a quarter of an octave each). */
enum { KEY_BITS = 11, KEY_BINS = 1 << KEY_BITS };

/* An unsigned key in the order of the float values: the sign bit set for
 * positive values, the bits negated for negative ones (2^32 - bits: larger
 * magnitudes give smaller keys), which also gives -0 the key of +0, as the
 * comparator calls them equal. */
static uint32_t order_key(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u & 0x80000000u ? 0u - u : u | 0x80000000u;
}

static uint32_t key_bin(float v) { return order_key(v) >> (32 - KEY_BITS); }

/* Moves to the front of c[0..n) every candidate whose key bin is at least
 * that of the k-th largest value, and returns how many: at least k, and
 * they hold the top k, since every value left behind is smaller than all
 * of them. Quickselect then works on these few hundred instead of the whole
 * vocabulary, where its compares were a third of a generated token's time
 * (unpredictable branches over 6,000 candidates). No value is NaN. */
static int64_t keep_top_bins(nnl_candidate *c, int64_t n, int64_t k)
{
    /* Four interleaved counts: neighbouring logits often share a bin, and
     * one count would make each increment wait on the one before. */
    int32_t counts[4][KEY_BINS] = {{0}};
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int lane = 0; lane < 4; lane++)
            counts[lane][key_bin(c[i + lane].value)]++;
    for (; i < n; i++)
        counts[0][key_bin(c[i].value)]++;
    /* down from the top bin, adding the four counts of the bins passed only */
    uint32_t bin = KEY_BINS - 1;
    for (int64_t seen = 0;; bin--) {
        seen += counts[0][bin] + counts[1][bin] + counts[2][bin] + counts[3][bin];
        if (seen >= k || bin == 0)
            break;
    }
    int64_t kept = 0;
    for (i = 0; i < n; i++) {
        nnl_candidate candidate = c[i];
        c[kept] = candidate;
        kept += key_bin(candidate.value) >= bin;
    }
    return kept;
}

int32_t nnl_sample_token(const float *logits, int64_t V, float temperature, int64_t top_k, float top_p,
                         nnl_rng *rng, nnl_candidate *c)
{
    if (temperature == 0.0f) {
        int64_t best = 0;
        for (int64_t i = 1; i < V; i++)
            if (ordered(logits[i]) > ordered(logits[best]))
                best = i;
        return (int32_t)best;
    }
    for (int64_t i = 0; i < V; i++)
        c[i] = (nnl_candidate){candidate_value(logits[i], temperature), (int32_t)i};
    int64_t n = V;
    if (top_k > 0 && top_k < V) {
        select_top(c, keep_top_bins(c, V, top_k), top_k);
        n = top_k;
    }
    /* The sort makes the draw independent of the selection's order, and top-p needs it. */
    sort_candidates(c, n, 2 * (int)log2((double)n + 1) + 2);
    insertion_sort(c, n);
    float max = c[0].value;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        c[i].value = c[i].value == max ? 1.0f : expf(c[i].value - max); /* max may be +inf */
        total += c[i].value;
    }
    if (top_p < 1.0f) {
        double kept = 0.0;
        int64_t m = 0;
        while (m < n && kept < top_p * total)
            kept += c[m++].value;
        n = m;
        total = kept;
    }
    double u = (double)nnl_rng_uniform(rng) * total, acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        acc += c[i].value;
        if (u < acc)
            return c[i].id;
    }
    return c[n - 1].id;
}
