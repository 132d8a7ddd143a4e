/* Binning the features of the training data (tree_bins.h).
 *
 * A feature of at most 256 distinct values is coded from a table of them
 * (bin_few_values); any other column is sorted by a 3-pass radix sort of
 * its values' bit patterns (11 bits a pass), O(n) per feature: a
 * comparison sort of every column took longer than building a whole tree
 * on MNIST. */
#include <string.h>

#include "classic/tree_bins.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"

#define RADIX_BITS 11
#define RADIX (1 << RADIX_BITS)

/* Order-preserving unsigned key of a finite float. */
static uint32_t float_key(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

/* Sort (key, index) pairs by key, LSD radix, stable; after the three (an
 * odd number of) passes the result is in keys_tmp and index_tmp. */
static void radix_sort(uint32_t *keys, int32_t *index, uint32_t *keys_tmp, int32_t *index_tmp, int64_t n)
{
    int64_t count[RADIX];
    for (int pass = 0; pass < 3; pass++) {
        int shift = pass * RADIX_BITS;
        memset(count, 0, sizeof count);
        for (int64_t i = 0; i < n; i++)
            count[(keys[i] >> shift) & (RADIX - 1)]++;
        int64_t sum = 0;
        for (int d = 0; d < RADIX; d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t at = count[(keys[i] >> shift) & (RADIX - 1)]++;
            keys_tmp[at] = keys[i];
            index_tmp[at] = index[i];
        }
        uint32_t *k = keys;
        keys = keys_tmp;
        keys_tmp = k;
        int32_t *ix = index;
        index = index_tmp;
        index_tmp = ix;
    }
}

float nnl_tree_bins_threshold(float lo, float hi)
{
    float mid = (float)((double)lo + ((double)hi - (double)lo) / 2.0);
    return mid < hi ? mid : lo;
}

/* Codes and value ranges of one feature from its values v (n) and their
 * order; returns the number of distinct values. */
static int64_t bin_sorted(const float *v, const int32_t *order, int64_t n, uint8_t *code, float *lo, float *hi)
{
    int64_t distinct = 1;
    for (int64_t i = 1; i < n; i++)
        distinct += v[order[i]] != v[order[i - 1]];
    int c = 0;
    lo[0] = v[order[0]];
    for (int64_t i = 0; i < n; i++) {
        float value = v[order[i]];
        if (i > 0) {
            float prev = v[order[i - 1]];
            /* a new bin at each new value, or (many values) once the bin holds its share */
            if (value != prev && c < NNL_TREE_MAX_BINS - 1 &&
                (distinct <= NNL_TREE_MAX_BINS || i * NNL_TREE_MAX_BINS >= (int64_t)(c + 1) * n)) {
                hi[c++] = prev;
                lo[c] = value;
            }
        }
        code[order[i]] = (uint8_t)c;
    }
    hi[c] = v[order[n - 1]];
    return distinct;
}

/* A feature of at most NNL_TREE_MAX_BINS distinct values (image pixels
 * have 256 levels) is coded without sorting its column: an open-addressing
 * table of its distinct values (DISTINCT_SLOTS, a power of two, 4x the
 * codes) gives each sample the index of its value, the distinct values
 * alone are sorted, and a sample's code is its value's rank: the codes
 * and bins of bin_sorted(), and binning the digits' 784 features took
 * 0.07 s of one core instead of the radix sort's 0.11 s. */
#define DISTINCT_SLOTS 1024

/* Sorts the n <= 256 distinct keys' (key << 8 | index) by insertion. */
static void sort_distinct(uint64_t *pairs, int n)
{
    for (int i = 1; i < n; i++) {
        uint64_t p = pairs[i];
        int t = i;
        for (; t > 0 && pairs[t - 1] > p; t--)
            pairs[t] = pairs[t - 1];
        pairs[t] = p;
    }
}

/* Codes and value ranges (one value per bin) of one feature from its
 * values v (n), into code, lo and hi; scratch: n bytes. Returns 0,
 * having written only scratch, when the feature has more distinct values
 * than codes or a -0.0 (bin_sorted() puts it in the bin of 0.0). */
static int bin_few_values(const float *v, int64_t n, uint8_t *code, float *lo, float *hi, uint8_t *scratch)
{
    uint32_t key[DISTINCT_SLOTS];
    int16_t entry[DISTINCT_SLOTS]; /* -1: free; else the index of the value in `pairs` */
    uint64_t pairs[NNL_TREE_MAX_BINS];
    int distinct = 0;
    uint32_t last = 0; /* no float's key: the key of the sample before, whose index is scratch[i - 1] */
    memset(entry, -1, sizeof entry);
    for (int64_t i = 0; i < n; i++) {
        uint32_t k = float_key(v[i]), h = (k * 0x9E3779B1u) >> 22; /* 10 bits: DISTINCT_SLOTS */
        if (k == last) { /* mostly the background's 0 */
            scratch[i] = scratch[i - 1];
            continue;
        }
        if (k == 0x7fffffffu) /* -0.0 */
            return 0;
        last = k;
        while (entry[h] >= 0 && key[h] != k)
            h = (h + 1) & (DISTINCT_SLOTS - 1);
        if (entry[h] < 0) {
            if (distinct == NNL_TREE_MAX_BINS)
                return 0;
            key[h] = k;
            entry[h] = (int16_t)distinct;
            pairs[distinct] = (uint64_t)k << 8 | (uint64_t)distinct;
            distinct++;
        }
        scratch[i] = (uint8_t)entry[h];
    }
    sort_distinct(pairs, distinct);
    uint8_t rank[NNL_TREE_MAX_BINS];
    for (int c = 0; c < distinct; c++) {
        int at = (int)(pairs[c] & 0xff);
        rank[at] = (uint8_t)c;
    }
    for (int64_t i = 0; i < n; i++) {
        code[i] = rank[scratch[i]];
        lo[code[i]] = hi[code[i]] = v[i];
    }
    return 1;
}

/* Features are copied out COLUMNS at a time: reading a sample's 16 floats
 * takes one cache line, where reading one feature of every sample takes a
 * line per sample (the binning spent most of its time waiting for them). */
#define COLUMNS 16

typedef struct bin_job {
    nnl_tree_bins *b;
    const float *x;
    float *columns;   /* parts * COLUMNS * n */
    uint32_t *keys;   /* parts * 2n */
    int32_t *index;   /* parts * 2n */
} bin_job;

static void bin_part(void *ctx, int part, int parts)
{
    bin_job *j = ctx;
    int64_t n = j->b->n, f = j->b->f, begin, end;
    nnl_parallel_share(f, COLUMNS, part, parts, &begin, &end);
    float *cols = j->columns + (size_t)part * COLUMNS * (size_t)n;
    uint32_t *keys = j->keys + (size_t)part * 2 * (size_t)n;
    int32_t *index = j->index + (size_t)part * 2 * (size_t)n;
    for (int64_t f0 = begin; f0 < end; f0 += COLUMNS) {
        int64_t width = end - f0 < COLUMNS ? end - f0 : COLUMNS;
        for (int64_t i = 0; i < n; i++)
            for (int64_t c = 0; c < width; c++)
                cols[c * n + i] = j->x[i * f + f0 + c];
        for (int64_t c = 0; c < width; c++) {
            const float *v = cols + c * n;
            float *lo = j->b->lo + (f0 + c) * NNL_TREE_MAX_BINS, *hi = j->b->hi + (f0 + c) * NNL_TREE_MAX_BINS;
            j->b->value_col[f0 + c] = -1;
            if (bin_few_values(v, n, j->b->code + (f0 + c) * n, lo, hi, (uint8_t *)index))
                continue;
            for (int64_t i = 0; i < n; i++) {
                keys[i] = float_key(v[i]);
                index[i] = (int32_t)i;
            }
            radix_sort(keys, index, keys + n, index + n, n);
            int64_t distinct = bin_sorted(v, index + n, n, j->b->code + (f0 + c) * n, lo, hi);
            j->b->value_col[f0 + c] = distinct > NNL_TREE_MAX_BINS ? 0 : -1; /* numbered after the run */
        }
    }
}

/* Samples are copied into rows SAMPLES at a time: each column's run of
 * SAMPLES codes is one cache line. */
#define SAMPLES 64

static void transpose_part(void *ctx, int part, int parts)
{
    nnl_tree_bins *b = ctx;
    int64_t begin, end;
    nnl_parallel_share(b->n, SAMPLES, part, parts, &begin, &end);
    for (int64_t i0 = begin; i0 < end; i0 += SAMPLES) {
        int64_t stop = end - i0 < SAMPLES ? end : i0 + SAMPLES;
        for (int64_t c = 0; c < b->f; c++)
            for (int64_t i = i0; i < stop; i++)
                b->row_code[i * b->f + c] = b->code[c * b->n + i];
    }
}

/* Numbers the features whose values are kept and copies their values. */
static nnl_status keep_values(nnl_tree_bins *b, const float *x)
{
    int64_t kept = 0;
    for (int64_t c = 0; c < b->f; c++)
        b->value_col[c] = b->value_col[c] < 0 ? -1 : kept++;
    if (!kept)
        return NNL_OK;
    b->values = nnl_alloc(nnl_mul_size3((size_t)kept, (size_t)b->n, sizeof(float)));
    if (!b->values)
        return nnl_error(NNL_E_NOMEM, "tree: out of memory for the values of %lld features", (long long)kept);
    for (int64_t i = 0; i < b->n; i++)
        for (int64_t c = 0; c < b->f; c++)
            if (b->value_col[c] >= 0)
                b->values[b->value_col[c] * b->n + i] = x[i * b->f + c];
    return NNL_OK;
}

nnl_status nnl_tree_bins_build(nnl_tree_bins *b, const float *x, int64_t n, int64_t f, int threads)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->f = f;
    int parts = threads < 1 ? 1 : (int64_t)threads > f ? (int)f : threads;
    b->code = nnl_alloc(nnl_mul_size((size_t)n, (size_t)f));
    b->row_code = nnl_alloc(nnl_mul_size((size_t)n, (size_t)f));
    b->value_col = nnl_alloc((size_t)f * sizeof(int64_t));
    b->lo = nnl_alloc(nnl_mul_size3((size_t)f, NNL_TREE_MAX_BINS, sizeof(float)));
    b->hi = nnl_alloc(nnl_mul_size3((size_t)f, NNL_TREE_MAX_BINS, sizeof(float)));
    bin_job j = {b, x, nnl_alloc(nnl_mul_size3((size_t)parts * COLUMNS, (size_t)n, sizeof(float))),
                 nnl_alloc(nnl_mul_size3((size_t)parts, 2 * (size_t)n, sizeof(uint32_t))),
                 nnl_alloc(nnl_mul_size3((size_t)parts, 2 * (size_t)n, sizeof(int32_t)))};
    nnl_status s = NNL_OK;
    if (!b->code || !b->row_code || !b->value_col || !b->lo || !b->hi || !j.columns || !j.keys || !j.index) {
        s = nnl_error(NNL_E_NOMEM, "tree: out of memory binning %lld x %lld features", (long long)n, (long long)f);
    } else {
        nnl_parallel_run(parts, bin_part, &j);
        nnl_parallel_run(threads < 1 ? 1 : threads, transpose_part, b);
        s = keep_values(b, x);
    }
    nnl_dealloc(j.columns);
    nnl_dealloc(j.keys);
    nnl_dealloc(j.index);
    if (s != NNL_OK)
        nnl_tree_bins_free(b);
    return s;
}

void nnl_tree_bins_free(nnl_tree_bins *b)
{
    nnl_dealloc(b->code);
    nnl_dealloc(b->row_code);
    nnl_dealloc(b->lo);
    nnl_dealloc(b->hi);
    nnl_dealloc(b->value_col);
    nnl_dealloc(b->values);
    b->code = b->row_code = NULL;
    b->value_col = NULL;
    b->values = NULL;
    b->lo = b->hi = NULL;
}
