/* Linear SVM: one-vs-rest, squared hinge loss, L2 penalty, solved in the
 * dual by coordinate descent with shrinking (Hsieh et al. 2008, LIBLINEAR's
 * solver 1, which scikit-learn's LinearSVC runs with these defaults).
 *
 * For labels y_i = +-1 and samples x_i augmented with a constant 1 (the
 * bias, penalised like the weights as LIBLINEAR does), the dual is
 *   min_a 1/2 a^T (Q + D) a - sum a_i,  a_i >= 0,  Q_ij = y_i y_j x_i.x_j,
 *   D_ii = 1 / (2C),
 * and w = sum a_i y_i x_i. One coordinate step: G = y_i w.x_i - 1 + D_ii a_i,
 * a_i <- max(a_i - G / (Q_ii + D_ii), 0), w += (a_i new - old) y_i x_i.
 * It stops when the projected gradients' spread is below `tolerance` over
 * all coordinates, or after max_iter passes. The classes are solved in
 * parallel, handed out to whichever thread is free (nnl_parallel_tasks),
 * each from its own random stream, so that the result does not depend on
 * the thread count.
 *
 * The samples are kept as their nonzero values (CSR), as LIBLINEAR keeps
 * them: MNIST's pixels are 81% zeros, and a coordinate step is one sparse
 * dot product and one sparse update. The dense SIMD dot product (the matvec
 * kernel) took 78% of the time and ran 3x slower on MNIST. */
#include <math.h>
#include <string.h>

#include "classic/estimator.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/rng.h"
#include "kernels/kernels.h"

/* The samples' nonzeros: sample i's are value[start[i] .. start[i + 1]) at
 * features index[..]. */
typedef struct sparse_rows {
    int64_t *start; /* n + 1 */
    int32_t *index;
    float *value;
} sparse_rows;

typedef struct linear_job {
    nnl_estimator *e;
    sparse_rows x;
    const int32_t *y;
    int64_t n;
    const float *sq_norm; /* n: |x_i|^2 + 1 */
    nnl_status *status;   /* per row */
} linear_job;

typedef struct dual_state {
    double *alpha;
    int64_t *active;      /* the coordinates not shrunk, first active_size of them */
    int64_t active_size;
    double pg_max_old, pg_min_old;
} dual_state;

/* x_i . w over x_i's nonzeros. Four partial sums, so that an addition
 * need not wait for the one before it. */
static double sparse_dot(const sparse_rows *x, int64_t i, const float *w)
{
    const int32_t *index = x->index;
    const float *value = x->value;
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int64_t p = x->start[i], end = x->start[i + 1];
    for (; p + 4 <= end; p += 4) {
        s0 += value[p] * w[index[p]];
        s1 += value[p + 1] * w[index[p + 1]];
        s2 += value[p + 2] * w[index[p + 2]];
        s3 += value[p + 3] * w[index[p + 3]];
    }
    for (; p < end; p++)
        s0 += value[p] * w[index[p]];
    return (double)((s0 + s1) + (s2 + s3));
}

static void sparse_add(const sparse_rows *x, int64_t i, float d, float *w)
{
    for (int64_t p = x->start[i]; p < x->start[i + 1]; p++)
        w[x->index[p]] += d * x->value[p];
}

/* One pass over the active coordinates in random order; returns the
 * spread of their projected gradients. */
static double dual_pass(const linear_job *j, dual_state *st, const int8_t *sign, float *w, double diag, nnl_rng *rng)
{
    int64_t f = j->e->num_features;
    double pg_max = -INFINITY, pg_min = INFINITY;
    for (int64_t s = 0; s < st->active_size; s++) {
        int64_t pick = s + (int64_t)nnl_rng_below(rng, (uint32_t)(st->active_size - s)), t = st->active[pick];
        st->active[pick] = st->active[s];
        st->active[s] = t;
    }
    for (int64_t s = 0; s < st->active_size; s++) {
        int64_t i = st->active[s];
        double g = sign[i] * (sparse_dot(&j->x, i, w) + w[f]) - 1.0 + diag * st->alpha[i], pg = g;
        if (st->alpha[i] == 0.0) {
            if (g > st->pg_max_old) { /* at its bound and likely to stay: shrink */
                st->active[s--] = st->active[--st->active_size];
                st->active[st->active_size] = i;
                continue;
            }
            pg = g < 0.0 ? g : 0.0;
        }
        pg_max = pg > pg_max ? pg : pg_max;
        pg_min = pg < pg_min ? pg : pg_min;
        if (fabs(pg) > 1e-12) {
            double old = st->alpha[i];
            st->alpha[i] = fmax(old - g / ((double)j->sq_norm[i] + diag), 0.0);
            float d = (float)((st->alpha[i] - old) * sign[i]);
            sparse_add(&j->x, i, d, w);
            w[f] += d; /* the bias */
        }
    }
    st->pg_max_old = pg_max > 0.0 ? pg_max : INFINITY;
    st->pg_min_old = pg_min < 0.0 ? pg_min : -INFINITY;
    return pg_max - pg_min;
}

/* Solves row r's binary problem (class r, or class 1 for two classes,
 * against the rest) into coef and bias. */
