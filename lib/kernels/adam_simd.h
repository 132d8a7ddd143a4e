/* Adam/AdamW step and sum of squares, SIMD body shared by adam_avx2.c and
 * adam_avx512.c (include vec_<isa>.h first). Formulas and shapes: adam.c.
 *
 * The step reads w, g, m, v and writes w, m, v once per element in a single
 * pass (the optimizer touches every parameter each step, so separate passes
 * would multiply the memory traffic). The bias corrections become
 * multiplications by 1/bc1 and 1/bc2; the sqrt and one division remain.
 * Large calls split n over threads (parallel.h): the step is elementwise (the
 * same bits for any thread count); the sum of squares adds the threads'
 * partial sums in thread order. */
#include <float.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

typedef struct adam_consts {
    vf tiny, b1, one_minus_b1, b2, one_minus_b2, inv_bc1, inv_bc2, eps, wd, lr, grad_scale;
} adam_consts;

/* x, or 0 where |x| < FLT_MIN (why: flush_tiny in adam.c). NaN stays. */
NNL_INLINE vf flush_tiny(const adam_consts *c, vf x) { return vf_select(vf_lt(vf_abs(x), c->tiny), vf_zero(), x); }

/* One vector of parameters; `masked` (a constant) selects the tail version. */
NNL_INLINE void adam_vec(const adam_consts *c, float *w, const float *g, float *m, float *v,
                         int masked, vmask k)
{
    vf gv = vf_mul(vf_load_tail(g, masked, k), c->grad_scale);
    vf mv = flush_tiny(c, vf_fmadd(c->b1, vf_load_tail(m, masked, k), vf_mul(c->one_minus_b1, gv)));
    vf vv = flush_tiny(c, vf_fmadd(c->b2, vf_load_tail(v, masked, k), vf_mul(vf_mul(c->one_minus_b2, gv), gv)));
    vf wv = vf_load_tail(w, masked, k);
    vf denom = vf_add(vf_sqrt(vf_mul(vv, c->inv_bc2)), c->eps);
    vf step = vf_fmadd(c->wd, wv, vf_div(vf_mul(mv, c->inv_bc1), denom));
    vf_store_tail(m, masked, k, mv);
    vf_store_tail(v, masked, k, vv);
    vf_store_tail(w, masked, k, vf_fnmadd(c->lr, step, wv));
}

static void adam_part(const adam_consts *c, int64_t n, float *w, const float *g, float *m, float *v)
{
    int64_t i = 0;
    for (; i + VL <= n; i += VL)
        adam_vec(c, w + i, g + i, m + i, v + i, 0, vmask_first(VL));
    if (i < n)
        adam_vec(c, w + i, g + i, m + i, v + i, 1, vmask_first(n - i));
}

typedef struct adam_job {
    const adam_consts *c;
    int64_t n;
    float *w;
    const float *g;
    float *m, *v;
} adam_job;

static void adam_job_part(void *arg, int part, int parts)
{
    const adam_job *j = arg;
    int64_t begin, end;
    nnl_parallel_share(j->n, 16, part, parts, &begin, &end);
    adam_part(j->c, end - begin, j->w + begin, j->g + begin, j->m + begin, j->v + begin);
}

void SIMD_FN(adam_update)(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                          float b1, float b2, float eps, float bc1, float bc2, float wd,
                          float grad_scale)
{
    adam_consts c = {
        .tiny = vf_set1(FLT_MIN), .b1 = vf_set1(b1), .one_minus_b1 = vf_set1(1.0f - b1),
        .b2 = vf_set1(b2), .one_minus_b2 = vf_set1(1.0f - b2),
        .inv_bc1 = vf_set1(1.0f / bc1), .inv_bc2 = vf_set1(1.0f / bc2),
        .eps = vf_set1(eps), .wd = vf_set1(wd), .lr = vf_set1(lr), .grad_scale = vf_set1(grad_scale),
    };
    adam_job j = {&c, n, w, g, m, v};
    nnl_parallel_run(kernel_team(7 * n, n / 4096), adam_job_part, &j);
}

/* Two pairs of double accumulators (each vf fills two vd halves). */
static double sum_squares_part(int64_t n, const float *x)
{
    vd a0 = vd_zero(), a1 = vd_zero(), a2 = vd_zero(), a3 = vd_zero();
    int64_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        vd_add_squares(&a0, &a1, vf_load(x + i));
        vd_add_squares(&a2, &a3, vf_load(x + i + VL));
    }
    for (; i < n; i += VL)
        vd_add_squares(&a0, &a1, vf_load_mask(x + i, vmask_first(n - i)));
    return vd_hsum(vd_add(vd_add(a0, a1), vd_add(a2, a3)));
}

typedef struct sum_squares_job {
    int64_t n;
    const float *x;
    double partial[NNL_PARALLEL_MAX_THREADS]; /* one per part, added in part order */
} sum_squares_job;

static void sum_squares_job_part(void *arg, int part, int parts)
{
    sum_squares_job *j = arg;
    int64_t begin, end;
    nnl_parallel_share(j->n, 16, part, parts, &begin, &end);
    j->partial[part] = sum_squares_part(end - begin, j->x + begin);
}

double SIMD_FN(sum_squares)(int64_t n, const float *x)
{
    int team = kernel_team(n, n / 4096);
    if (team == 1)
        return sum_squares_part(n, x);
    sum_squares_job j = {n, x, {0}};
    nnl_parallel_run(team, sum_squares_job_part, &j);
    double total = 0.0;
    for (int t = 0; t < team; t++)
        total += j.partial[t];
    return total;
}
