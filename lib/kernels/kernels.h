/* Internal: the table of compute kernels for one SIMD level.
 *
 * Kernels are pure functions on raw float pointers and sizes: they know
 * nothing about handles, never allocate on their hot path and never fail
 * (callers validate shapes first). Each op family lives in lib/kernels/<op>.c
 * (scalar reference, the oracle) and <op>_<isa>.c (SIMD variants built with
 * their own compiler flags). The ops are listed once, in ops.def; the
 * per-ISA functions are named nnl_<op>_<isa>; dispatch.c assembles one
 * table per level, falling back to the scalar function where a level has no
 * variant of its own.
 *
 * Layout conventions: row-major; images are NHWC (batch, height, width,
 * channels), as in Keras, so channels are contiguous and SIMD runs across
 * them; conv weights are HWIO (kh, kw, c_in, c_out).
 *
 * Threads: kernels with a `threads` argument use up to that many (fewer
 * when the work does not pay for them). The SIMD activations, softmax,
 * pooling, Adam, sum of squares and the recurrent cells have none and split large calls (from
 * 64k floats) over nnl_threads_get() threads of the library's pool
 * (parallel.h, core/pool.h). Results are deterministic for a given thread
 * count. */
#ifndef NNL_KERNELS_KERNELS_H
#define NNL_KERNELS_KERNELS_H

#include <stdint.h>

#include "nnlite/runtime.h"

/* Geometry of a 2-D convolution or pooling window over NHWC tensors. */
typedef struct nnl_conv_shape {
    int64_t batch;
    int64_t in_h, in_w, in_c;
    int64_t out_h, out_w, out_c;   /* for pooling out_c == in_c */
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w;
    int64_t pad_top, pad_left;     /* zero padding before the first row/column */
} nnl_conv_shape;

/* Geometry of attention over one head (see attention.c):
 * q (tq, head_size) with row stride ld_q; k and v (tk, head_size) with row
 * stride ld_kv; out (tq, head_size) with row stride ld_out. Causal: query i
 * sits at position tk - tq + i and attends to keys 0 .. tk - tq + i, so
 * tq == tk is a training sequence and tq == 1 one generation step over a KV
 * cache. Bidirectional (an encoder): every query attends to keys 0 .. tk - 1,
 * so a sequence followed by padding passes tk = its length (the key-padding
 * mask) while its tq queries include the padded positions. */
typedef struct nnl_attn_shape {
    int64_t tq, tk;            /* queries and keys, 1 <= tq <= tk when causal, 1 <= tk when not */
    int64_t head_size;
    int64_t ld_q, ld_kv, ld_out;
    float scale;               /* usually 1 / sqrt(head_size) */
    int bidirectional;         /* 0: causal (the default of an initialiser that leaves it out) */
} nnl_attn_shape;

/* Elementwise activations. */
typedef enum nnl_act_kind {
    NNL_ACT_KIND_RELU,
    NNL_ACT_KIND_SIGMOID,
    NNL_ACT_KIND_TANH,
    NNL_ACT_KIND_GELU      /* tanh approximation, as GPT-2 */
} nnl_act_kind;

/* One function pointer per op of ops.def, named and typed as listed there
 * (k->sgemm, k->softmax_xent, ...); see ops.def for each op's contract. */
typedef struct nnl_kernels {
    nnl_simd level;
#define NNL_KERNEL_OP(name, ret, params, avx2, avx512, neon) ret(*name) params;
#include "kernels/ops.def"
#undef NNL_KERNEL_OP
} nnl_kernels;

/* The table of the active level (nnl_simd_level()). */
const nnl_kernels *nnl_kernels_active(void);
/* The profiled table (profiled.c): `active`'s functions, each recorded as
 * a profiler event. nnl_kernels_active() returns it while the profiler
 * runs; `active` must be the same table on every call. */
const nnl_kernels *nnl_kernels_profiled(const nnl_kernels *active);
/* The table of a given level, or NULL when this build/CPU cannot run it
 * (used by tests to compare every level with scalar). */
const nnl_kernels *nnl_kernels_for(nnl_simd level);

#endif
