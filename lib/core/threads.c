/* Thread count: the user's setting, else the cores this process may run on.
 * The parallel kernels split their work into at most this many parts and
 * run them on the library's pool (core/pool.h). */
#include "core/threads.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static _Atomic int thread_count; /* 0 = not set yet */
static _Atomic int default_count; /* the available cores, counted once (0 = not yet) */
static _Thread_local int call_count; /* 0 = none: this thread follows thread_count */

void nnl_threads_set(int n) { atomic_store(&thread_count, n); }

int nnl_threads_override(int n)
{
    int previous = call_count;
    call_count = n;
    return previous;
}

/* The CPUs of the affinity mask (a container or `taskset` may allow fewer
 * than the machine has), else the online CPUs. */
static int available_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

/* Counted at the first call, as OpenMP and OpenBLAS do at start-up: every
 * kernel asks, and the system call cost 1-2 us each time, a third of a
 * small GEMM (measured with perf on 1x1 nnl_sgemm calls). */
static int default_threads(void)
{
    int n = atomic_load_explicit(&default_count, memory_order_relaxed);
    if (n == 0) {
        n = available_cores();
        atomic_store_explicit(&default_count, n, memory_order_relaxed);
    }
    return n;
}

int nnl_threads_get(void)
{
    if (call_count > 0)
        return call_count;
    int n = atomic_load(&thread_count);
    return n > 0 ? n : default_threads();
}
