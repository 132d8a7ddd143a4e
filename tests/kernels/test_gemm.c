/* SGEMM: every SIMD level's kernel against the scalar reference, and the
 * public entry's argument checks.
 *
 * The blocked kernels cut the work into mr x nr tiles, kc-deep slices of K,
 * mc x nc cache blocks and one rectangle per thread, so the shapes below
 * include 1, primes and sizes just past those multiples (tails everywhere),
 * K past 384 (several k slices, beta applied once), N past 4096 (several
 * column blocks) and M past 1024 (several row blocks): past the largest
 * blocks gemm_blocks.c gives on any CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "kernels/gemm_driver.h"
#include "kernels/isa.h"
#include "kernels/kernels.h"
#include "test_util.h"

typedef struct gemm_case {
    int64_t m, n, k;
} gemm_case;

static const gemm_case cases[] = {
    {1, 1, 1},    {1, 1, 300},  {1, 37, 1},  {37, 1, 1},   {2, 3, 5},    {7, 13, 17},
    {8, 32, 16},  {9, 33, 17},  {16, 16, 1}, {31, 47, 61}, {6, 16, 257}, {13, 1031, 5},
    {131, 40, 9}, {67, 97, 259}, {200, 3, 7}, {33, 129, 300}, {9, 33, 401}, {7, 4099, 5},
    {1031, 20, 3},
};

typedef struct scaling {
    float alpha, beta;
} scaling;

static const scaling scalings[] = {{1.0f, 0.0f}, {-0.75f, 0.0f}, {1.0f, 1.0f}, {0.5f, -1.25f},
                                   {0.0f, 0.5f}};

enum { PAD = 3 }; /* leading dimensions are the width + PAD */

/* Operands of one case, with the C padding (columns n..ldc-1) as a sentinel
 * that no kernel may touch. */
typedef struct operands {
    int64_t m, n, k, lda, ldb, ldc;
    int ta, tb;
    float *a, *b, *c0, *c, *ref;
} operands;

static void operands_init(operands *o, const gemm_case *gc, int ta, int tb, uint32_t seed)
{
    o->m = gc->m;
    o->n = gc->n;
    o->k = gc->k;
    o->ta = ta;
    o->tb = tb;
    o->lda = (ta ? o->m : o->k) + PAD;
    o->ldb = (tb ? o->k : o->n) + PAD;
    o->ldc = o->n + PAD;
    int64_t a_rows = ta ? o->k : o->m, b_rows = tb ? o->n : o->k;
    o->a = malloc(sizeof(float) * (size_t)(a_rows * o->lda));
    o->b = malloc(sizeof(float) * (size_t)(b_rows * o->ldb));
    o->c0 = malloc(sizeof(float) * (size_t)(o->m * o->ldc));
    o->c = malloc(sizeof(float) * (size_t)(o->m * o->ldc));
    o->ref = malloc(sizeof(float) * (size_t)(o->m * o->ldc));
    assert_non_null(o->a);
    assert_non_null(o->b);
    assert_non_null(o->c0);
    assert_non_null(o->c);
    assert_non_null(o->ref);
    test_fill_random(o->a, a_rows * o->lda, seed);
    test_fill_random(o->b, b_rows * o->ldb, seed + 1);
    test_fill_random(o->c0, o->m * o->ldc, seed + 2);
}

static void operands_free(operands *o)
{
    free(o->a);
    free(o->b);
    free(o->c0);
    free(o->c);
    free(o->ref);
}

/* C before the call: the random c0, or NaN where beta == 0 says C is not
 * read. The padding always keeps c0's values. */
static void operands_reset_c(const operands *o, float *c, float beta)
{
    memcpy(c, o->c0, sizeof(float) * (size_t)(o->m * o->ldc));
    if (beta != 0.0f)
        return;
    for (int64_t i = 0; i < o->m; i++)
        for (int64_t j = 0; j < o->n; j++)
            c[i * o->ldc + j] = NAN;
}

