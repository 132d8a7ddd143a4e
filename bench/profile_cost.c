/* What one profiler event costs: the time of a call of nnl_sgemm on 1 x 1
 * matrices (about as little work as a kernel call can hold) with the
 * profiler off and on; the difference is the cost of recording one kernel
 * event (two clock reads, the thread's log under its lock). The best of
 * several repetitions of each, alternated, so that a busy machine disturbs
 * the comparison as little as it can. With the events per training step
 * (from a profiled run's table) it gives the profiler's share of a step.
 *
 *   profile_cost [--calls N] [--repeats N]
 * Prints key=value lines: cpu, off_ns_per_call, on_ns_per_call, event_ns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlite.h"

#include "bench_cpu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Nanoseconds per call of `calls` 1 x 1 x 1 products. */
static double time_calls(long calls)
{
    float a = 1.0f, b = 2.0f, c = 0.0f;
    double t0 = now();
    for (long i = 0; i < calls; i++) {
        if (nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1) != NNL_OK) {
            fprintf(stderr, "profile_cost: %s\n", nnl_last_error());
            exit(1);
        }
    }
    return (now() - t0) * 1e9 / (double)calls;
}

int main(int argc, char **argv)
{
    long calls = 200000;
    int repeats = 15;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--calls")) calls = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeats")) repeats = atoi(argv[i + 1]);
    }
    if (nnl_profile_is_active() && nnl_profile_stop() != NNL_OK)
        return 1;
    nnl_set_num_threads(1); /* set, so that no call asks the system for the cores it may use */
    double best_off = 1e30, best_on = 1e30;
    for (int r = 0; r < repeats; r++) {
        double off = time_calls(calls);
        nnl_profile_reset(); /* the log starts empty each time: its growth is part of the cost */
        nnl_profile_start();
        double on = time_calls(calls);
        nnl_profile_stop();
        best_off = off < best_off ? off : best_off;
        best_on = on < best_on ? on : best_on;
    }
    printf("cpu=%s\nsimd=%s\ncalls=%ld\nrepeats=%d\noff_ns_per_call=%.1f\non_ns_per_call=%.1f\nevent_ns=%.1f\n",
           bench_cpu_model(), nnl_simd_name(nnl_simd_level()), calls, repeats, best_off, best_on, best_on - best_off);
    return 0;
}