static nnl_status solve_row(const linear_job *j, int64_t r, dual_state *st, int8_t *sign, float *w)
{
    nnl_estimator *e = j->e;
    int64_t n = j->n, f = e->num_features, max_iter = e->opt.max_iter ? e->opt.max_iter : 1000;
    int32_t positive = e->linear_rows == 1 ? 1 : (int32_t)r;
    double diag = 0.5 / e->opt.c, tol = e->opt.tolerance > 0.0 ? e->opt.tolerance : 1e-4;
    nnl_rng rng;
    nnl_rng_seed(&rng, e->opt.seed, (uint64_t)r);
    memset(w, 0, (size_t)(f + 1) * sizeof *w);
    for (int64_t i = 0; i < n; i++) {
        sign[i] = j->y[i] == positive ? 1 : -1;
        st->alpha[i] = 0.0;
        st->active[i] = i;
    }
    st->active_size = n;
    st->pg_max_old = INFINITY;
    st->pg_min_old = -INFINITY;
    for (int64_t iter = 0; iter < max_iter; iter++) {
        if (dual_pass(j, st, sign, w, diag, &rng) > tol)
            continue;
        if (st->active_size == n)
            break; /* converged on every coordinate */
        st->active_size = n; /* converged on the active ones: check them all again */
        st->pg_max_old = INFINITY;
        st->pg_min_old = -INFINITY;
    }
    memcpy(e->coef + r * f, w, (size_t)f * sizeof *w);
    e->bias[r] = w[f];
    return NNL_OK;
}

static void solve_task(void *ctx, int64_t r, int part)
{
    (void)part;
    linear_job *j = ctx;
    size_t n = (size_t)j->n;
    dual_state st = {nnl_alloc(n * sizeof(double)), nnl_alloc(n * sizeof(int64_t)), 0, 0.0, 0.0};
    int8_t *sign = nnl_alloc(n);
    float *w = nnl_alloc((size_t)(j->e->num_features + 1) * sizeof(float));
    j->status[r] = st.alpha && st.active && sign && w ? solve_row(j, r, &st, sign, w) : NNL_E_NOMEM;
    nnl_dealloc(st.alpha);
    nnl_dealloc(st.active);
    nnl_dealloc(sign);
    nnl_dealloc(w);
}

/* x's nonzeros as sparse rows, and each sample's |x|^2 + 1 (the bias). */
static nnl_status to_sparse(const float *x, int64_t n, int64_t f, sparse_rows *out, float *sq_norm)
{
    int64_t nnz = 0;
    for (int64_t i = 0; i < n * f; i++)
        nnz += x[i] != 0.0f;
    out->start = nnl_alloc((size_t)(n + 1) * sizeof(int64_t));
    out->index = nnl_alloc((size_t)(nnz ? nnz : 1) * sizeof(int32_t));
    out->value = nnl_alloc((size_t)(nnz ? nnz : 1) * sizeof(float));
    if (!out->start || !out->index || !out->value)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory for %lld nonzeros", (long long)nnz);
    int64_t p = 0;
    for (int64_t i = 0; i < n; i++) {
        out->start[i] = p;
        double sq = 1.0;
        for (int64_t j = 0; j < f; j++)
            if (x[i * f + j] != 0.0f) {
                out->index[p] = (int32_t)j;
                out->value[p++] = x[i * f + j];
                sq += (double)x[i * f + j] * x[i * f + j];
            }
        sq_norm[i] = (float)sq;
    }
    out->start[n] = p;
    return NNL_OK;
}

static nnl_status solve_all(nnl_estimator *e, linear_job *j)
{
    nnl_status *st = nnl_alloc((size_t)e->linear_rows * sizeof *st);
    if (!st)
        return nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory");
    j->status = st;
    int threads = nnl_estimator_threads(e);
    nnl_parallel_tasks(threads, e->linear_rows, solve_task, j);
    nnl_status s = NNL_OK;
    for (int64_t r = 0; s == NNL_OK && r < e->linear_rows; r++)
        if (st[r] != NNL_OK) /* only memory can run out; the message stayed on its thread */
            s = nnl_error(NNL_E_NOMEM, "nnl_estimator_fit: out of memory solving class %lld", (long long)r);
    nnl_dealloc(st);
    return s;
}

nnl_status nnl_linear_svm_fit(nnl_estimator *e, const float *x, const int32_t *y, int64_t n)
{
    if (e->num_classes < 2)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_estimator_fit: the linear SVM needs at least 2 classes");
    int64_t f = e->num_features;
    e->linear_rows = e->num_classes == 2 ? 1 : e->num_classes;
    NNL_TRY(nnl_alloc_floats(&e->coef, e->linear_rows * f, "nnl_estimator_fit"));
    NNL_TRY(nnl_alloc_floats(&e->bias, e->linear_rows, "nnl_estimator_fit"));
    linear_job j = {e, {NULL, NULL, NULL}, y, n, NULL, NULL};
    float *sq_norm;
    NNL_TRY(nnl_alloc_floats(&sq_norm, n, "nnl_estimator_fit"));
    j.sq_norm = sq_norm;
    nnl_status s = to_sparse(x, n, f, &j.x, sq_norm);
    if (s == NNL_OK)
        s = solve_all(e, &j);
    nnl_dealloc(j.x.start);
    nnl_dealloc(j.x.index);
    nnl_dealloc(j.x.value);
    nnl_dealloc(sq_norm);
    return s;
}

/* Decision values as one GEMM, x (count, F) times coef^T (F, rows), into
 * out; with two classes (one row) the count decisions d are then spread,
 * from the back so that none is overwritten before it is read, to (-d, d). */
void nnl_linear_svm_scores(const nnl_estimator *e, const float *x, int64_t count, float *out)
{
    int64_t rows = e->linear_rows, f = e->num_features;
    nnl_kernels_active()->sgemm(0, 1, count, rows, f, 1.0f, x, f, e->coef, f, 0.0f, out, rows, 1);
    for (int64_t i = count - 1; i >= 0; i--) {
        if (rows == 1) {
            float d = out[i] + e->bias[0];
            out[i * 2] = -d;
            out[i * 2 + 1] = d;
            continue;
        }
        for (int64_t c = 0; c < rows; c++)
            out[i * rows + c] += e->bias[c];
    }
}
