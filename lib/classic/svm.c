/* RBF SVM, one-vs-one as libsvm and scikit-learn's SVC: one SMO problem
 * per class pair (svm_smo.c) on kernel rows of bounded memory
 * (svm_kernel.c), the pairs solved in parallel when the rows are shared;
 * then the support vectors of all pairs gathered in libsvm's layout
 * (estimator.h, nnl_svm_model) and, with probability, a Platt sigmoid per
 * pair. Prediction: the kernel values of a block of samples against all
 * support vectors are one GEMM; each pair votes. */
#include <math.h>
#include <string.h>

#include "classic/estimator.h"
#include "classic/svm_kernel.h"
#include "classic/svm_prob.h"
#include "classic/svm_smo.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"
#include "kernels/kernels.h"

typedef struct svm_fit {
    nnl_estimator *e;
    nnl_svm_kernel kernel;
    const int64_t *cs;   /* K + 1: class k's sorted samples are [cs[k], cs[k + 1]) */
    int64_t pairs;
    int64_t *offset;     /* pairs + 1: pair p's alphas are alpha[offset[p] ..] */
    double *alpha, *grad; /* offset[pairs] each */
    double *rho;         /* pairs */
} svm_fit;

/* Pair p = (a, b), a < b, in the order (0,1), (0,2) .. (0,K-1), (1,2) .. */
static void pair_classes(int32_t k, int64_t p, int32_t *a, int32_t *b)
{
    int32_t i = 0;
    while (p >= k - 1 - i)
        p -= k - 1 - i++;
    *a = i;
    *b = (int32_t)(i + 1 + p);
}

static void solve_pair(svm_fit *s, int64_t p)
{
    int32_t a, b;
    pair_classes(s->e->num_classes, p, &a, &b);
    int64_t na = s->cs[a + 1] - s->cs[a], nb = s->cs[b + 1] - s->cs[b];
    double *alpha = s->alpha + s->offset[p], *grad = s->grad + s->offset[p];
    if (na == 0 || nb == 0) { /* a class without samples: the other always wins */
        for (int64_t t = 0; t < na + nb; t++)
            alpha[t] = 0.0, grad[t] = -1.0;
        s->rho[p] = na ? -1.0 : 1.0;
        return;
    }
    const nnl_estimator_options *o = &s->e->opt;
    /* libsvm's bound when none is given: the solver always ends */
    int64_t max_iter = o->max_iter > 0 ? o->max_iter : 100 * (na + nb) > 10000000 ? 100 * (na + nb) : 10000000;
    nnl_smo_problem prob = {&s->kernel, s->cs[a], na, s->cs[b], nb, o->c, o->tolerance > 0 ? o->tolerance : 1e-3,
                            max_iter};
    nnl_smo_solve(&prob, alpha, grad, &s->rho[p]);
}

static void solve_part(void *ctx, int part, int parts)
{
    svm_fit *s = ctx;
    for (int64_t p = part; p < s->pairs; p += parts)
        solve_pair(s, p);
}

/* Sorts the samples by class into xs (n * F); cs (2K + 1: the K + 1 class
 * starts, then K scratch entries) receives the class starts. */
static void sort_by_class(const float *x, const int32_t *y, int64_t n, int64_t f, int32_t k, float *xs,
                          int64_t *cs)
{
    memset(cs, 0, (size_t)(k + 1) * sizeof *cs);
    for (int64_t i = 0; i < n; i++)
        cs[y[i] + 1]++;
    for (int32_t c = 0; c < k; c++)
        cs[c + 1] += cs[c];
    int64_t *next = cs + k + 1; /* k more entries after cs, see the caller */
    memcpy(next, cs, (size_t)k * sizeof *cs);
    for (int64_t i = 0; i < n; i++)
        memcpy(xs + next[y[i]]++ * f, x + i * f, (size_t)f * sizeof *xs);
}

/* scikit-learn's gamma = "scale": 1 / (F * variance of all values). */
static float scale_gamma(const float *x, int64_t n, int64_t f)
{
    double sum = 0.0, sq = 0.0, count = (double)n * (double)f;
    for (int64_t i = 0; i < n * f; i++)
        sum += x[i], sq += (double)x[i] * x[i];
    double var = sq / count - (sum / count) * (sum / count);
    return var > 0.0 ? (float)(1.0 / ((double)f * var)) : 1.0f;
}

