/* Sampling the next token: temperature, top-k (quickselect), top-p. */
#include "nn/sampling.h"

#include <math.h>
#include <stdlib.h>

static int by_value_desc(const void *a, const void *b)
{
    float x = ((const nnl_candidate *)a)->value, y = ((const nnl_candidate *)b)->value;
    if (x != y)
        return x < y ? 1 : -1;
    return ((const nnl_candidate *)a)->id - ((const nnl_candidate *)b)->id; /* deterministic ties */
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

int32_t nnl_sample_token(const float *logits, int64_t V, float temperature, int64_t top_k, float top_p,
                         nnl_rng *rng, nnl_candidate *c)
{
    if (temperature == 0.0f) {
        int64_t best = 0;
        for (int64_t i = 1; i < V; i++)
            if (logits[i] > logits[best])
                best = i;
        return (int32_t)best;
    }
    for (int64_t i = 0; i < V; i++)
        c[i] = (nnl_candidate){logits[i] / temperature, (int32_t)i};
    int64_t n = V;
    if (top_k > 0 && top_k < V) {
        select_top(c, V, top_k);
        n = top_k;
    }
    /* The sort makes the draw independent of the selection's order, and top-p needs it. */
    qsort(c, (size_t)n, sizeof *c, by_value_desc);
    float max = c[0].value;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        c[i].value = expf(c[i].value - max);
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
