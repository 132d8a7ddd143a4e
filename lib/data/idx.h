/* Internal: parsing IDX files (the MNIST format), plain or gzip-compressed.
 *
 * Layout (big-endian): magic 00 00 TT NN (TT = 0x08 for unsigned bytes, NN =
 * number of dims), NN u32 dims, then prod(dims) bytes of data. We read only
 * unsigned-byte files; images have NN = 3 (count, rows, cols), labels NN = 1
 * (count: class indices) or NN = 2 (count, classes: multi-hot rows of 0/1).
 *
 * Nothing in the input is trusted: the header is validated first, the data
 * must be exactly the length the header promises, and data above
 * NNL_IDX_MAX_DATA_BYTES is refused before anything is allocated for it. */
#ifndef NNL_DATA_IDX_H
#define NNL_DATA_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "nnlite/status.h"

enum { NNL_IDX_MAX_DIMS = 3 };

/* The `ndim` of a labels file, which may have 1 or 2 dims: the magic decides. */
enum { NNL_IDX_LABELS = -1 };

/* 2^31 bytes of data: four times the full MNIST training set, and small
 * enough that item counts and float sizes stay far from overflow. */
#define NNL_IDX_MAX_DATA_BYTES ((int64_t)1 << 31)

typedef struct nnl_idx {
    int ndim;
    int64_t dims[NNL_IDX_MAX_DIMS]; /* dims[0] is the number of items */
    int64_t item_bytes;             /* prod(dims[1..]): 1 for labels, rows*cols for images */
    const uint8_t *data;            /* dims[0] * item_bytes bytes */
    uint8_t *owned;                 /* buffer behind data when we own it (nnl_idx_free) */
} nnl_idx;

/* Parse an IDX buffer of `n` bytes whose magic must be 0x0000080<ndim>
 * (0x00000801 or 0x00000802 when ndim is NNL_IDX_LABELS; out->ndim says which).
 * A gzip buffer (first bytes 1f 8b) is inflated into a buffer that grows as
 * data arrives, never beyond what the header promises; a plain buffer is
 * borrowed: out->data points into `bytes`, which must outlive `out`.
 * `who` (the public function) and `label` (a path, or a name for memory)
 * start every error message. NNL_E_FORMAT for malformed input, NNL_E_NOMEM.
 * Meant to be called by a fuzz target as well as by nnl_idx_load. */
nnl_status nnl_idx_parse(nnl_idx *out, const void *bytes, size_t n, int ndim, const char *who,
                         const char *label);

/* Read the file at `path` and parse it as nnl_idx_parse does; out owns its
 * data. NNL_E_IO (path and errno text) when it cannot be read. */
nnl_status nnl_idx_load(nnl_idx *out, const char *path, int ndim, const char *who);

/* Release what out owns and zero it. Safe on a zeroed or already freed nnl_idx. */
void nnl_idx_free(nnl_idx *idx);

#endif
