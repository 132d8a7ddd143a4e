/* Internal: threads for the SIMD kernels that have no `threads` argument
 * (activations, softmax, pooling, Adam, sum of squares, recurrent cells).
 *
 * These are memory-bound passes over megabytes (the MNIST CNN's conv
 * activations, the GPT's 768 x 6000 logits, 700k parameters), and one core
 * here moves about 18 GB/s while two move about 45, so large calls split the
 * work over nnl_threads_get() threads of the pool (core/pool.h) in
 * contiguous static parts (nnl_parallel_share). Small calls (single samples, 32 x 10 logits) stay on the calling thread:
 * a parallel region costs microseconds. Every split is a pure function of
 * the size and the thread count, and reductions add their per-thread parts
 * in thread order, so results are deterministic for a given thread count
 * (elementwise kernels give the same bits for any count). */
#ifndef NNL_KERNELS_PARALLEL_H
#define NNL_KERNELS_PARALLEL_H

#include <stdint.h>

#include "core/pool.h"
#include "core/threads.h"

/* Below this many floats touched, a call runs on the calling thread. */
#define NNL_PARALLEL_MIN_WORK ((int64_t)1 << 16)
/* Most threads a reduction keeps partial sums for. */
#define NNL_PARALLEL_MAX_THREADS 64

/* The number of parts for `work` floats split into at most `parts` pieces. */
static inline int kernel_team(int64_t work, int64_t parts)
{
    if (work < NNL_PARALLEL_MIN_WORK || parts < 2)
        return 1;
    int t = nnl_threads_get();
    if (t > NNL_PARALLEL_MAX_THREADS)
        t = NNL_PARALLEL_MAX_THREADS;
    return parts < t ? (int)parts : t;
}

#endif
