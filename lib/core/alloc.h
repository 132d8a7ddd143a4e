/* Internal: every allocation of the library goes through these functions so
 * that (1) big buffers are 64-byte aligned for SIMD and (2) tests can make
 * the Nth allocation fail (nnl_testing_fail_allocation). */
#ifndef NNL_CORE_ALLOC_H
#define NNL_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "nnlite/status.h"

/* 64-byte aligned; returns NULL on failure or when the test hook says so.
 * Memory from nnl_alloc* must be released with nnl_dealloc. */
void *nnl_alloc(size_t bytes);
void *nnl_alloc_zeroed(size_t bytes);
void nnl_dealloc(void *ptr);

/* a*b (and a*b*c) in size_t, or 0 on overflow: callers treat 0 as "too big". */
size_t nnl_mul_size(size_t a, size_t b);
size_t nnl_mul_size3(size_t a, size_t b, size_t c);

/* Allocate `count` floats (zeroed), recording an NNL_E_NOMEM error naming
 * `who` on failure. */
nnl_status nnl_alloc_floats(float **out, int64_t count, const char *who);

/* A scratch array that only grows: when count items of item_size bytes do
 * not fit in *capacity, *buf is replaced by a new block of count items (the
 * old contents are not kept) and *capacity becomes count. NNL_E_NOMEM
 * naming `who` on failure, leaving *buf and *capacity as they were. */
nnl_status nnl_scratch_reserve(void **buf, int64_t *capacity, int64_t count, size_t item_size, const char *who);

/* Test hook: the allocation `n` calls from now fails (1 = the next one);
 * 0 disables. Returns how many allocations happened since the last call. */
int64_t nnl_testing_fail_allocation(int64_t n);

#endif
