/* nnl_tensor: shape bookkeeping, ownership and initialisers. */
#include "core/tensor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

/* Tensors larger than this many elements are refused before allocating
 * (2^40 floats = 4 TiB): it keeps size arithmetic far from overflow. */
#define NNL_MAX_ELEMENTS ((int64_t)1 << 40)

nnl_status nnl_shape_check(const char *who, int ndim, const int64_t *dims, int64_t *count)
{
    if (ndim < 0 || ndim > NNL_MAX_DIMS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: ndim=%d, expected 0..%d", who, ndim, NNL_MAX_DIMS);
    if (ndim > 0 && !dims)
        return nnl_error(NNL_E_INVALID_ARG, "%s: dims is NULL", who);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 1)
            return nnl_error(NNL_E_INVALID_ARG, "%s: dims[%d]=%lld, expected >= 1", who, i,
                             (long long)dims[i]);
        if (dims[i] > NNL_MAX_ELEMENTS / n)
            return nnl_error(NNL_E_NOMEM, "%s: shape has more than 2^40 elements (dims[%d]=%lld)",
                             who, i, (long long)dims[i]);
        n *= dims[i];
    }
    *count = n;
    return NNL_OK;
}

const char *nnl_shape_str(char *buf, size_t cap, int ndim, const int64_t *dims)
{
    size_t used = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
    return buf;
}

static nnl_status tensor_alloc(nnl_tensor **out, int ndim, const int64_t *dims, const char *who,
                               int with_data)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    int64_t count;
    NNL_TRY(nnl_shape_check(who, ndim, dims, &count));
    nnl_tensor *t = nnl_alloc_zeroed(sizeof *t);
    if (!t)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the tensor handle", who);
    t->ndim = ndim;
    if (ndim > 0)
        memcpy(t->dims, dims, (size_t)ndim * sizeof dims[0]);
    t->size = count;
    if (with_data) {
        nnl_status s = nnl_alloc_floats(&t->data, count, who);
        if (s != NNL_OK) {
            nnl_dealloc(t);
            return s;
        }
        t->capacity = count;
        t->owns_data = 1;
    }
    *out = t;
    return NNL_OK;
}

nnl_status nnl_tensor_create(nnl_tensor **out, int ndim, const int64_t *dims)
{
    return tensor_alloc(out, ndim, dims, "nnl_tensor_create", 1);
}

nnl_status nnl_tensor_create_from(nnl_tensor **out, int ndim, const int64_t *dims, const float *data)
{
    NNL_CHECK_PTR("nnl_tensor_create_from", data);
    NNL_TRY(tensor_alloc(out, ndim, dims, "nnl_tensor_create_from", 1));
    memcpy((*out)->data, data, (size_t)(*out)->size * sizeof(float));
    return NNL_OK;
}

nnl_status nnl_tensor_wrap(nnl_tensor **out, int ndim, const int64_t *dims, float *data)
{
    NNL_CHECK_PTR("nnl_tensor_wrap", data);
    NNL_TRY(tensor_alloc(out, ndim, dims, "nnl_tensor_wrap", 0));
    (*out)->data = data;
    (*out)->capacity = (*out)->size;
    return NNL_OK;
}

void nnl_tensor_free(nnl_tensor *tensor)
{
    if (!tensor)
        return;
    if (tensor->owns_data)
        nnl_dealloc(tensor->data);
    nnl_dealloc(tensor);
}

nnl_status nnl_tensor_ensure(nnl_tensor **t, int ndim, const int64_t *dims, const char *who)
{
    if (!*t)
        return tensor_alloc(t, ndim, dims, who, 1);
    int64_t count;
    NNL_TRY(nnl_shape_check(who, ndim, dims, &count));
    nnl_tensor *tensor = *t;
    if (count > tensor->capacity) {
        if (!tensor->owns_data)
            return nnl_error(NNL_E_SHAPE, "%s: a borrowed tensor of %lld elements cannot grow to %lld",
                             who, (long long)tensor->capacity, (long long)count);
        float *data = nnl_alloc((size_t)count * sizeof(float)); /* count <= 2^40: no overflow */
        if (!data)
            return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld floats", who, (long long)count);
        nnl_dealloc(tensor->data);
        tensor->data = data;
        tensor->capacity = count;
    }
    tensor->ndim = ndim;
    memcpy(tensor->dims, dims, (size_t)ndim * sizeof dims[0]);
    tensor->size = count;
    return NNL_OK;
}

nnl_status nnl_tensor_view(nnl_tensor **t, const nnl_tensor *of, int ndim, const int64_t *dims, const char *who)
{
    int64_t count;
    NNL_TRY(nnl_shape_check(who, ndim, dims, &count));
    if (count != of->size) {
        char want[128], got[128];
        return nnl_error(NNL_E_SHAPE, "%s: a view of %s as %s: the element counts differ", who,
                         nnl_shape_str(got, sizeof got, of->ndim, of->dims), nnl_shape_str(want, sizeof want, ndim, dims));
    }
    if (!*t)
        NNL_TRY(tensor_alloc(t, ndim, dims, who, 0));
    nnl_tensor *view = *t;
    if (view->owns_data)
        nnl_dealloc(view->data);
    view->owns_data = 0;
    view->capacity = 0;
    view->data = of->data;
    view->ndim = ndim;
    memcpy(view->dims, dims, (size_t)ndim * sizeof dims[0]);
    view->size = count;
    return NNL_OK;
}

