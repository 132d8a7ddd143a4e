/* Sampling the next token (lib/nn/sampling.c) against the definition:
 * every candidate sorted (value, then id), the first top_k kept, softmax,
 * the top_p prefix, one uniform draw. The library selects the top k (a
 * filter on the values' leading bits, then quickselect) instead of sorting
 * everything; with the same generator state both must pick the same token,
 * for ties, signed zeros and infinities, k of 1, a few, most and all of the
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
        c[i] = (nnl_candidate){isnan(logits[i]) ? -INFINITY : logits[i] / temperature, (int32_t)i};
    qsort(c, (size_t)V, sizeof *c, order);
    int64_t n = top_k > 0 && top_k < V ? top_k : V;
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

enum logit_kind { SPREAD, TIES, ZEROS };

/* Normal logits (SPREAD), many exact ties (values from a handful of levels),
 * or ties of +0 and -0 among -inf and tiny values (ZEROS: -0 and +0 compare
 * equal, so their order is the ids'; all are about equally likely, so which
 * of them make the top k decides the draw). */
static void fill_logits(float *x, int64_t V, enum logit_kind kind, nnl_rng *rng)
{
    const float zeros[] = {0.0f, -0.0f, -INFINITY, 1e-30f, -1e-30f, 0.0f, -0.0f, 1e-30f};
    for (int64_t i = 0; i < V; i++)
        x[i] = kind == TIES    ? (float)nnl_rng_below(rng, 5)
               : kind == ZEROS ? zeros[nnl_rng_below(rng, 8)]
                               : 4.0f * nnl_rng_normal(rng);
}

static void same_token_as_the_definition(void **state)
{
    (void)state;
    enum { V = 6000 }; /* about the size of the GPT's vocabulary */
    static float logits[V];
    static nnl_candidate a[V], b[V];
    const int64_t ks[] = {0, 1, 2, 7, 200, V / 2, V - 1, V, V + 5};
    const float temps[] = {0.3f, 0.8f, 1.0f, 2.5f};
    const float top_ps[] = {1.0f, 0.9f, 0.3f, 1e-6f};
    nnl_rng data;
    nnl_rng_seed(&data, 7, 1);
    int64_t cases = 0;
    for (int round = 0; round < 6; round++) {
        const int64_t n = round >= 3 ? 37 : V; /* a small vocabulary too */
        const enum logit_kind kind = (enum logit_kind)(round % 3);
        fill_logits(logits, n, kind, &data);
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
                            fail_msg("V=%lld k=%lld T=%g top_p=%g seed=%llu kind=%d: token %d, definition %d",
                                     (long long)n, (long long)ks[ki], temps[ti], top_ps[pi],
                                     (unsigned long long)seed, (int)kind, got, want);
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
    const float with_nan[4] = {NAN, -3.0f, NAN, -2.0f};
    assert_int_equal(nnl_sample_token(with_nan, 4, 0.0f, 0, 1.0f, &rng, c), 3);
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

/* A NaN logit (a diverged model) counts as -inf: never drawn while another
 * token can be, and the draw matches the definition's. +inf logits share
 * the draw. */
static void nan_logits_give_a_token(void **state)
{
    (void)state;
    enum { V = 500 };
    float logits[V];
    nnl_candidate c[V];
    nnl_rng rng;
    nnl_rng_seed(&rng, 5, 1);
    for (int i = 0; i < V; i++)
        logits[i] = i % 7 == 3 ? NAN : (float)(i % 11);
    nnl_candidate want[V];
    for (int k = 0; k <= V; k += 50) {
        nnl_rng copy = rng;
        int32_t token = nnl_sample_token(logits, V, 0.8f, k, 0.9f, &rng, c);
        assert_true(token % 7 != 3);
        assert_int_equal(token, reference(logits, V, 0.8f, k, 0.9f, &copy, want));
    }
    const float infinite[4] = {INFINITY, 1.0f, INFINITY, 2.0f}; /* +inf tokens share the draw */
    int drawn[4] = {0, 0, 0, 0};
    for (int i = 0; i < 200; i++)
        drawn[nnl_sample_token(infinite, 4, 1.0f, 3, 1.0f, &rng, c)]++;
    assert_true(drawn[0] > 50 && drawn[2] > 50 && drawn[1] + drawn[3] == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_token_as_the_definition),
        cmocka_unit_test(zero_temperature_is_the_first_argmax),
        cmocka_unit_test(draws_follow_the_softmax),
        cmocka_unit_test(nan_logits_give_a_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
