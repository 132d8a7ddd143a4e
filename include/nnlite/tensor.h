/**
 * @file nnlite/tensor.h
 * @brief Dense float32 tensors of up to 8 dimensions behind an opaque handle.
 *
 * @defgroup tensor Tensors
 * A tensor is row-major float32 data with a shape. It either owns its data
 * (nnl_tensor_create(), nnl_tensor_create_from()) or borrows a caller buffer
 * (nnl_tensor_wrap()). A tensor may be read from many threads at once; writing
 * needs exclusive access.
 * @{
 */
#ifndef NNLITE_TENSOR_H
#define NNLITE_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Most dimensions a tensor can have. */
#define NNL_MAX_DIMS 8

/** Opaque tensor handle. */
typedef struct nnl_tensor nnl_tensor;

/**
 * @brief Create a zero-filled tensor that owns its data.
 * @param out  receives the new tensor (transferred to the caller; free with nnl_tensor_free()).
 * @param ndim 0..::NNL_MAX_DIMS (0 is a scalar of one element).
 * @param dims @p ndim sizes, each >= 1; copied. May be NULL when ndim is 0.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, bad ndim or dims < 1;
 *         ::NNL_E_NOMEM when the element count or byte size overflows or the allocation fails.
 */
NNL_API nnl_status nnl_tensor_create(nnl_tensor **out, int ndim, const int64_t *dims);

/**
 * @brief Create a tensor that owns a copy of @p data.
 * @param data nnl_tensor_size() floats, row-major; copied.
 * Errors as nnl_tensor_create(), plus ::NNL_E_INVALID_ARG when @p data is NULL.
 */
NNL_API nnl_status nnl_tensor_create_from(nnl_tensor **out, int ndim, const int64_t *dims,
                                          const float *data);

/**
 * @brief Create a tensor that borrows @p data without copying.
 *
 * The caller keeps ownership of @p data, which must stay valid (and, for
 * writes through nnlite, writable) until nnl_tensor_free() of this tensor.
 * Freeing the tensor never frees @p data.
 * Errors as nnl_tensor_create_from().
 */
NNL_API nnl_status nnl_tensor_wrap(nnl_tensor **out, int ndim, const int64_t *dims, float *data);

/** @brief Free a tensor (and its data when it owns it). NULL is a no-op. */
NNL_API void nnl_tensor_free(nnl_tensor *tensor);

/** @brief Number of dimensions, or -1 when @p tensor is NULL. */
NNL_API int nnl_tensor_ndim(const nnl_tensor *tensor);

/** @brief Size of dimension @p axis (negative counts from the end), or -1 when out of range or NULL. */
NNL_API int64_t nnl_tensor_dim(const nnl_tensor *tensor, int axis);

/**
 * @brief Copy the shape into @p dims.
 * @param dims     receives nnl_tensor_ndim() sizes.
 * @param capacity number of elements @p dims can hold.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when capacity is too small.
 */
NNL_API nnl_status nnl_tensor_shape(const nnl_tensor *tensor, int64_t *dims, int capacity);

/** @brief Number of elements (product of dims), or -1 when NULL. */
NNL_API int64_t nnl_tensor_size(const nnl_tensor *tensor);

/** @brief Size of the data in bytes, or 0 when NULL. */
NNL_API size_t nnl_tensor_nbytes(const nnl_tensor *tensor);

/**
 * @brief The data pointer (borrowed; valid until the tensor is freed or reshaped to
 *        a larger size). NULL when @p tensor is NULL.
 */
NNL_API float *nnl_tensor_data(nnl_tensor *tensor);

/** @brief Read-only data pointer; see nnl_tensor_data(). */
NNL_API const float *nnl_tensor_data_const(const nnl_tensor *tensor);

/**
 * @brief Copy the data into a caller buffer.
 * @param dst   receives nnl_tensor_size() floats.
 * @param count number of floats @p dst can hold.
 * @return ::NNL_E_SHAPE when @p count differs from the tensor's size.
 */
NNL_API nnl_status nnl_tensor_copy_to(const nnl_tensor *tensor, float *dst, int64_t count);

/**
 * @brief Give the tensor a new shape with the same number of elements (no copy).
 * @return ::NNL_E_SHAPE when the element count differs; the tensor is unchanged then.
 */
NNL_API nnl_status nnl_tensor_reshape(nnl_tensor *tensor, int ndim, const int64_t *dims);

/** @brief Set every element to @p value. */
NNL_API nnl_status nnl_tensor_fill(nnl_tensor *tensor, float value);

/**
 * @brief Fill with uniform random numbers in [low, high).
 *
 * Uses nnlite's own PCG32 generator, so the same seed gives the same numbers
 * on every machine and SIMD level.
 * @return ::NNL_E_INVALID_ARG when low > high or either is not finite.
 */
NNL_API nnl_status nnl_tensor_init_uniform(nnl_tensor *tensor, float low, float high, uint64_t seed);

/** @brief Fill with normal random numbers N(mean, stddev^2) (Box-Muller on PCG32). */
NNL_API nnl_status nnl_tensor_init_normal(nnl_tensor *tensor, float mean, float stddev, uint64_t seed);

/**
 * @brief Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
 * @return ::NNL_E_INVALID_ARG when fan_in or fan_out < 1.
 */
NNL_API nnl_status nnl_tensor_init_glorot(nnl_tensor *tensor, int64_t fan_in, int64_t fan_out,
                                          uint64_t seed);

/** @brief He/Kaiming normal: N(0, 2 / fan_in). ::NNL_E_INVALID_ARG when fan_in < 1. */
NNL_API nnl_status nnl_tensor_init_he(nnl_tensor *tensor, int64_t fan_in, uint64_t seed);

NNL_END_DECLS

#endif
/** @} */