int nnl_tensor_same_shape(const nnl_tensor *a, const nnl_tensor *b)
{
    return a->ndim == b->ndim && memcmp(a->dims, b->dims, (size_t)a->ndim * sizeof a->dims[0]) == 0;
}

int nnl_tensor_ndim(const nnl_tensor *tensor) { return tensor ? tensor->ndim : -1; }

int64_t nnl_tensor_dim(const nnl_tensor *tensor, int axis)
{
    if (!tensor)
        return -1;
    if (axis < 0)
        axis += tensor->ndim;
    if (axis < 0 || axis >= tensor->ndim)
        return -1;
    return tensor->dims[axis];
}

nnl_status nnl_tensor_shape(const nnl_tensor *tensor, int64_t *dims, int capacity)
{
    NNL_CHECK_PTR("nnl_tensor_shape", tensor);
    NNL_CHECK_PTR("nnl_tensor_shape", dims);
    if (capacity < tensor->ndim)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_tensor_shape: capacity=%d, the tensor has %d dims",
                         capacity, tensor->ndim);
    memcpy(dims, tensor->dims, (size_t)tensor->ndim * sizeof dims[0]);
    return NNL_OK;
}

int64_t nnl_tensor_size(const nnl_tensor *tensor) { return tensor ? tensor->size : -1; }

size_t nnl_tensor_nbytes(const nnl_tensor *tensor)
{
    return tensor ? (size_t)tensor->size * sizeof(float) : 0;
}

float *nnl_tensor_data(nnl_tensor *tensor) { return tensor ? tensor->data : NULL; }

const float *nnl_tensor_data_const(const nnl_tensor *tensor) { return tensor ? tensor->data : NULL; }

nnl_status nnl_tensor_copy_to(const nnl_tensor *tensor, float *dst, int64_t count)
{
    NNL_CHECK_PTR("nnl_tensor_copy_to", tensor);
    NNL_CHECK_PTR("nnl_tensor_copy_to", dst);
    if (count != tensor->size)
        return nnl_error(NNL_E_SHAPE, "nnl_tensor_copy_to: count=%lld, the tensor has %lld elements",
                         (long long)count, (long long)tensor->size);
    memcpy(dst, tensor->data, (size_t)count * sizeof(float));
    return NNL_OK;
}

nnl_status nnl_tensor_reshape(nnl_tensor *tensor, int ndim, const int64_t *dims)
{
    NNL_CHECK_PTR("nnl_tensor_reshape", tensor);
    int64_t count;
    NNL_TRY(nnl_shape_check("nnl_tensor_reshape", ndim, dims, &count));
    if (count != tensor->size)
        return nnl_error(NNL_E_SHAPE, "nnl_tensor_reshape: new shape has %lld elements, the tensor %lld",
                         (long long)count, (long long)tensor->size);
    tensor->ndim = ndim;
    memcpy(tensor->dims, dims, (size_t)ndim * sizeof dims[0]);
    return NNL_OK;
}

nnl_status nnl_tensor_fill(nnl_tensor *tensor, float value)
{
    NNL_CHECK_PTR("nnl_tensor_fill", tensor);
    for (int64_t i = 0; i < tensor->size; i++)
        tensor->data[i] = value;
    return NNL_OK;
}

nnl_status nnl_tensor_init_uniform(nnl_tensor *tensor, float low, float high, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_tensor_init_uniform", tensor);
    if (!isfinite(low) || !isfinite(high) || low > high)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_tensor_init_uniform: low=%g high=%g", low, high);
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 0);
    for (int64_t i = 0; i < tensor->size; i++)
        tensor->data[i] = low + (high - low) * nnl_rng_uniform(&rng);
    return NNL_OK;
}

nnl_status nnl_tensor_init_normal(nnl_tensor *tensor, float mean, float stddev, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_tensor_init_normal", tensor);
    if (!isfinite(mean) || !isfinite(stddev) || stddev < 0)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_tensor_init_normal: mean=%g stddev=%g", mean, stddev);
    nnl_rng rng;
    nnl_rng_seed(&rng, seed, 0);
    for (int64_t i = 0; i < tensor->size; i++)
        tensor->data[i] = mean + stddev * nnl_rng_normal(&rng);
    return NNL_OK;
}

nnl_status nnl_tensor_init_glorot(nnl_tensor *tensor, int64_t fan_in, int64_t fan_out, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_tensor_init_glorot", tensor);
    if (fan_in < 1 || fan_out < 1)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_tensor_init_glorot: fan_in=%lld fan_out=%lld",
                         (long long)fan_in, (long long)fan_out);
    float limit = sqrtf(6.0f / (float)(fan_in + fan_out));
    return nnl_tensor_init_uniform(tensor, -limit, limit, seed);
}

nnl_status nnl_tensor_init_he(nnl_tensor *tensor, int64_t fan_in, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_tensor_init_he", tensor);
    if (fan_in < 1)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_tensor_init_he: fan_in=%lld", (long long)fan_in);
    return nnl_tensor_init_normal(tensor, 0.0f, sqrtf(2.0f / (float)fan_in), seed);
}
