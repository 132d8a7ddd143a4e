/* Helpers shared by the kernel tests: the tables to compare with the scalar
 * oracle, buffers, and array comparison with a tolerance. */
#ifndef NNL_TESTS_KERNEL_TEST_H
#define NNL_TESTS_KERNEL_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"

#include "kernels/kernels.h"

/* The scalar table (the oracle). */
static inline const nnl_kernels *scalar_table(void)
{
    const nnl_kernels *k = nnl_kernels_for(NNL_SIMD_SCALAR);
    assert_non_null(k);
    return k;
}

/* The non-scalar tables this build and CPU can run; returns how many. */
static inline int simd_tables(const nnl_kernels *out[NNL_SIMD_NEON])
{
    int count = 0;
    for (int level = NNL_SIMD_AVX2; level <= NNL_SIMD_NEON; level++) {
        const nnl_kernels *k = nnl_kernels_for((nnl_simd)level);
        if (k)
            out[count++] = k;
    }
    return count;
}

/* n floats (at least one, so n == 0 still gives a valid pointer), all NaN:
 * an output element a kernel forgets to write fails every comparison. */
static inline float *test_floats(int64_t n)
{
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    assert_non_null(p);
    for (int64_t i = 0; i < n; i++)
        p[i] = NAN;
    return p;
}

/* Refill an output buffer with NaN before a kernel writes it again. */
static inline void test_poison(float *p, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = NAN;
}

static inline float *test_random(int64_t n, uint32_t seed, float scale)
{
    float *p = test_floats(n);
    test_fill_random(p, n, seed);
    for (int64_t i = 0; i < n; i++)
        p[i] *= scale;
    return p;
}

static inline float *test_copy(const float *src, int64_t n)
{
    float *p = test_floats(n);
    memcpy(p, src, (size_t)n * sizeof(float));
    return p;
}

/* Fail unless |got - want| <= atol + rtol * |want| everywhere (NaN fails). */
static inline void assert_close(const char *what, const float *got, const float *want, int64_t n,
                                double atol, double rtol)
{
    for (int64_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        if (!(fabs(g - w) <= atol + rtol * fabs(w)))
            fail_msg("%s: element %lld of %lld is %.9g, expected %.9g (atol %g, rtol %g)", what,
                     (long long)i, (long long)n, g, w, atol, rtol);
    }
}

/* Fail unless the arrays are identical bit for bit. */
static inline void assert_same_bits(const char *what, const float *a, const float *b, int64_t n)
{
    if (memcmp(a, b, (size_t)n * sizeof(float)) != 0)
        fail_msg("%s: results differ", what);
}

/* One axis of a window: valid padding or same padding (Keras: the extra
 * padding cell goes after), as the layers compute it. */
static inline void test_window_axis(int64_t in, int64_t kernel, int64_t stride, int same,
                                    int64_t *out, int64_t *pad)
{
    if (same) {
        *out = (in + stride - 1) / stride;
        int64_t total = (*out - 1) * stride + kernel - in;
        *pad = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - kernel) / stride + 1;
        *pad = 0;
    }
}

/* Geometry of a conv (out_c output channels) or pool (out_c == in_c). */
static inline nnl_conv_shape test_shape(int64_t batch, int64_t h, int64_t w, int64_t in_c,
                                        int64_t out_c, int64_t kh, int64_t kw, int64_t stride,
                                        int same)
{
    nnl_conv_shape s = {batch, h, w, in_c, 0, 0, out_c, kh, kw, stride, stride, 0, 0};
    test_window_axis(h, kh, stride, same, &s.out_h, &s.pad_top);
    test_window_axis(w, kw, stride, same, &s.out_w, &s.pad_left);
    return s;
}

static inline void shape_name(char *buf, size_t size, const nnl_conv_shape *s)
{
    snprintf(buf, size, "n%lld %lldx%lldx%lld -> %lldx%lldx%lld k%lldx%lld s%lld p%lld,%lld",
             (long long)s->batch, (long long)s->in_h, (long long)s->in_w, (long long)s->in_c,
             (long long)s->out_h, (long long)s->out_w, (long long)s->out_c, (long long)s->kernel_h,
             (long long)s->kernel_w, (long long)s->stride_h, (long long)s->pad_top,
             (long long)s->pad_left);
}

#endif
