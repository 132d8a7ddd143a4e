/* Shared helpers for the cmocka tests. */
#ifndef NNL_TEST_UTIL_H
#define NNL_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "nnlite.h"

/* Assert a call returns `expected` and that the last error mentions `needle`. */
#define assert_status_msg(call, expected, needle)                                  \
    do {                                                                           \
        nnl_status got_ = (call);                                                  \
        if (got_ != (expected))                                                    \
            fail_msg("%s returned %d (%s), expected %d; last error: %s", #call,   \
                     (int)got_, nnl_status_str(got_), (int)(expected), nnl_last_error()); \
        if (strstr(nnl_last_error(), (needle)) == NULL)                            \
            fail_msg("%s: message '%s' lacks '%s'", #call, nnl_last_error(), (needle)); \
    } while (0)

#define assert_ok(call)                                                            \
    do {                                                                           \
        nnl_status got_ = (call);                                                  \
        if (got_ != NNL_OK)                                                        \
            fail_msg("%s failed: %s: %s", #call, nnl_status_str(got_), nnl_last_error()); \
    } while (0)

/* Fill with deterministic values in [-1, 1) (a small LCG; tests only). */
static inline void test_fill_random(float *x, int64_t n, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1u;
    for (int64_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
}

/* The test runner sets NNL_TEST_REQUIRE_SIMD to the level it forced; a test
 * binary checks it really runs at that level (and not silently scalar). A
 * level this CPU cannot run (AVX-512 on an AVX2-only machine) skips the
 * binary with meson's exit code 77, so that the suite passes on any x86 CPU
 * and still fails when a level the CPU has is not used. */
static inline int test_cpu_has(const char *level)
{
#if defined(__x86_64__) || defined(__i386__)
    if (strcmp(level, "avx512") == 0)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    if (strcmp(level, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return 1;
}

static inline void test_check_simd_level(void)
{
    const char *want = getenv("NNL_TEST_REQUIRE_SIMD");
    if (!want || strcmp(want, nnl_simd_name(nnl_simd_level())) == 0)
        return;
    if (!test_cpu_has(want)) {
        printf("# SKIP: this CPU cannot run %s\n", want);
        exit(77);
    }
    fail_msg("NNL_SIMD=%s requested but the library runs %s", want, nnl_simd_name(nnl_simd_level()));
}

#endif
