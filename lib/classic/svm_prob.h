/* Internal: probabilities of the RBF SVM (svm_prob.c), libsvm's method:
 * a Platt sigmoid per class pair on its decision values, and the pairwise
 * probabilities coupled into class probabilities (Wu, Lin and Weng 2004). */
#ifndef NNL_CLASSIC_SVM_PROB_H
#define NNL_CLASSIC_SVM_PROB_H

#include <stdint.h>

/* Fit P(y = +1 | d) = 1 / (1 + exp(A d + B)) to l decision values and
 * their signs (positive: the first `positives` values, the rest negative). */
void nnl_platt_fit(const double *dec, int64_t l, int64_t positives, double *a, double *b);
/* P(first class) of a pair from its decision value, kept in [1e-7, 1 - 1e-7]. */
double nnl_platt_predict(double dec, double a, double b);
/* Class probabilities p (k) from the pairwise r (k * k, r[i k + j] = P(i |
 * i or j)); work holds k * k + k doubles. */
void nnl_couple_pairwise(int32_t k, const double *r, double *p, double *work);

#endif
