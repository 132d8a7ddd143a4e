/* Internal: the thread count used by the parallel kernels (core/pool.h). */
#ifndef NNL_CORE_THREADS_H
#define NNL_CORE_THREADS_H

void nnl_threads_set(int n);
/* Current thread count: the user's setting, else the cores available. */
int nnl_threads_get(void);
/* Threads for the work of the calling thread only, until called again: n > 0
 * overrides the library's setting, 0 returns to it. Returns the previous
 * override, to restore at the end of a call (fit's `threads`, generation). */
int nnl_threads_override(int n);

#endif
