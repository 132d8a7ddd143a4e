/* Attention kernels: backward against finite differences (causal, and
 * bidirectional over the unpadded keys), causality, the KV-cache form
 * (tq < tk) against the full sequence, and every SIMD level against the
 * scalar oracle (odd head sizes and lengths for the tails, both modes). */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

#include "kernels/kernels.h"

enum { T = 21, HS = 13, LD = 3 * HS + 2 }; /* q, k, v interleaved in rows of LD, as in qkv */

typedef struct heads {
    float qkv[T * LD];
    float out[T * HS];
    float lse[T];
} heads;

static nnl_attn_shape full_shape(int64_t t, int64_t hs, int64_t ld)
{
    nnl_attn_shape s = {t, t, hs, ld, ld, hs, 1.0f / sqrtf((float)hs), 0};
    return s;
}

/* Bidirectional attention of T queries over the first `keys` positions (the
 * rest is padding). */
static nnl_attn_shape encoder_shape(int64_t t, int64_t keys, int64_t hs, int64_t ld)
{
    nnl_attn_shape s = full_shape(t, hs, ld);
    s.tk = keys;
    s.bidirectional = 1;
    return s;
}

static double weighted_loss(const nnl_kernels *k, const nnl_attn_shape *s, heads *h, const float *w)
{
    k->attention_forward(s, h->qkv, h->qkv + HS, h->qkv + 2 * HS, h->out, h->lse);
    double loss = 0.0;
    for (int i = 0; i < T * HS; i++)
        loss += (double)h->out[i] * w[i];
    return loss;
}

/* dq of every query and dk, dv of the keys it reads (the first s->tk rows;
 * padded rows are the caller's) against central differences. */
static void check_backward(const nnl_attn_shape *s)
{
    const nnl_kernels *k = nnl_kernels_active();
    static heads h;
    static float w[T * HS], dqkv[T * LD];
    test_fill_random(h.qkv, T * LD, 21);
    for (int i = 0; i < T * LD; i++)
        h.qkv[i] *= 2.0f; /* peaked softmax rows */
    test_fill_random(w, T * HS, 22);
    weighted_loss(k, s, &h, w);
    k->attention_backward(s, h.qkv, h.qkv + HS, h.qkv + 2 * HS, h.out, h.lse, w, dqkv,
                          dqkv + HS, dqkv + 2 * HS);
    const float step = 1e-2f;
    for (int r = 0; r < T; r++) {
        for (int c = 0; c < 3 * HS; c++) {
            if (c >= HS && r >= s->tk)
                continue;
            float *p = &h.qkv[r * LD + c];
            float saved = *p;
            *p = saved + step;
            double up = weighted_loss(k, s, &h, w);
            *p = saved - step;
            double down = weighted_loss(k, s, &h, w);
            *p = saved;
            double numeric = (up - down) / (2.0 * step);
            double analytic = dqkv[r * LD + c];
            if (fabs(numeric - analytic) > 2e-3 + 2e-2 * fabs(numeric))
                fail_msg("%s d%c[%d][%d]: analytic %g, numeric %g", s->bidirectional ? "bidirectional" : "causal",
                         "qkv"[c / HS], r, c % HS, analytic, numeric);
        }
    }
}

static void attention_backward_matches_finite_differences(void **state)
{
    (void)state;
    const nnl_attn_shape causal = full_shape(T, HS, LD), encoder = encoder_shape(T, T, HS, LD),
                         padded = encoder_shape(T, 15, HS, LD);
    check_backward(&causal);
    check_backward(&encoder);
    check_backward(&padded);
}

/* Bidirectional: every query sees every key, the last one included, and
 * padded keys (beyond tk) change nothing. */
static void bidirectional_queries_see_every_unpadded_key(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    static heads a, b;
    test_fill_random(a.qkv, T * LD, 33);
    b = a;
    nnl_attn_shape s = encoder_shape(T, 15, HS, LD);
    for (int r = 15; r < T; r++)
        for (int c = HS; c < 3 * HS; c++)
            b.qkv[r * LD + c] += 0.5f; /* padded keys and values */
    k->attention_forward(&s, a.qkv, a.qkv + HS, a.qkv + 2 * HS, a.out, a.lse);
    k->attention_forward(&s, b.qkv, b.qkv + HS, b.qkv + 2 * HS, b.out, b.lse);
    assert_memory_equal(a.out, b.out, sizeof a.out);
    b = a;
    for (int c = HS; c < 3 * HS; c++)
        b.qkv[14 * LD + c] += 0.5f; /* the last unpadded key moves query 0 */
    k->attention_forward(&s, b.qkv, b.qkv + HS, b.qkv + 2 * HS, b.out, b.lse);
    assert_memory_not_equal(a.out, b.out, sizeof(float) * HS);
}

static void future_tokens_do_not_change_earlier_outputs(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    static heads a, b;
    test_fill_random(a.qkv, T * LD, 31);
    b = a;
    const int changed = 12;
    for (int r = changed; r < T; r++)
        for (int c = 0; c < 3 * HS; c++)
            b.qkv[r * LD + c] += 0.5f;
    nnl_attn_shape s = full_shape(T, HS, LD);
    k->attention_forward(&s, a.qkv, a.qkv + HS, a.qkv + 2 * HS, a.out, a.lse);
    k->attention_forward(&s, b.qkv, b.qkv + HS, b.qkv + 2 * HS, b.out, b.lse);
    assert_memory_equal(a.out, b.out, sizeof(float) * changed * HS);
    assert_memory_equal(a.lse, b.lse, sizeof(float) * changed);
    assert_memory_not_equal(a.out + changed * HS, b.out + changed * HS, sizeof(float) * HS);
}

