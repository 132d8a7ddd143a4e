/* Platt sigmoids and pairwise coupling (svm_prob.h), following libsvm's
 * sigmoid_train (Lin, Lin and Weng's robust Newton method with
 * backtracking) and multiclass_probability. */
#include <math.h>

#include "classic/svm_prob.h"

#define MIN_PROB 1e-7

/* Negative log-likelihood term of one value, stable for either sign. */
static double nll(double t, double f_ab)
{
    return f_ab >= 0.0 ? t * f_ab + log1p(exp(-f_ab)) : (t - 1.0) * f_ab + log1p(exp(f_ab));
}

static double objective(const double *dec, int64_t l, int64_t positives, double hi, double lo, double a, double b)
{
    double f = 0.0;
    for (int64_t i = 0; i < l; i++)
        f += nll(i < positives ? hi : lo, dec[i] * a + b);
    return f;
}

/* One Newton direction (da, db) and the gradient; returns 0 when converged. */
static int newton(const double *dec, int64_t l, int64_t positives, double hi, double lo, double a, double b,
                  double *da, double *db, double *gd)
{
    double h11 = 1e-12, h22 = 1e-12, h21 = 0.0, g1 = 0.0, g2 = 0.0;
    for (int64_t i = 0; i < l; i++) {
        double f_ab = dec[i] * a + b, e = exp(-fabs(f_ab));
        double p = f_ab >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e), q = 1.0 - p;
        double d2 = p * q, d1 = (i < positives ? hi : lo) - p;
        h11 += dec[i] * dec[i] * d2;
        h22 += d2;
        h21 += dec[i] * d2;
        g1 += dec[i] * d1;
        g2 += d1;
    }
    if (fabs(g1) < 1e-5 && fabs(g2) < 1e-5)
        return 0;
    double det = h11 * h22 - h21 * h21;
    *da = -(h22 * g1 - h21 * g2) / det;
    *db = -(-h21 * g1 + h11 * g2) / det;
    *gd = g1 * *da + g2 * *db;
    return 1;
}

void nnl_platt_fit(const double *dec, int64_t l, int64_t positives, double *a, double *b)
{
    double prior1 = (double)positives, prior0 = (double)(l - positives);
    double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1.0 / (prior0 + 2.0);
    *a = 0.0;
    *b = log((prior0 + 1.0) / (prior1 + 1.0));
    double f = objective(dec, l, positives, hi, lo, *a, *b), da, db, gd;
    for (int iter = 0; iter < 100 && newton(dec, l, positives, hi, lo, *a, *b, &da, &db, &gd); iter++) {
        double stepsize = 1.0;
        for (; stepsize >= 1e-10; stepsize /= 2.0) {
            double na = *a + stepsize * da, nb = *b + stepsize * db;
            double nf = objective(dec, l, positives, hi, lo, na, nb);
            if (nf < f + 1e-4 * stepsize * gd) {
                *a = na, *b = nb, f = nf;
                break;
            }
        }
        if (stepsize < 1e-10)
            break;
    }
}

double nnl_platt_predict(double dec, double a, double b)
{
    double f_ab = dec * a + b, e = exp(-fabs(f_ab));
    double p = f_ab >= 0.0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
    return fmin(fmax(p, MIN_PROB), 1.0 - MIN_PROB);
}

void nnl_couple_pairwise(int32_t k, const double *r, double *p, double *work)
{
    double *q = work, *qp = work + (int64_t)k * k, eps = 0.005 / k;
    for (int32_t t = 0; t < k; t++) {
        p[t] = 1.0 / k;
        q[t * k + t] = 0.0;
        for (int32_t j = 0; j < k; j++)
            if (j != t) {
                q[t * k + t] += r[j * k + t] * r[j * k + t];
                q[t * k + j] = -r[j * k + t] * r[t * k + j];
            }
    }
    int max_iter = k > 100 ? k : 100;
    for (int iter = 0; iter < max_iter; iter++) {
        double pqp = 0.0, max_error = 0.0;
        for (int32_t t = 0; t < k; t++) {
            qp[t] = 0.0;
            for (int32_t j = 0; j < k; j++)
                qp[t] += q[t * k + j] * p[j];
            pqp += p[t] * qp[t];
        }
        for (int32_t t = 0; t < k; t++)
            max_error = fmax(max_error, fabs(qp[t] - pqp));
        if (max_error < eps)
            break;
        for (int32_t t = 0; t < k; t++) {
            double diff = (-qp[t] + pqp) / q[t * k + t];
            p[t] += diff;
            pqp = (pqp + diff * (diff * q[t * k + t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
            for (int32_t j = 0; j < k; j++) {
                qp[j] = (qp[j] + diff * q[t * k + j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
}
