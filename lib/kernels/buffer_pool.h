/* Internal: float buffers reused across kernel calls, so that hot paths
 * (the GEMM's packing, the convolution's turned kernel) do not allocate.
 * A buffer is taken by one thread for one call and given back; the pool
 * only grows to the number of buffers ever in use at once. Every buffer
 * stays reachable from the pool (LeakSanitizer sees no leak) and is freed
 * when the library unloads. */
#ifndef NNL_KERNELS_BUFFER_POOL_H
#define NNL_KERNELS_BUFFER_POOL_H

#include <stddef.h>

typedef struct nnl_pooled_buffer {
    struct nnl_pooled_buffer *next;
    float *data;
    size_t floats;
} nnl_pooled_buffer;

/* A buffer of at least `floats` floats (64-byte aligned), or NULL when
 * memory is short; callers then take a path that needs none. */
nnl_pooled_buffer *nnl_buffer_acquire(size_t floats);

/* Gives a buffer from nnl_buffer_acquire back to the pool. */
void nnl_buffer_release(nnl_pooled_buffer *buf);

#endif
