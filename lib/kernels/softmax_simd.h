/* Row-wise softmax and fused softmax + cross-entropy, SIMD body shared by
 * softmax_avx2.c and softmax_avx512.c (include vec_<isa>.h first). Shapes and
 * the loss formula: softmax.c.
 *
 * Three passes per row, all from L1 for rows of up to ~8k classes: the
 * maximum; exp(x - max) stored (into probs, or dlogits when probs is NULL)
 * and summed; the scaling into probs and/or dlogits. Two independent
 * accumulators per pass hide the add/max latency. The one-hot subtraction
 * touches a single element, so the vector pass writes p * scale everywhere
 * and the label's element is fixed afterwards with the same arithmetic as
 * the scalar oracle. Large calls split the rows over threads (parallel.h);
 * the loss adds the threads' partial sums in thread order. */
#include <math.h>
#include <stddef.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

NNL_INLINE float row_max(int64_t n, const float *x)
{
    vf m0 = vf_set1(-INFINITY), m1 = m0;
    int64_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        m0 = vf_max(m0, vf_load(x + i));
        m1 = vf_max(m1, vf_load(x + i + VL));
    }
    for (; i < n; i += VL)
        m0 = vf_max(m0, vf_load_mask_fill(x + i, vmask_first(n - i), vf_set1(-INFINITY)));
    return vf_hmax(vf_max(m0, m1));
}

/* out[i] = exp(x[i] - m) when out is not NULL (out may be x); returns the sum. */
NNL_INLINE float exp_row(int64_t n, const float *x, float m, float *out)
{
    vf vm = vf_set1(m), s0 = vf_zero(), s1 = vf_zero();
    int64_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        vf e0 = vf_exp(vf_sub(vf_load(x + i), vm));
        vf e1 = vf_exp(vf_sub(vf_load(x + i + VL), vm));
        if (out) {
            vf_store(out + i, e0);
            vf_store(out + i + VL, e1);
        }
        s0 = vf_add(s0, e0);
        s1 = vf_add(s1, e1);
    }
    for (; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        vf e = vf_keep(k, vf_exp(vf_sub(vf_load_mask(x + i, k), vm)));
        if (out)
            vf_store_first(out + i, n - i, k, e);
        s0 = vf_add(s0, e);
    }
    return vf_hsum(vf_add(s0, s1));
}

/* p[i] = e[i] * inv and d[i] = p[i] * scale, each only when not NULL (e may
 * be p or d). */
NNL_INLINE void scale_row(int64_t n, const float *e, float inv, float *p, float *d, float scale)
{
    vf vinv = vf_set1(inv), vscale = vf_set1(scale);
    int64_t i = 0;
    for (; i + VL <= n; i += VL) {
        vf pv = vf_mul(vf_load(e + i), vinv);
        if (p)
            vf_store(p + i, pv);
        if (d)
            vf_store(d + i, vf_mul(pv, vscale));
    }
    if (i < n) {
        vmask k = vmask_first(n - i);
        vf pv = vf_mul(vf_load_mask(e + i, k), vinv);
        if (p)
            vf_store_mask(p + i, k, pv);
        if (d)
            vf_store_mask(d + i, k, vf_mul(pv, vscale));
    }
}

static void softmax_rows(int64_t r0, int64_t r1, int64_t cols, const float *logits, float *probs)
{
    for (int64_t r = r0; r < r1; r++) {
        const float *x = logits + r * cols;
        float *p = probs + r * cols;
        float inv = 1.0f / exp_row(cols, x, row_max(cols, x), p);
        scale_row(cols, p, inv, p, NULL, 0.0f);
    }
}

/* The arguments of one softmax or softmax_xent call; parts take row ranges. */
typedef struct softmax_job {
    int64_t rows, cols;
    const float *logits;
    const int32_t *labels;
    float scale;
    float *probs, *dlogits;
    double partial[NNL_PARALLEL_MAX_THREADS]; /* xent: one loss sum per part */
    int64_t hits[NNL_PARALLEL_MAX_THREADS];   /* xent: rows whose label is the max, per part */
} softmax_job;

static void softmax_part(void *arg, int part, int parts)
{
    const softmax_job *j = arg;
    int64_t r0, r1;
    nnl_parallel_share(j->rows, 1, part, parts, &r0, &r1);
    softmax_rows(r0, r1, j->cols, j->logits, j->probs);
}

void SIMD_FN(softmax)(int64_t rows, int64_t cols, const float *logits, float *probs)
{
    softmax_job j = {.rows = rows, .cols = cols, .logits = logits, .probs = probs};
    nnl_parallel_run(kernel_team(2 * rows * cols, rows), softmax_part, &j);
}

/* Rows [r0, r1) of softmax_xent; returns their loss sum and adds to *hits
 * the rows whose label's logit is the row's max. */
static double xent_rows(int64_t r0, int64_t r1, int64_t cols, const float *logits,
                        const int32_t *labels, float scale, float *probs, float *dlogits, int64_t *hits)
{
    double total = 0.0;
    for (int64_t r = r0; r < r1; r++) {
        const float *x = logits + r * cols;
        float *p = probs ? probs + r * cols : NULL;
        float *d = dlogits ? dlogits + r * cols : NULL;
        int32_t label = labels[r];
        float x_label = x[label]; /* before d, which may alias x, is written */
        float m = row_max(cols, x);
        float *e = p ? p : d;
        float sum = exp_row(cols, x, m, e);
        total += log((double)sum) + (double)m - (double)x_label;
        *hits += x_label >= m;
        if (!e)
            continue;
        float inv = 1.0f / sum;
        float e_label = e[label]; /* before scale_row overwrites it when e == d */
        scale_row(cols, e, inv, p, d, scale);
        if (d)
            d[label] = (e_label * inv - 1.0f) * scale;
    }
    return total;
}

static void xent_part(void *arg, int part, int parts)
{
    softmax_job *j = arg;
    int64_t r0, r1;
    nnl_parallel_share(j->rows, 1, part, parts, &r0, &r1);
    j->hits[part] = 0;
    j->partial[part] = xent_rows(r0, r1, j->cols, j->logits, j->labels, j->scale, j->probs, j->dlogits,
                                 &j->hits[part]);
}

double SIMD_FN(softmax_xent)(int64_t rows, int64_t cols, const float *logits, const int32_t *labels,
                             float scale, float *probs, float *dlogits, int64_t *correct)
{
    int team = kernel_team(2 * rows * cols, rows);
    int64_t hits = 0;
    double total = 0.0;
    if (team == 1) {
        total = xent_rows(0, rows, cols, logits, labels, scale, probs, dlogits, &hits);
    } else {
        softmax_job j = {rows, cols, logits, labels, scale, probs, dlogits, {0}, {0}};
        nnl_parallel_run(team, xent_part, &j);
        for (int t = 0; t < team; t++) {
            total += j.partial[t];
            hits += j.hits[t];
        }
    }
    if (correct)
        *correct = hits;
    return total;
}
