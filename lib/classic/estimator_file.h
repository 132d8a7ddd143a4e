/* Internal: the estimator file (estimator_io.c writes it, estimator_load.c
 * reads and checks it). */
#ifndef NNL_CLASSIC_ESTIMATOR_FILE_H
#define NNL_CLASSIC_ESTIMATOR_FILE_H

#include "classic/estimator.h"
#include "io/safetensors.h"

#define NNL_ESTIMATOR_FORMAT "nnlite.estimator"

/* Fill the unfitted e from a parsed file; NNL_E_FORMAT naming `label` and
 * what is wrong, NNL_E_NOMEM. On failure e may hold part of the data (the
 * caller frees it). */
nnl_status nnl_estimator_from_file(nnl_estimator *e, const nnl_st_file *f, const char *label);

#endif
