/* Internal: SMO for one class pair of the RBF SVM (svm_smo.c). */
#ifndef NNL_CLASSIC_SVM_SMO_H
#define NNL_CLASSIC_SVM_SMO_H

#include <stdint.h>

#include "classic/svm_kernel.h"

/* The binary problem of class a (y = +1, kernel rows a_start .. + na) against
 * class b (y = -1, rows b_start .. + nb), both na, nb >= 1; l = na + nb. */
typedef struct nnl_smo_problem {
    nnl_svm_kernel *kernel;
    int64_t a_start, na, b_start, nb;
    double c, eps;
    int64_t max_iter;
} nnl_smo_problem;

/* Solves  min 1/2 a^T Q a - sum a,  0 <= a <= C,  y^T a = 0,
 * Q_st = y_s y_t K(s, t), into alpha (l) and rho (the decision of a sample
 * x is sum_t y_t alpha_t K(t, x) - rho); grad (l) receives the final
 * gradient Q a - 1. Returns the iterations taken. */
int64_t nnl_smo_solve(const nnl_smo_problem *p, double *alpha, double *grad, double *rho);

#endif
