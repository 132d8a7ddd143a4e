/* Internal: the checks the multi-label metrics and threshold tuning share. */
#ifndef NNL_NN_METRICS_MULTILABEL_H
#define NNL_NN_METRICS_MULTILABEL_H

#include <stdint.h>

#include "nnlite/status.h"

/* NNL_E_INVALID_ARG naming `who` unless count >= min_count and
 * 1 <= num_classes <= 65536. */
nnl_status nnl_multilabel_check_sizes(int64_t count, int32_t num_classes, int64_t min_count, const char *who);

/* NNL_E_INVALID_ARG naming `who`, `what` and the sample and class of the
 * first byte of count x num_classes that is neither 0 nor 1. */
nnl_status nnl_multilabel_check(const uint8_t *bytes, int64_t count, int32_t num_classes, const char *who,
                                const char *what);

#endif