/* Gathers the support vectors of every pair (alpha > 0) into e->svm. */
static nnl_status assemble(nnl_estimator *e, const svm_fit *s, const float *xs, int64_t n, int64_t *sv_index)
{
    nnl_svm_model *m = &e->svm;
    int32_t k = e->num_classes, a, b;
    int64_t f = e->num_features;
    memset(sv_index, 0xff, (size_t)n * sizeof *sv_index);
    for (int64_t p = 0; p < s->pairs; p++) {
        pair_classes(k, p, &a, &b);
        int64_t na = s->cs[a + 1] - s->cs[a], l = s->offset[p + 1] - s->offset[p];
        for (int64_t t = 0; t < l; t++)
            if (s->alpha[s->offset[p] + t] > 0.0)
                sv_index[t < na ? s->cs[a] + t : s->cs[b] + t - na] = 0;
    }
    m->start = nnl_alloc((size_t)(k + 1) * sizeof(int64_t));
    if (!m->start)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory");
    m->num_sv = 0;
    for (int32_t c = 0; c < k; c++) {
        m->start[c] = m->num_sv;
        for (int64_t i = s->cs[c]; i < s->cs[c + 1]; i++)
            if (sv_index[i] == 0)
                sv_index[i] = m->num_sv++;
    }
    m->start[k] = m->num_sv;
    int64_t S = m->num_sv;
    NNL_TRY(nnl_alloc_floats(&m->sv, (S ? S : 1) * f, "nnl_estimator_fit"));
    NNL_TRY(nnl_alloc_floats(&m->dual_coef, (S ? S : 1) * (k - 1), "nnl_estimator_fit"));
    NNL_TRY(nnl_alloc_floats(&m->intercept, s->pairs, "nnl_estimator_fit"));
    for (int64_t i = 0; i < n; i++)
        if (sv_index[i] >= 0)
            memcpy(m->sv + sv_index[i] * f, xs + i * f, (size_t)f * sizeof(float));
    for (int64_t p = 0; p < s->pairs; p++) {
        pair_classes(k, p, &a, &b);
        int64_t na = s->cs[a + 1] - s->cs[a], l = s->offset[p + 1] - s->offset[p];
        for (int64_t t = 0; t < l; t++) {
            double alpha = s->alpha[s->offset[p] + t];
            if (alpha > 0.0) /* class a's vectors sit in row b - 1, class b's (y = -1) in row a */
                m->dual_coef[(t < na ? b - 1 : a) * S + sv_index[t < na ? s->cs[a] + t : s->cs[b] + t - na]] =
                    (float)(t < na ? alpha : -alpha);
        }
        m->intercept[p] = (float)-s->rho[p];
    }
    return NNL_OK;
}

/* Platt sigmoids on the training decision values of each pair, which the
 * final gradient gives: sum_s y_s alpha_s K(s, t) = y_t (grad_t + 1). */
static nnl_status fit_probability(nnl_estimator *e, const svm_fit *s)
{
    nnl_svm_model *m = &e->svm;
    NNL_TRY(nnl_alloc_floats(&m->prob_a, s->pairs, "nnl_estimator_fit"));
    NNL_TRY(nnl_alloc_floats(&m->prob_b, s->pairs, "nnl_estimator_fit"));
    for (int64_t p = 0; p < s->pairs; p++) {
        int32_t a, b;
        pair_classes(e->num_classes, p, &a, &b);
        int64_t na = s->cs[a + 1] - s->cs[a], l = s->offset[p + 1] - s->offset[p];
        double *dec = s->grad + s->offset[p], pa, pb;
        for (int64_t t = 0; t < l; t++)
            dec[t] = (t < na ? 1.0 : -1.0) * (dec[t] + 1.0) - s->rho[p];
        nnl_platt_fit(dec, l, na, &pa, &pb);
        m->prob_a[p] = (float)pa;
        m->prob_b[p] = (float)pb;
    }
    return NNL_OK;
}

static nnl_status solve_all(nnl_estimator *e, svm_fit *s, const float *xs, int64_t n)
{
    int threads = nnl_estimator_threads(e);
    NNL_TRY(nnl_svm_kernel_init(&s->kernel, xs, n, e->num_features, e->svm.gamma,
                                e->opt.cache_mb * 1024.0 * 1024.0, threads));
    int parts = !nnl_svm_kernel_shared(&s->kernel) ? 1 : (int64_t)threads < s->pairs ? threads : (int)s->pairs;
    nnl_parallel_run(parts, solve_part, s);
    return NNL_OK;
}

static nnl_status fit_sorted(nnl_estimator *e, const float *xs, int64_t n, const int64_t *cs, int64_t *offset,
                             double *rho)
{
    int32_t k = e->num_classes, a, b;
    svm_fit s = {e, {0}, cs, (int64_t)k * (k - 1) / 2, offset, NULL, NULL, rho};
    offset[0] = 0;
    for (int64_t p = 0; p < s.pairs; p++) {
        pair_classes(k, p, &a, &b);
        offset[p + 1] = offset[p] + (cs[a + 1] - cs[a]) + (cs[b + 1] - cs[b]);
    }
    s.alpha = nnl_alloc((size_t)offset[s.pairs] * sizeof(double));
    s.grad = nnl_alloc((size_t)offset[s.pairs] * sizeof(double));
    int64_t *sv_index = nnl_alloc((size_t)n * sizeof(int64_t));
    nnl_status st = s.alpha && s.grad && sv_index ? NNL_OK : nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory");
    if (st == NNL_OK)
        st = solve_all(e, &s, xs, n);
    nnl_svm_kernel_free(&s.kernel);
    if (st == NNL_OK)
        st = assemble(e, &s, xs, n, sv_index);
    if (st == NNL_OK && e->opt.probability)
        st = fit_probability(e, &s);
    if (st == NNL_OK)
        st = nnl_svm_prepare(e);
    nnl_dealloc(s.alpha);
    nnl_dealloc(s.grad);
    nnl_dealloc(sv_index);
    return st;
}

