/* Internal: the thread count used by the parallel kernels (core/pool.h). */
#ifndef NNL_CORE_THREADS_H
#define NNL_CORE_THREADS_H

void nnl_threads_set(int n);
/* Current thread count: the user's setting, else the cores available. */
int nnl_threads_get(void);

#endif