static float op_elem(const float *x, int64_t ld, int trans, int64_t row, int64_t col)
{
    return trans ? x[col * ld + row] : x[row * ld + col];
}

/* |C - ref| within a few float roundings of sum_p |a||b| (and of beta*C). */
static void assert_close(const operands *o, float alpha, float beta, const char *what)
{
    for (int64_t i = 0; i < o->m; i++) {
        for (int64_t j = 0; j < o->ldc; j++) {
            float got = o->c[i * o->ldc + j], want = o->ref[i * o->ldc + j];
            if (j >= o->n) {
                if (got != want)
                    fail_msg("%s: padding C[%lld,%lld] changed", what, (long long)i, (long long)j);
                continue;
            }
            double magnitude = 0.0;
            for (int64_t p = 0; p < o->k; p++)
                magnitude += fabs((double)op_elem(o->a, o->lda, o->ta, i, p) *
                                  (double)op_elem(o->b, o->ldb, o->tb, p, j));
            double bound = 4e-6 * (fabs(alpha) * magnitude +
                                   (beta != 0.0f ? fabs(beta * o->c0[i * o->ldc + j]) : 0.0)) +
                           1e-30;
            if (!(fabs((double)got - (double)want) <= bound))
                fail_msg("%s: C[%lld,%lld] = %.9g, reference %.9g (bound %.3g)", what,
                         (long long)i, (long long)j, got, want, bound);
        }
    }
}

/* Run `sgemm` and the scalar reference on one case and compare. */
static void check_case(const nnl_kernels *kt, const operands *o, scaling s, int threads)
{
    operands_reset_c(o, o->c, s.beta);
    operands_reset_c(o, o->ref, s.beta);
    kt->sgemm(o->ta, o->tb, o->m, o->n, o->k, s.alpha, o->a, o->lda, o->b, o->ldb, s.beta, o->c,
              o->ldc, threads);
    nnl_sgemm_scalar(o->ta, o->tb, o->m, o->n, o->k, s.alpha, o->a, o->lda, o->b, o->ldb, s.beta,
                     o->ref, o->ldc, 1);
    char what[160];
    snprintf(what, sizeof what, "%s m=%lld n=%lld k=%lld trans=%d%d alpha=%g beta=%g threads=%d",
             nnl_simd_name(kt->level), (long long)o->m, (long long)o->n, (long long)o->k, o->ta,
             o->tb, (double)s.alpha, (double)s.beta, threads);
    assert_close(o, s.alpha, s.beta, what);
}

static void every_level_matches_scalar(void **state)
{
    (void)state;
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *kt = nnl_kernels_for((nnl_simd)level);
        if (!kt)
            continue;
        uint32_t seed = 1;
        for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
            for (int t = 0; t < 4; t++) {
                operands o;
                operands_init(&o, &cases[ci], t >> 1, t & 1, seed++);
                for (size_t si = 0; si < sizeof scalings / sizeof scalings[0]; si++)
                    check_case(kt, &o, scalings[si], 1 + (int)((ci + si) % 3));
                operands_free(&o);
            }
        }
    }
}

/* Shapes big enough to be split across threads (a thread needs about
 * 2 MFLOP of work, or B large enough for few-row products), with 1, 2 and
 * 3 threads: grids, few rows split by columns and by K, small C split by K. */
static void threaded_shapes_match_scalar(void **state)
{
    (void)state;
    static const gemm_case big[] = {{96, 200, 300}, {17, 1100, 150}, {300, 41, 263},
                                    {1, 130, 5408}, {3, 700, 1500}, {32, 64, 2000},
                                    {13, 50, 4001}};
    for (int level = NNL_SIMD_SCALAR; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *kt = nnl_kernels_for((nnl_simd)level);
        if (!kt)
            continue;
        for (size_t ci = 0; ci < sizeof big / sizeof big[0]; ci++) {
            for (int t = 0; t < 4; t++) {
                operands o;
                operands_init(&o, &big[ci], t >> 1, t & 1, 100 + (uint32_t)(ci * 4 + t));
                for (int threads = 1; threads <= 3; threads++)
                    check_case(kt, &o, scalings[3], threads);
                operands_free(&o);
            }
        }
    }
}

