/* Internal: finding NaN and infinity in float arrays, for the NNL_E_NUMERIC
 * checks of inputs, weights, outputs and losses (docs/reliability.md). */
#ifndef NNL_CORE_FINITE_H
#define NNL_CORE_FINITE_H

#include <stdint.h>

#include "nnlite/status.h"

/* Index of the first NaN or infinity in x[0..n), or -1 when all are finite. */
int64_t nnl_first_non_finite(const float *x, int64_t n);

/* NNL_OK when x[0..n) is finite; else NNL_E_NUMERIC with the message
 * "<who>: <what> element <i> is <value>", saying where it appeared. */
nnl_status nnl_check_finite(const float *x, int64_t n, const char *who, const char *what);

#endif
