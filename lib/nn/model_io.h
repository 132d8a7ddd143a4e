/* Internal: loading a sequential model from memory, for the fuzz target and
 * its regression tests. It shares every check with nnl_model_load(), which
 * reads the file and calls the same code. */
#ifndef NNL_NN_MODEL_IO_H
#define NNL_NN_MODEL_IO_H

#include <stddef.h>

#include "nnlite/model.h"

/* As nnl_model_load() from `size` bytes (copied); `label` stands for the
 * path in messages. */
nnl_status nnl_model_load_from_memory(nnl_model **out, const void *bytes, size_t size, const char *label);

#endif
