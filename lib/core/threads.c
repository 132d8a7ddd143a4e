/* Thread count: the user's setting, else the cores this process may run on.
 * The parallel kernels split their work into at most this many parts and
 * run them on the library's pool (core/pool.h). */
#include "core/threads.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static _Atomic int thread_count; /* 0 = not set yet */
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

int nnl_threads_get(void)
{
    if (call_count > 0)
        return call_count;
    int n = atomic_load(&thread_count);
    return n > 0 ? n : available_cores();
}