nnl_status nnl_svm_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n)
{
    int32_t k = e->num_classes;
    if (k < 2)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_estimator_fit: the SVM needs at least 2 classes");
    int64_t f = e->num_features, pairs = (int64_t)k * (k - 1) / 2;
    float *xs = nnl_alloc(nnl_mul_size3((size_t)n, (size_t)f, sizeof(float)));
    int64_t *cs = nnl_alloc((size_t)(2 * k + 1) * sizeof(int64_t)), *offset = nnl_alloc((size_t)(pairs + 1) * 8);
    double *rho = nnl_alloc((size_t)pairs * sizeof(double));
    nnl_status s = xs && cs && offset && rho ? NNL_OK : nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory");
    if (s == NNL_OK) {
        sort_by_class(x, y, n, f, k, xs, cs);
        e->svm.gamma = e->opt.gamma > 0.0 ? (float)e->opt.gamma : scale_gamma(x, n, f);
        s = fit_sorted(e, xs, n, cs, offset, rho);
    }
    nnl_dealloc(xs);
    nnl_dealloc(cs);
    nnl_dealloc(offset);
    nnl_dealloc(rho);
    return s;
}

nnl_status nnl_svm_prepare(nnl_estimator *e)
{
    nnl_svm_model *m = &e->svm;
    int64_t f = e->num_features;
    NNL_TRY(nnl_alloc_floats(&m->sv_norm, m->num_sv ? m->num_sv : 1, "nnl_estimator_fit"));
    const nnl_kernels *k = nnl_kernels_active();
    for (int64_t i = 0; i < m->num_sv; i++)
        k->matvec(1, f, m->sv + i * f, m->sv + i * f, NULL, &m->sv_norm[i]);
    return NNL_OK;
}

int64_t nnl_svm_scratch_floats(const nnl_estimator *e, int64_t count)
{
    int64_t k = e->num_classes, kernel = (count * (e->svm.num_sv + 1) + 1) / 2 * 2;
    return kernel + 2 * (2 * k * k + 2 * k);
}

/* Pair p's decision value from the sample's kernel values kv (num_sv). */
static double pair_decision(const nnl_svm_model *m, const float *kv, int32_t a, int32_t b, int64_t p)
{
    const float *ca = m->dual_coef + (int64_t)(b - 1) * m->num_sv, *cb = m->dual_coef + (int64_t)a * m->num_sv;
    double sum = m->intercept[p];
    for (int64_t s = m->start[a]; s < m->start[a + 1]; s++)
        sum += ca[s] * kv[s];
    for (int64_t s = m->start[b]; s < m->start[b + 1]; s++)
        sum += cb[s] * kv[s];
    return sum;
}

/* One sample's votes, or with `r` its coupled probabilities, into out (K). */
static void sample_scores(const nnl_svm_model *m, int32_t k, const float *kv, double *r, double *work, float *out)
{
    int64_t p = 0;
    memset(out, 0, (size_t)k * sizeof *out);
    for (int32_t a = 0; a < k; a++)
        for (int32_t b = a + 1; b < k; b++, p++) {
            double d = pair_decision(m, kv, a, b, p);
            if (!r) {
                out[d > 0.0 ? a : b] += 1.0f;
                continue;
            }
            r[a * k + b] = nnl_platt_predict(d, m->prob_a[p], m->prob_b[p]);
            r[b * k + a] = 1.0 - r[a * k + b];
        }
    if (!r)
        return;
    double *prob = work + (int64_t)k * k + k;
    nnl_couple_pairwise(k, r, prob, work);
    for (int32_t c = 0; c < k; c++)
        out[c] = (float)prob[c];
}

void nnl_svm_scores(const nnl_estimator *e, const float *x, int64_t count, int proba, float *out, float *scratch)
{
    const nnl_svm_model *m = &e->svm;
    int64_t f = e->num_features, S = m->num_sv, k = e->num_classes;
    float *kv = scratch, *xn = scratch + count * S;
    double *r = (double *)(scratch + (count * (S + 1) + 1) / 2 * 2), *work = r + k * k;
    const nnl_kernels *kt = nnl_kernels_active();
    for (int64_t i = 0; i < count; i++)
        kt->matvec(1, f, x + i * f, x + i * f, NULL, &xn[i]);
    if (S > 0)
        nnl_svm_kernel_block(count, S, f, m->gamma, x, xn, m->sv, m->sv_norm, kv, S);
    for (int64_t i = 0; i < count; i++)
        sample_scores(m, (int32_t)k, kv + i * S, proba ? r : NULL, work, out + i * k);
}