/* Generation attends from the last tq queries over all tk cached keys: the
 * result must be the last rows of the full causal computation. */
static void cached_queries_match_full_sequence(void **state)
{
    (void)state;
    const nnl_kernels *k = nnl_kernels_active();
    static heads h;
    static float tail_out[T * HS], tail_lse[T];
    test_fill_random(h.qkv, T * LD, 41);
    nnl_attn_shape s = full_shape(T, HS, LD);
    k->attention_forward(&s, h.qkv, h.qkv + HS, h.qkv + 2 * HS, h.out, h.lse);
    for (int tq = 1; tq <= 3; tq++) {
        nnl_attn_shape c = s;
        c.tq = tq;
        const float *q = h.qkv + (T - tq) * LD;
        k->attention_forward(&c, q, h.qkv + HS, h.qkv + 2 * HS, tail_out, tail_lse);
        for (int i = 0; i < tq * HS; i++)
            assert_float_equal(tail_out[i], h.out[(T - tq) * HS + i], 1e-6);
        for (int i = 0; i < tq; i++)
            assert_float_equal(tail_lse[i], h.lse[T - tq + i], 1e-6);
    }
}

static void assert_close(const char *what, int64_t t, int64_t hs, const float *got,
                         const float *want, int64_t n, float tol)
{
    for (int64_t i = 0; i < n; i++)
        if (fabsf(got[i] - want[i]) > tol * (1.0f + fabsf(want[i])))
            fail_msg("t=%lld hs=%lld %s[%lld]: %.7g, scalar %.7g", (long long)t, (long long)hs,
                     what, (long long)i, got[i], want[i]);
}

static void simd_levels_match_scalar(void **state)
{
    (void)state;
    const nnl_kernels *ref = nnl_kernels_for(NNL_SIMD_SCALAR);
    /* past 64 queries, 32 keys and 64 head dimensions: the SIMD kernels' blocks */
    const int64_t lengths[] = {1, 5, 16, 17, 40, 70, 130};
    const int64_t head_sizes[] = {1, 7, 8, 16, 32, 33, 100};
    for (int level = NNL_SIMD_AVX2; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (!k)
            continue;
        for (size_t ti = 0; ti < sizeof lengths / sizeof lengths[0]; ti++) {
            for (size_t hi = 0; hi < sizeof head_sizes / sizeof head_sizes[0]; hi++) {
                int64_t t = lengths[ti], hs = head_sizes[hi], ld = 3 * hs;
                size_t nqkv = (size_t)(t * ld), nout = (size_t)(t * hs);
                float *qkv = malloc(sizeof(float) * nqkv), *dout = malloc(sizeof(float) * nout);
                float *o1 = malloc(sizeof(float) * nout), *o2 = malloc(sizeof(float) * nout);
                float *l1 = malloc(sizeof(float) * (size_t)t), *l2 = malloc(sizeof(float) * (size_t)t);
                float *g1 = calloc(nqkv, sizeof(float)), *g2 = calloc(nqkv, sizeof(float));
                test_fill_random(qkv, (int64_t)nqkv, (uint32_t)(100 + ti * 7 + hi));
                for (size_t i = 0; i < nqkv; i++)
                    qkv[i] *= 3.0f;
                test_fill_random(dout, (int64_t)nout, 5);
                /* causal, bidirectional, bidirectional over the first half of the keys,
                 * and the last third of the queries over every key (a KV cache) */
                nnl_attn_shape cached = full_shape(t, hs, ld);
                cached.tq = (t + 2) / 3;
                const nnl_attn_shape shapes[4] = {full_shape(t, hs, ld), encoder_shape(t, t, hs, ld),
                                                  encoder_shape(t, (t + 1) / 2, hs, ld), cached};
                for (int m = 0; m < 4; m++) {
                    const nnl_attn_shape *s = &shapes[m];
                    const float *q = qkv + (s->tk - s->tq) * ld * !s->bidirectional;
                    const int64_t nq = s->tq * hs, nq_all = s->tq * ld;
                    ref->attention_forward(s, q, qkv + hs, qkv + 2 * hs, o1, l1);
                    k->attention_forward(s, q, qkv + hs, qkv + 2 * hs, o2, l2);
                    assert_close("out", t, hs, o2, o1, nq, 2e-5f);
                    assert_close("lse", t, hs, l2, l1, s->tq, 2e-5f);
                    ref->attention_backward(s, q, qkv + hs, qkv + 2 * hs, o1, l1, dout, g1, g1 + hs, g1 + 2 * hs);
                    k->attention_backward(s, q, qkv + hs, qkv + 2 * hs, o1, l1, dout, g2, g2 + hs, g2 + 2 * hs);
                    /* dq of the queries, dk and dv of every key */
                    assert_close("dq", t, hs, g2, g1, nq_all, 1e-4f);
                    assert_close("dkv", t, hs, g2 + hs, g1 + hs, (int64_t)nqkv - hs, 1e-4f);
                }
                free(qkv), free(dout), free(o1), free(o2), free(l1), free(l2), free(g1), free(g2);
            }
        }
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attention_backward_matches_finite_differences),
        cmocka_unit_test(future_tokens_do_not_change_earlier_outputs),
        cmocka_unit_test(bidirectional_queries_see_every_unpadded_key),
        cmocka_unit_test(cached_queries_match_full_sequence),
        cmocka_unit_test(simd_levels_match_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
