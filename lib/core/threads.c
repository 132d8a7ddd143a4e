/* Thread count. OpenMP is the thread pool; we keep our own count instead of
 * omp_set_num_threads() so that the library never changes the host
 * program's OpenMP settings: every parallel region passes num_threads(). */
#include "core/threads.h"

#include <stdatomic.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static _Atomic int thread_count; /* 0 = not set yet */

void nnl_threads_set(int n) { atomic_store(&thread_count, n); }

int nnl_threads_get(void)
{
    int n = atomic_load(&thread_count);
    if (n > 0)
        return n;
#ifdef _OPENMP
    n = omp_get_num_procs();
#else
    n = 1;
#endif
    return n > 0 ? n : 1;
}
