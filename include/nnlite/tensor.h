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
 * @param out  receives the new tensor (transferred to the caller; free with nnl_tensor_free()).
 * @param ndim 0..::NNL_MAX_DIMS.
 * @param dims @p ndim sizes, each >= 1; copied. May be NULL when ndim is 0.
 * @param data the product of @p dims floats, row-major; copied.
 * @return errors as nnl_tensor_create(), plus ::NNL_E_INVALID_ARG when @p data is NULL.
 */
NNL_API nnl_status nnl_tensor_create_from(nnl_tensor **out, int ndim, const int64_t *dims,
                                          const float *data);

/**
 * @brief Create a tensor that borrows @p data without copying.
 *
 * The caller keeps ownership of @p data, which must stay valid (and, for
 * writes through nnlite, writable) until nnl_tensor_free() of this tensor.
 * Freeing the tensor never frees @p data.
 * @param out  receives the new tensor handle (transferred; free with nnl_tensor_free()).
 * @param ndim 0..::NNL_MAX_DIMS.
 * @param dims @p ndim sizes, each >= 1; copied. May be NULL when ndim is 0.
 * @param data the product of @p dims floats, row-major; borrowed as described above.
 * @return errors as nnl_tensor_create_from().
 */
NNL_API nnl_status nnl_tensor_wrap(nnl_tensor **out, int ndim, const int64_t *dims, float *data);

/**
 * @brief Free a tensor (and its data when it owns it).
 * @param tensor the tensor, or NULL (a no-op). Do not free a tensor borrowed
 *               from a layer or model (nnl_layer_param()).
 */
NNL_API void nnl_tensor_free(nnl_tensor *tensor);

/**
 * @brief Number of dimensions.
 * @param tensor the tensor.
 * @return 0..::NNL_MAX_DIMS, or -1 when @p tensor is NULL.
 */
NNL_API int nnl_tensor_ndim(const nnl_tensor *tensor);

/**
 * @brief Size of one dimension.
 * @param tensor the tensor.
 * @param axis   0..ndim - 1, or negative to count from the end (-1 is the last).
 * @return the size, or -1 when @p axis is out of range or @p tensor is NULL.
 */
NNL_API int64_t nnl_tensor_dim(const nnl_tensor *tensor, int axis);

/**
 * @brief Copy the shape into @p dims.
 * @param tensor   the tensor.
 * @param dims     receives nnl_tensor_ndim() sizes.
 * @param capacity number of elements @p dims can hold.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when capacity is too small.
 */
NNL_API nnl_status nnl_tensor_shape(const nnl_tensor *tensor, int64_t *dims, int capacity);

/**
 * @brief Number of elements (the product of the dims; 1 for ndim 0).
 * @param tensor the tensor.
 * @return the count, or -1 when @p tensor is NULL.
 */
NNL_API int64_t nnl_tensor_size(const nnl_tensor *tensor);

/**
 * @brief Size of the data in bytes (4 per element).
 * @param tensor the tensor.
 * @return the byte count, or 0 when @p tensor is NULL.
 */
NNL_API size_t nnl_tensor_nbytes(const nnl_tensor *tensor);

/**
 * @brief The tensor's data, row-major, for reading and writing.
 * @param tensor the tensor.
 * @return nnl_tensor_size() floats, borrowed: valid until the tensor is freed
 *         (for a wrapped tensor, the caller's buffer). NULL when @p tensor is NULL.
 */
NNL_API float *nnl_tensor_data(nnl_tensor *tensor);

/**
 * @brief Read-only access to the tensor's data.
 * @param tensor the tensor.
 * @return as nnl_tensor_data().
 */
NNL_API const float *nnl_tensor_data_const(const nnl_tensor *tensor);

/**
 * @brief Copy the data into a caller buffer.
 * @param tensor the tensor.
 * @param dst    receives nnl_tensor_size() floats.
 * @param count  number of floats @p dst can hold; must equal nnl_tensor_size().
 * @return ::NNL_E_INVALID_ARG for NULL pointers; ::NNL_E_SHAPE when @p count
 *         differs from the tensor's size.
 */
NNL_API nnl_status nnl_tensor_copy_to(const nnl_tensor *tensor, float *dst, int64_t count);

/**
 * @brief Give the tensor a new shape with the same number of elements (no copy).
 * @param tensor the tensor; must not be in use by a computation on another thread.
 * @param ndim   0..::NNL_MAX_DIMS.
 * @param dims   @p ndim sizes, each >= 1; copied.
 * @return ::NNL_E_INVALID_ARG for a NULL tensor or a bad shape; ::NNL_E_SHAPE
 *         when the element count differs. On failure the tensor is unchanged.
 */
NNL_API nnl_status nnl_tensor_reshape(nnl_tensor *tensor, int ndim, const int64_t *dims);

/**
 * @brief Set every element to @p value.
 * @param tensor the tensor.
 * @param value  the value.
 * @return ::NNL_OK, or ::NNL_E_INVALID_ARG when @p tensor is NULL.
 */
NNL_API nnl_status nnl_tensor_fill(nnl_tensor *tensor, float value);

/**
 * @brief Fill with uniform random numbers in [low, high).
 *
 * Uses nnlite's own PCG32 generator, so the same seed gives the same numbers
 * on every machine and SIMD level.
 * @param tensor the tensor.
 * @param low    lower bound, finite.
 * @param high   upper bound, finite, >= @p low.
 * @param seed   seed of the generator.
 * @return ::NNL_E_INVALID_ARG for a NULL tensor or when low > high or either is not finite.
 */
NNL_API nnl_status nnl_tensor_init_uniform(nnl_tensor *tensor, float low, float high, uint64_t seed);

/**
 * @brief Fill with normal random numbers N(mean, stddev^2) (Box-Muller on PCG32).
 * @param tensor the tensor.
 * @param mean   the mean, finite.
 * @param stddev the standard deviation, finite and >= 0.
 * @param seed   seed of the generator; the same seed gives the same numbers everywhere.
 * @return ::NNL_E_INVALID_ARG for a NULL tensor or a mean or stddev out of range.
 */
NNL_API nnl_status nnl_tensor_init_normal(nnl_tensor *tensor, float mean, float stddev, uint64_t seed);

/**
 * @brief Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
 * @param tensor  the tensor.
 * @param fan_in  inputs per output unit, >= 1.
 * @param fan_out outputs per input unit, >= 1.
 * @param seed    seed of the generator.
 * @return ::NNL_E_INVALID_ARG for a NULL tensor or when fan_in or fan_out < 1.
 */
NNL_API nnl_status nnl_tensor_init_glorot(nnl_tensor *tensor, int64_t fan_in, int64_t fan_out,
                                          uint64_t seed);

/**
 * @brief He/Kaiming normal: N(0, 2 / fan_in).
 * @param tensor the tensor.
 * @param fan_in inputs per output unit, >= 1.
 * @param seed   seed of the generator.
 * @return ::NNL_E_INVALID_ARG for a NULL tensor or when fan_in < 1.
 */
NNL_API nnl_status nnl_tensor_init_he(nnl_tensor *tensor, int64_t fan_in, uint64_t seed);

NNL_END_DECLS

#endif
/** @} */