/* Same inputs and thread count, same bits. */
static void results_are_deterministic(void **state)
{
    (void)state;
    const gemm_case shape = {130, 300, 520};
    operands o;
    operands_init(&o, &shape, 0, 1, 7);
    const nnl_kernels *kt = nnl_kernels_active();
    for (int threads = 1; threads <= 3; threads++) {
        operands_reset_c(&o, o.c, 0.0f);
        kt->sgemm(0, 1, o.m, o.n, o.k, 1.0f, o.a, o.lda, o.b, o.ldb, 0.0f, o.c, o.ldc, threads);
        for (int run = 0; run < 3; run++) {
            operands_reset_c(&o, o.ref, 0.0f);
            kt->sgemm(0, 1, o.m, o.n, o.k, 1.0f, o.a, o.lda, o.b, o.ldb, 0.0f, o.ref, o.ldc,
                      threads);
            assert_memory_equal(o.c, o.ref, sizeof(float) * (size_t)(o.m * o.ldc));
        }
    }
    operands_free(&o);
}

/* When a pack buffer cannot be allocated the kernel computes the result
 * anyway (it has no way to fail). With one thread and an empty buffer pool
 * the first allocation is the pool entry and the second its data, so this
 * must run before any other test fills the pool: first in main(). */
static void allocation_failure_still_computes(void **state)
{
    (void)state;
    const gemm_case shape = {64, 200, 300};
    operands o;
    operands_init(&o, &shape, 0, 0, 11);
    for (int64_t fail_at = 1; fail_at <= 2; fail_at++) {
        nnl_testing_fail_allocation(fail_at);
        check_case(nnl_kernels_active(), &o, scalings[2], 1);
    }
    nnl_testing_fail_allocation(0);
    check_case(nnl_kernels_active(), &o, scalings[2], 2);
    operands_free(&o);
}

static void public_entry_uses_active_level(void **state)
{
    (void)state;
    const gemm_case shape = {45, 77, 99};
    operands o;
    operands_init(&o, &shape, 1, 0, 21);
    assert_ok(nnl_set_num_threads(2));
    operands_reset_c(&o, o.c, 0.0f);
    operands_reset_c(&o, o.ref, 0.0f);
    assert_ok(nnl_sgemm(NNL_TRANS, NNL_NO_TRANS, o.m, o.n, o.k, 2.0f, o.a, o.lda, o.b, o.ldb, 0.0f,
                        o.c, o.ldc));
    nnl_sgemm_scalar(1, 0, o.m, o.n, o.k, 2.0f, o.a, o.lda, o.b, o.ldb, 0.0f, o.ref, o.ldc, 1);
    assert_close(&o, 2.0f, 0.0f, "nnl_sgemm");
    operands_free(&o);
}

static void zero_sizes(void **state)
{
    (void)state;
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 1, 1, 1, 1, 1};
    float c[4] = {1, 2, 3, 4};
    /* k == 0: C = beta * C */
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 0, 1.0f, NULL, 1, NULL, 2, 0.5f, c, 2));
    assert_true(c[0] == 0.5f && c[1] == 1.0f && c[2] == 1.5f && c[3] == 2.0f);
    c[0] = NAN;
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 0, 1.0f, NULL, 1, NULL, 2, 0.0f, c, 2));
    assert_true(c[0] == 0.0f && c[3] == 0.0f);
    /* m == 0 or n == 0: nothing to do, nothing read */
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 0, 2, 3, 1.0f, a, 3, b, 2, 0.0f, NULL, 2));
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 0, 3, 1.0f, a, 3, b, 1, 0.0f, NULL, 1));
}

