/* Elementwise activations, SIMD body shared by act_avx2.c and act_avx512.c
 * (include vec_<isa>.h first). Semantics and shapes: act.c.
 *
 * sigmoid and tanh use vf_sigmoid/vf_tanh (vec_common.h). gelu uses the
 * identity 0.5 (1 + tanh(u)) = sigmoid(2u), so y = x * sigmoid(2u) and
 *   gelu'(x) = s + 2 x s (1 - s) du/dx,   s = sigmoid(2u),
 * one exp and one division per element instead of a tanh and its cancellation
 * for negative x. Each kind gets its own loop (the switch is outside).
 * Large calls split n over threads (parallel.h); elementwise, so the bits do
 * not depend on the thread count. */
#include <stddef.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

#define GELU_K 0.7978845608028654f
#define GELU_C 0.044715f

/* sigmoid(2u) with u = k (x + c x^3) = k x (1 + c x^2). */
NNL_INLINE vf gelu_gate(vf x)
{
    vf x2 = vf_mul(x, x);
    vf two_u = vf_mul(vf_mul(vf_set1(2.0f * GELU_K), x), vf_fmadd(vf_set1(GELU_C), x2, vf_set1(1.0f)));
    return vf_sigmoid(two_u);
}

NNL_INLINE vf act_fwd(nnl_act_kind kind, vf x)
{
    switch (kind) {
    case NNL_ACT_KIND_RELU: return vf_max(x, vf_zero());
    case NNL_ACT_KIND_SIGMOID: return vf_sigmoid(x);
    case NNL_ACT_KIND_TANH: return vf_tanh(x);
    case NNL_ACT_KIND_GELU: return vf_mul(x, gelu_gate(x));
    }
    return x;
}

/* dy * act'(.) from x (gelu) or y (the others). */
NNL_INLINE vf act_bwd(nnl_act_kind kind, vf x, vf y, vf dy)
{
    vf one = vf_set1(1.0f);
    switch (kind) {
    case NNL_ACT_KIND_RELU: return vf_select(vf_gt(y, vf_zero()), dy, vf_zero());
    case NNL_ACT_KIND_SIGMOID: return vf_mul(vf_mul(dy, y), vf_sub(one, y));
    case NNL_ACT_KIND_TANH: return vf_mul(dy, vf_fnmadd(y, y, one));
    case NNL_ACT_KIND_GELU: {
        vf s = gelu_gate(x);
        vf du_dx = vf_fmadd(vf_set1(3.0f * GELU_C * GELU_K), vf_mul(x, x), vf_set1(GELU_K));
        vf two_x_1ms = vf_mul(vf_add(x, x), vf_sub(one, s));
        return vf_mul(dy, vf_mul(s, vf_fmadd(two_x_1ms, du_dx, one)));
    }
    }
    return dy;
}

NNL_INLINE void act_fwd_loop(nnl_act_kind kind, int64_t n, const float *x, float *y)
{
    int64_t i = 0;
    for (; i + VL <= n; i += VL)
        vf_store(y + i, act_fwd(kind, vf_load(x + i)));
    if (i < n) {
        vmask m = vmask_first(n - i);
        vf_store_mask(y + i, m, act_fwd(kind, vf_load_mask(x + i, m)));
    }
}

/* Only the pointer the kind reads is dereferenced (the other may be NULL). */
NNL_INLINE void act_bwd_loop(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                             const float *dy, float *dx)
{
    int reads_x = kind == NNL_ACT_KIND_GELU;
    int64_t i = 0;
    for (; i + VL <= n; i += VL) {
        vf xv = reads_x ? vf_load(x + i) : vf_zero();
        vf yv = reads_x ? vf_zero() : vf_load(y + i);
        vf_store(dx + i, act_bwd(kind, xv, yv, vf_load(dy + i)));
    }
    if (i < n) {
        vmask m = vmask_first(n - i);
        vf xv = reads_x ? vf_load_mask(x + i, m) : vf_zero();
        vf yv = reads_x ? vf_zero() : vf_load_mask(y + i, m);
        vf_store_mask(dx + i, m, act_bwd(kind, xv, yv, vf_load_mask(dy + i, m)));
    }
}

static void act_fwd_part(nnl_act_kind kind, int64_t n, const float *x, float *y)
{
    switch (kind) {
    case NNL_ACT_KIND_RELU: act_fwd_loop(NNL_ACT_KIND_RELU, n, x, y); break;
    case NNL_ACT_KIND_SIGMOID: act_fwd_loop(NNL_ACT_KIND_SIGMOID, n, x, y); break;
    case NNL_ACT_KIND_TANH: act_fwd_loop(NNL_ACT_KIND_TANH, n, x, y); break;
    case NNL_ACT_KIND_GELU: act_fwd_loop(NNL_ACT_KIND_GELU, n, x, y); break;
    }
}

static void act_bwd_part(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                         const float *dy, float *dx)
{
    switch (kind) {
    case NNL_ACT_KIND_RELU: act_bwd_loop(NNL_ACT_KIND_RELU, n, x, y, dy, dx); break;
    case NNL_ACT_KIND_SIGMOID: act_bwd_loop(NNL_ACT_KIND_SIGMOID, n, x, y, dy, dx); break;
    case NNL_ACT_KIND_TANH: act_bwd_loop(NNL_ACT_KIND_TANH, n, x, y, dy, dx); break;
    case NNL_ACT_KIND_GELU: act_bwd_loop(NNL_ACT_KIND_GELU, n, x, y, dy, dx); break;
    }
}

/* p + offset, keeping NULL (the pointer an activation does not read). */
NNL_INLINE const float *offset_or_null(const float *p, int64_t offset) { return p ? p + offset : NULL; }

typedef struct act_job {
    nnl_act_kind kind;
    int64_t n;
    const float *x, *y, *dy;
    float *out; /* y for the forward, dx for the backward */
} act_job;

static void act_fwd_job(void *arg, int part, int parts)
{
    const act_job *j = arg;
    int64_t begin, end;
    nnl_parallel_share(j->n, 16, part, parts, &begin, &end);
    act_fwd_part(j->kind, end - begin, j->x + begin, j->out + begin);
}

void SIMD_FN(act_forward)(nnl_act_kind kind, int64_t n, const float *x, float *y)
{
    act_job j = {kind, n, x, NULL, NULL, y};
    nnl_parallel_run(kernel_team(2 * n, n / 4096), act_fwd_job, &j);
}

static void act_bwd_job(void *arg, int part, int parts)
{
    const act_job *j = arg;
    int64_t begin, end;
    nnl_parallel_share(j->n, 16, part, parts, &begin, &end);
    act_bwd_part(j->kind, end - begin, offset_or_null(j->x, begin), offset_or_null(j->y, begin), j->dy + begin,
                 j->out + begin);
}

void SIMD_FN(act_backward)(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                           const float *dy, float *dx)
{
    act_job j = {kind, n, x, y, dy, dx};
    nnl_parallel_run(kernel_team(3 * n, n / 4096), act_bwd_job, &j);
}
