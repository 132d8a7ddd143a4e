/* Internal: loading a sequential model from memory, for the fuzz target and
 * its regression tests. It shares every check with nnl_model_load(), which
 * reads the file and calls the same code. */
#ifndef NNL_NN_MODEL_IO_H
#define NNL_NN_MODEL_IO_H

#include <stddef.h>

#include "io/safetensors.h"
#include "io/strbuf.h"
#include "nnlite/model.h"

/* As nnl_model_load() from `size` bytes (copied); `label` stands for the
 * path in messages. */
nnl_status nnl_model_load_from_memory(nnl_model **out, const void *bytes, size_t size, const char *label);

/* The model's tokenizer and class names as file metadata (model_meaning.c);
 * `names` is the caller's buffer for the JSON of the names. */
nnl_status nnl_model_write_meaning(const nnl_model *m, nnl_st_writer *w, nnl_strbuf *names);

/* Read them back, checked (NNL_E_FORMAT naming `path`). */
nnl_status nnl_model_read_meaning(nnl_model *m, const nnl_st_file *f, const char *path);

#endif