static void invalid_arguments(void **state)
{
    (void)state;
    float a[16] = {0}, b[16] = {0}, c[16] = {0};
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, -1, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "m=-1");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, -3, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "n=-3");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, -4, 1.0f, a, 2, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "k=-4");
    assert_status_msg(nnl_sgemm((nnl_transpose)2, NNL_NO_TRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c,
                                2),
                      NNL_E_INVALID_ARG, "trans_a=2");
    /* A is 3x4 (lda >= 4), or 4x3 stored transposed (lda >= 3) */
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 3, 2, 4, 1.0f, a, 3, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "lda=3");
    assert_status_msg(nnl_sgemm(NNL_TRANS, NNL_NO_TRANS, 3, 2, 4, 1.0f, a, 2, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "lda=2");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 3, 2, 1.0f, a, 2, b, 2, 0.0f, c, 3),
                      NNL_E_INVALID_ARG, "ldb=2");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_TRANS, 2, 3, 4, 1.0f, a, 4, b, 3, 0.0f, c, 3),
                      NNL_E_INVALID_ARG, "ldb=3");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 3, 2, 1.0f, a, 2, b, 3, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "ldc=2");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 2, 1.0f, NULL, 2, b, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "a is NULL");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 2, 1.0f, a, 2, NULL, 2, 0.0f, c, 2),
                      NNL_E_INVALID_ARG, "b is NULL");
    assert_status_msg(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, NULL, 2),
                      NNL_E_INVALID_ARG, "c is NULL");
}

/* The cache blocks for the caches of three CPUs (gemm_blocks.c's header),
 * and their invariants for every cache size from 16 KB L1 / 128 KB L2 up. */
static void blocks_follow_the_caches(void **state)
{
    (void)state;
    const struct {
        int mr, nr;
        nnl_cpu_caches caches;
        nnl_gemm_blocks want;
    } known[] = {
        {6, 16, {32 << 10, 512 << 10, 32 << 20}, {272, 120, 480}},   /* Zen 2/3, AVX2 */
        {8, 32, {48 << 10, 1 << 20, 32 << 20}, {224, 288, 1152}},    /* Zen 5, AVX-512 */
        {8, 32, {48 << 10, 2 << 20, 105 << 20}, {224, 584, 2336}},   /* Sapphire Rapids */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        nnl_gemm_blocks b = nnl_gemm_blocks_for(known[i].mr, known[i].nr, &known[i].caches);
        assert_int_equal(b.kc, known[i].want.kc);
        assert_int_equal(b.mc, known[i].want.mc);
        assert_int_equal(b.nc, known[i].want.nc);
    }
    for (int64_t l1 = 16 << 10; l1 <= 256 << 10; l1 *= 2) {
        for (int64_t l2 = 128 << 10; l2 <= 8 << 20; l2 *= 2) {
            nnl_cpu_caches c = {l1, l2, 0};
            nnl_gemm_blocks b = nnl_gemm_blocks_for(6, 16, &c);
            assert_true(b.kc >= 128 && b.kc <= 384 && b.kc % 16 == 0);
            assert_true(b.nc >= 64 && b.nc % 16 == 0);
            assert_true(b.kc == 128 || (6 + 16) * b.kc * 4 <= l1 * 3 / 4); /* A and B panels in L1 */
            assert_true(b.nc == 64 || b.kc * b.nc * 4 <= l2);             /* the B block in L2 */
            assert_true(b.mc >= 6 && b.mc % 6 == 0);
        }
    }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocation_failure_still_computes), /* first: see its comment */
        cmocka_unit_test(every_level_matches_scalar),
        cmocka_unit_test(threaded_shapes_match_scalar),
        cmocka_unit_test(results_are_deterministic),
        cmocka_unit_test(public_entry_uses_active_level),
        cmocka_unit_test(zero_sizes),
        cmocka_unit_test(invalid_arguments),
        cmocka_unit_test(blocks_follow_the_caches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
