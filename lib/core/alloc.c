/* Aligned allocation with an allocation-failure hook for tests. */
#include "core/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

enum { NNL_ALIGNMENT = 64 };

/* Countdown to the allocation that must fail; 0 = never. Atomic because
 * kernels may allocate from worker threads. */
static _Atomic int64_t fail_countdown;
static _Atomic int64_t allocation_count;

static int injected_failure(void)
{
    atomic_fetch_add(&allocation_count, 1);
    int64_t left = atomic_load(&fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1))
            return left == 1;
    }
    return 0;
}

void *nnl_alloc(size_t bytes)
{
    if (injected_failure())
        return NULL;
    if (bytes == 0)
        bytes = 1;
    size_t rounded = (bytes + NNL_ALIGNMENT - 1) / NNL_ALIGNMENT * NNL_ALIGNMENT;
    if (rounded < bytes)
        return NULL;
    return aligned_alloc(NNL_ALIGNMENT, rounded);
}

void *nnl_alloc_zeroed(size_t bytes)
{
    void *p = nnl_alloc(bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void nnl_dealloc(void *ptr) { free(ptr); }

size_t nnl_mul_size(size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    return a * b;
}

size_t nnl_mul_size3(size_t a, size_t b, size_t c) { return nnl_mul_size(nnl_mul_size(a, b), c); }

/* Float buffers obey the tensors' limit (core/tensor.c): larger requests
 * are refused here, before the system is asked for terabytes. */
#define NNL_MAX_FLOATS ((int64_t)1 << 40)

nnl_status nnl_alloc_floats(float **out, int64_t count, const char *who)
{
    *out = NULL;
    if (count < 0 || count > NNL_MAX_FLOATS)
        return nnl_error(NNL_E_NOMEM, "%s: %lld floats do not fit in memory (the limit is 2^40)", who,
                         (long long)count);
    size_t bytes = nnl_mul_size((size_t)count, sizeof(float));
    *out = nnl_alloc_zeroed(bytes);
    if (!*out)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %zu bytes", who, bytes);
    return NNL_OK;
}

int64_t nnl_testing_fail_allocation(int64_t n)
{
    atomic_store(&fail_countdown, n > 0 ? n : 0);
    return atomic_exchange(&allocation_count, 0);
}

nnl_status nnl_scratch_reserve(void **buf, int64_t *capacity, int64_t count, size_t item_size, const char *who)
{
    if (count <= *capacity)
        return NNL_OK;
    size_t bytes = nnl_mul_size((size_t)count, item_size);
    void *grown = bytes ? nnl_alloc(bytes) : NULL;
    if (!grown)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld items of %zu bytes", who, (long long)count,
                         item_size);
    nnl_dealloc(*buf);
    *buf = grown;
    *capacity = count;
    return NNL_OK;
}
