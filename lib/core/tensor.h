/* Internal view of nnl_tensor: layers and kernels use the fields directly. */
#ifndef NNL_CORE_TENSOR_H
#define NNL_CORE_TENSOR_H

#include "nnlite/tensor.h"

struct nnl_tensor {
    int ndim;
    int64_t dims[NNL_MAX_DIMS];
    int64_t size;      /* product of dims */
    int64_t capacity;  /* floats allocated at data (owned tensors) */
    float *data;
    int owns_data;
};

/* Check a shape and compute its element count; `who` names the caller in
 * the error message. */
nnl_status nnl_shape_check(const char *who, int ndim, const int64_t *dims, int64_t *count);

/* Give an owned tensor the shape `dims`, reallocating only when it needs more
 * room than it has (activations keep their buffer across batches). Contents
 * are unspecified after growth. A NULL *t is created. */
nnl_status nnl_tensor_ensure(nnl_tensor **t, int ndim, const int64_t *dims, const char *who);

/* Make *t a view of `of`'s elements under the shape `dims` (the same
 * element count, or NNL_E_SHAPE): it borrows of's data, so freeing it leaves
 * of alone, and it stays valid while of's buffer does. A NULL *t is created;
 * an owned *t gives up its buffer. */
nnl_status nnl_tensor_view(nnl_tensor **t, const nnl_tensor *of, int ndim, const int64_t *dims, const char *who);

/* Same shape? */
int nnl_tensor_same_shape(const nnl_tensor *a, const nnl_tensor *b);

/* Format "[32, 26, 26, 32]" into buf. */
const char *nnl_shape_str(char *buf, size_t cap, int ndim, const int64_t *dims);

#endif
