/* Internal: the library's thread pool, which runs the parallel parts of the
 * kernels.
 *
 * Why not OpenMP: libgomp's idle threads spin for a long time after each
 * parallel region before they sleep, and the wait policy can only be chosen
 * by the host program, through the environment, before it starts. When the
 * cores are shared (two programs, a test runner, a busy server) the spinning
 * threads take the cores from the working ones: a 3 s MNIST training took
 * 91 s beside another process, and GPT training ran 4.6x slower under load.
 * These workers spin for about 50 us (the gap between two kernels of one
 * training step), yielding the core as they do, and then sleep.
 *
 * nnl_parallel_run(parts, fn, ctx) calls fn(ctx, part, parts) once for every
 * part in [0, parts) and returns when all have finished. Part p always runs
 * on the same thread while the thread count stays the same (the caller runs
 * part 0, worker w part w + 1, and so on with a stride of the team size), so
 * a part's data stays in that core's cache from one call to the next. The
 * work a part does must depend only on (part, parts): results then do not
 * depend on which thread ran what.
 *
 * Calls from several threads at once, and calls from inside a part, are
 * safe: the pool serves one call at a time and the others run all their
 * parts on the calling thread, in order. */
#ifndef NNL_CORE_POOL_H
#define NNL_CORE_POOL_H

#include <stdint.h>

typedef void (*nnl_parallel_fn)(void *ctx, int part, int parts);

void nnl_parallel_run(int parts, nnl_parallel_fn fn, void *ctx);

/* Tasks of uneven or unpredictable length (the trees of a forest, the
 * classes of a linear SVM): fn(ctx, task, part) is called once for every
 * task in [0, count), the tasks handed out in increasing order to
 * whichever of the `parts` parts is free, so that a part whose core is
 * taken by another program does not hold the others up. Which part runs a
 * task varies from run to run: a task's result must depend only on the
 * task (`part` only picks the part's own scratch). */
typedef void (*nnl_task_fn)(void *ctx, int64_t task, int part);

void nnl_parallel_tasks(int parts, int64_t count, nnl_task_fn fn, void *ctx);

/* The static share [*begin, *end) of part `part` of `parts` in [0, n),
 * boundaries on multiples of `align` (a cache line of floats keeps threads
 * off each other's lines). */
void nnl_parallel_share(int64_t n, int64_t align, int part, int parts, int64_t *begin, int64_t *end);

#endif
