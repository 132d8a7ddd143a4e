/* Sampling the next token (lib/nn/sampling.c) against the definition:
 * every candidate sorted (value, then id), the first top_k kept, softmax,
 * the top_p prefix, one uniform draw. The library selects the top k
 * (quickselect) instead of sorting everything; with the same generator
 * state both must pick the same token, for ties, k of 1, a few, most and all of the
 * vocabulary, several temperatures and top_p values. Also: temperature 0
 * is the argmax (the first of equal maxima), and the draws follow the
 * softmax. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#include "nn/sampling.h"

static int order(const void *a, const void *b)
{
    const nnl_candidate *x = a, *y = b;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The definition, written out. */
static int32_t reference(const float *logits, int64_t V, float temperature, int64_t top_k, float top_p,
                         nnl_rng *rng, nnl_candidate *c)
{
    for (int64_t i = 0; i < V; i++)
        c[i] = (nnl_candidate){logits[i] / temperature, (int32_t)i};
    qsort(c, (size_t)V, sizeof *c, order);
    int64_t n = top_k > 0 && top_k < V ? top_k : V;
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

/* Logits with many exact ties when `ties` (values from a handful of levels). */
static void fill_logits(float *x, int64_t V, int ties, nnl_rng *rng)
{
    for (int64_t i = 0; i < V; i++)
        x[i] = ties ? (float)nnl_rng_below(rng, 5) : 4.0f * nnl_rng_normal(rng);
}

static void same_token_as_the_definition(void **state)
{
    (void)state;
    enum { V = 3000 };
    static float logits[V];
    static nnl_candidate a[V], b[V];
    const int64_t ks[] = {0, 1, 2, 7, 200, V - 1, V, V + 5};
    const float temps[] = {0.3f, 0.8f, 1.0f, 2.5f};
    const float top_ps[] = {1.0f, 0.9f, 0.3f, 1e-6f};
    nnl_rng data;
    nnl_rng_seed(&data, 7, 1);
    int64_t cases = 0;
    for (int round = 0; round < 6; round++) {
        const int64_t n = round % 3 == 2 ? 37 : V; /* a small vocabulary too */
        fill_logits(logits, n, round % 2, &data);
        for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
            for (size_t ti = 0; ti < sizeof temps / sizeof *temps; ti++)
                for (size_t pi = 0; pi < sizeof top_ps / sizeof *top_ps; pi++)
                    for (uint64_t seed = 0; seed < 3; seed++) {
                        nnl_rng r1, r2;
                        nnl_rng_seed(&r1, seed, 3);
                        nnl_rng_seed(&r2, seed, 3);
                        int32_t got = nnl_sample_token(logits, n, temps[ti], ks[ki], top_ps[pi], &r1, a);
                        int32_t want = reference(logits, n, temps[ti], ks[ki], top_ps[pi], &r2, b);
                        if (got != want)
                            fail_msg("V=%lld k=%lld T=%g top_p=%g seed=%llu ties=%d: token %d, definition %d",
                                     (long long)n, (long long)ks[ki], temps[ti], top_ps[pi],
                                     (unsigned long long)seed, round % 2, got, want);
                        cases++;
                    }
    }
    assert_true(cases > 1000);
}

static void zero_temperature_is_the_first_argmax(void **state)
{
    (void)state;
    const float logits[6] = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f, 0.0f};
    nnl_candidate c[6];
    nnl_rng rng;
    nnl_rng_seed(&rng, 1, 1);
    assert_int_equal(nnl_sample_token(logits, 6, 0.0f, 0, 1.0f, &rng, c), 1);
}

/* Top-k 2 of logits log(1), log(2), log(3): tokens 1 and 2 at 2/5 and 3/5, never 0. */
static void draws_follow_the_softmax(void **state)
{
    (void)state;
    const float logits[3] = {0.0f, logf(2.0f), logf(3.0f)};
    nnl_candidate c[3];
    nnl_rng rng;
    nnl_rng_seed(&rng, 11, 1);
    int counts[3] = {0, 0, 0};
    enum { DRAWS = 20000 };
    for (int i = 0; i < DRAWS; i++)
        counts[nnl_sample_token(logits, 3, 1.0f, 2, 1.0f, &rng, c)]++;
    assert_int_equal(counts[0], 0);
    double p1 = (double)counts[1] / DRAWS; /* standard error 0.0035 */
    if (fabs(p1 - 0.4) > 0.02)
        fail_msg("token 1 drawn %.4f of the time, expected 0.4", p1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_token_as_the_definition),
        cmocka_unit_test(zero_temperature_is_the_first_argmax),
        cmocka_unit_test(draws_follow_the_softmax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
