/* Internal: reading and writing safetensors files (the model file format).
 *
 * File layout: u64 little-endian N, then N bytes of JSON header
 *   {"__metadata__": {"key": "string", ...},
 *    "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
 * then the raw little-endian tensor bytes; offsets are relative to the end of
 * the header. We write only F32; we read F32 (and refuse other dtypes with
 * NNL_E_FORMAT). Loading validates every length, offset, dtype and shape
 * against the file size before allocating; saving writes "<path>.tmp.XXXXXX"
 * in the same directory, fsyncs, and renames over <path>. */
#ifndef NNL_IO_SAFETENSORS_H
#define NNL_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "nnlite/status.h"

typedef struct nnl_st_writer nnl_st_writer;

nnl_status nnl_st_writer_create(nnl_st_writer **out);
/* `name` and `dims` are copied; `data` is borrowed until nnl_st_writer_save returns,
 * which refuses duplicate names (NNL_E_INVALID_ARG). */
nnl_status nnl_st_writer_add_tensor(nnl_st_writer *w, const char *name, int ndim,
                                    const int64_t *dims, const float *data);
/* Both strings are copied. Keys are unique (a repeated key is NNL_E_INVALID_ARG). */
nnl_status nnl_st_writer_add_metadata(nnl_st_writer *w, const char *key, const char *value);
/* Atomic write (temporary file + fsync + rename). NNL_E_IO names the path. */
nnl_status nnl_st_writer_save(nnl_st_writer *w, const char *path);
void nnl_st_writer_free(nnl_st_writer *w);

typedef struct nnl_st_file nnl_st_file;

/* Reads and validates the whole file. NNL_E_IO when it cannot be read,
 * NNL_E_FORMAT (with the reason and path) when it is malformed. */
nnl_status nnl_st_file_load(nnl_st_file **out, const char *path);
/* Same from a memory buffer (copied); used by the fuzz target. */
nnl_status nnl_st_file_parse(nnl_st_file **out, const void *bytes, size_t size, const char *label);
/* Metadata value for `key`, or NULL when absent. Borrowed from the file. */
const char *nnl_st_file_metadata(const nnl_st_file *f, const char *key);
/* Tensor `name` with exactly the expected shape, or NNL_E_FORMAT naming the
 * tensor and both shapes. *data is borrowed from the file (aligned floats). */
nnl_status nnl_st_file_tensor(const nnl_st_file *f, const char *name, int ndim,
                              const int64_t *dims, const float **data);
int64_t nnl_st_file_tensor_count(const nnl_st_file *f);
/* Bytes in the data region (the sum of all tensors' sizes): what a loader
 * may allocate for parameters is bounded by it. */
uint64_t nnl_st_file_data_size(const nnl_st_file *f);
void nnl_st_file_free(nnl_st_file *f);

#endif
