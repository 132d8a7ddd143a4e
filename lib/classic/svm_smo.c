/* SMO for one class pair (svm_smo.h), as libsvm's Solver without
 * shrinking: the working set is the maximal violating i and the j that
 * gives the largest decrease of the objective with second-order
 * information (Fan, Chen and Lin 2005, WSS 3); the two alphas move
 * analytically within the box and the gradient of every sample is updated
 * with the two kernel rows. It stops when the violation Gmax + Gmax2 is
 * below eps (the KKT conditions hold within eps).
 *
 * Samples 0 .. na - 1 have y = +1, na .. l - 1 have y = -1, so loops split
 * at na instead of testing y. The kernel is RBF: K(t, t) = 1. */
#include <math.h>

#include "classic/svm_smo.h"

#define TAU 1e-12

typedef struct rows {
    const float *a, *b; /* the kernel row of one sample over classes a and b */
} rows;

static rows row_of(const nnl_smo_problem *p, int64_t t)
{
    int64_t global = t < p->na ? p->a_start + t : p->b_start + t - p->na;
    const float *r = nnl_svm_kernel_row(p->kernel, global);
    return (rows){r + p->a_start, r + p->b_start};
}

static double kval(const nnl_smo_problem *p, rows r, int64_t t)
{
    return t < p->na ? r.a[t] : r.b[t - p->na];
}

/* Second-order gain of pairing i with candidate t, and the largest
 * violation among the "low" set. */
static void consider(double grad_diff, double k_it, int64_t t, double *best_obj, int64_t *best)
{
    if (grad_diff <= 0.0)
        return;
    double quad = 2.0 - 2.0 * k_it;
    double obj = -(grad_diff * grad_diff) / (quad > 0.0 ? quad : TAU);
    if (obj <= *best_obj) {
        *best_obj = obj;
        *best = t;
    }
}

/* Working set (i, j); returns 0 when the problem is solved within eps. */
static int select_pair(const nnl_smo_problem *p, const double *alpha, const double *g, int64_t *out_i,
                       int64_t *out_j)
{
    int64_t l = p->na + p->nb, i = -1, j = -1;
    double c = p->c, gmax = -INFINITY, gmax2 = -INFINITY, best_obj = INFINITY;
    for (int64_t t = 0; t < p->na; t++) /* y = +1: up when alpha < C */
        if (alpha[t] < c && -g[t] >= gmax)
            gmax = -g[t], i = t;
    for (int64_t t = p->na; t < l; t++) /* y = -1: up when alpha > 0 */
        if (alpha[t] > 0.0 && g[t] >= gmax)
            gmax = g[t], i = t;
    if (i < 0)
        return 0;
    rows ri = row_of(p, i);
    for (int64_t t = 0; t < p->na; t++)
        if (alpha[t] > 0.0) {
            gmax2 = g[t] > gmax2 ? g[t] : gmax2;
            consider(gmax + g[t], ri.a[t], t, &best_obj, &j);
        }
    for (int64_t t = p->na; t < l; t++)
        if (alpha[t] < c) {
            gmax2 = -g[t] > gmax2 ? -g[t] : gmax2;
            consider(gmax - g[t], ri.b[t - p->na], t, &best_obj, &j);
        }
    if (gmax + gmax2 < p->eps || j < 0)
        return 0;
    *out_i = i;
    *out_j = j;
    return 1;
}

/* libsvm's analytic step on alpha_i, alpha_j within [0, C]. */
static void step(const nnl_smo_problem *p, int64_t i, int64_t j, double k_ij, const double *g, double *ai, double *aj)
{
    double c = p->c, quad = 2.0 - 2.0 * k_ij;
    quad = quad > 0.0 ? quad : TAU;
    if ((i < p->na) != (j < p->na)) {
        double delta = (-g[i] - g[j]) / quad, diff = *ai - *aj;
        *ai += delta;
        *aj += delta;
        if (diff > 0.0 && *aj < 0.0)
            *aj = 0.0, *ai = diff;
        else if (diff <= 0.0 && *ai < 0.0)
            *ai = 0.0, *aj = -diff;
        if (diff > 0.0 && *ai > c)
            *ai = c, *aj = c - diff;
        else if (diff <= 0.0 && *aj > c)
            *aj = c, *ai = c + diff;
    } else {
        double delta = (g[i] - g[j]) / quad, sum = *ai + *aj;
        *ai -= delta;
        *aj += delta;
        if (sum > c && *ai > c)
            *ai = c, *aj = sum - c;
        else if (sum <= c && *aj < 0.0)
            *aj = 0.0, *ai = sum;
        if (sum > c && *aj > c)
            *aj = c, *ai = sum - c;
        else if (sum <= c && *ai < 0.0)
            *ai = 0.0, *aj = sum;
    }
}

/* g_t += y_t (di K_it + dj K_jt), di = y_i dalpha_i, dj = y_j dalpha_j. */
static void update_gradient(const nnl_smo_problem *p, rows ri, rows rj, double di, double dj, double *g)
{
    for (int64_t t = 0; t < p->na; t++)
        g[t] += di * ri.a[t] + dj * rj.a[t];
    double *gb = g + p->na;
    for (int64_t t = 0; t < p->nb; t++)
        gb[t] -= di * ri.b[t] + dj * rj.b[t];
}

/* libsvm's rho: the mean of y g over the free alphas, else the middle of
 * the interval the bounded ones allow. */
static double compute_rho(const nnl_smo_problem *p, const double *alpha, const double *g)
{
    double ub = INFINITY, lb = -INFINITY, sum = 0.0;
    int64_t free = 0, l = p->na + p->nb;
    for (int64_t t = 0; t < l; t++) {
        int positive = t < p->na;
        double yg = positive ? g[t] : -g[t];
        if (alpha[t] >= p->c) {
            if (positive)
                lb = yg > lb ? yg : lb;
            else
                ub = yg < ub ? yg : ub;
        } else if (alpha[t] <= 0.0) {
            if (positive)
                ub = yg < ub ? yg : ub;
            else
                lb = yg > lb ? yg : lb;
        } else {
            free++;
            sum += yg;
        }
    }
    return free > 0 ? sum / (double)free : (ub + lb) / 2.0;
}

int64_t nnl_smo_solve(const nnl_smo_problem *p, double *alpha, double *grad, double *rho)
{
    int64_t l = p->na + p->nb, iter = 0, i, j;
    for (int64_t t = 0; t < l; t++) {
        alpha[t] = 0.0;
        grad[t] = -1.0;
    }
    while (iter < p->max_iter && select_pair(p, alpha, grad, &i, &j)) {
        iter++;
        rows ri = row_of(p, i), rj = row_of(p, j);
        double ai = alpha[i], aj = alpha[j];
        step(p, i, j, kval(p, ri, j), grad, &ai, &aj);
        double di = (ai - alpha[i]) * (i < p->na ? 1.0 : -1.0), dj = (aj - alpha[j]) * (j < p->na ? 1.0 : -1.0);
        alpha[i] = ai;
        alpha[j] = aj;
        update_gradient(p, ri, rj, di, dj, grad);
    }
    *rho = compute_rho(p, alpha, grad);
    return iter;
}
