/* What the profiler costs, measured in one process so that a busy machine
 * weighs on both sides alike:
 *
 * 1. one event: a call of nnl_sgemm on 1 x 1 matrices (about as little
 *    work as a kernel call holds) with the profiler off and on, the best of
 *    several alternated repetitions; the difference is one kernel event
 *    (two clock reads, the thread's log under its lock);
 * 2. training: the article's MNIST CNN (bench/mnist.c's network) on 320
 *    random 28 x 28 images, batch 32, 1 thread: fits of one epoch (10
 *    steps) alternately with the profiler off and on, many pairs, each
 *    timed in the thread's CPU time; the overhead is the summed CPU time on
 *    over off, and the median of the pairs' ratios.
 *
 * The profiler built in but off against a library without it cannot be
 * told apart in one process: bench/run-profile-overhead.sh compares the
 * two libraries, and callgrind's instruction counts tell the rest
 * (docs/seeing-inside.md).
 *
 *   profile_cost [--calls N] [--repeats N] [--pairs N]
 * Prints key=value lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlite.h"

#include "article_cnn.h"
#include "bench_cpu.h"

enum { IMAGES = 320, BATCH = 32 };

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check(nnl_status s, const char *what)
{
    if (s != NNL_OK) {
        fprintf(stderr, "profile_cost: %s: %s\n", what, nnl_last_error());
        exit(1);
    }
}

/* Nanoseconds per call of `calls` 1 x 1 x 1 products. */
static double time_calls(long calls)
{
    float a = 1.0f, b = 2.0f, c = 0.0f;
    double t0 = seconds(CLOCK_MONOTONIC);
    for (long i = 0; i < calls; i++)
        check(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1), "sgemm");
    return (seconds(CLOCK_MONOTONIC) - t0) * 1e9 / (double)calls;
}

static nnl_dataset *random_images(void)
{
    static float x[IMAGES * 784];
    int32_t labels[IMAGES];
    uint32_t s = 1;
    for (int i = 0; i < IMAGES * 784; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / 16777216.0f;
    }
    for (int i = 0; i < IMAGES; i++)
        labels[i] = i % 10;
    const int64_t dims[3] = {28, 28, 1};
    nnl_dataset *d;
    check(nnl_dataset_create_labeled(&d, IMAGES, 3, dims, x, labels), "dataset");
    return d;
}

/* CPU seconds of the calling thread for one epoch of fit. */
static double time_fit(nnl_model *m, const nnl_dataset *d, int profiled)
{
    if (profiled)
        check(nnl_profile_start(), "start");
    double t0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    check(nnl_model_fit(m, d, NULL, 1, BATCH, 42, NULL, NULL), "fit");
    double t = seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
    if (profiled) {
        check(nnl_profile_stop(), "stop");
        nnl_profile_reset(); /* outside the timed part: the record of one fit at a time */
    }
    return t;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void measure_fit(int pairs)
{
    nnl_model *m = bench_article_cnn(0, check);
    nnl_dataset *d = random_images();
    time_fit(m, d, 0); /* warm-up: buffers sized, pages touched */
    time_fit(m, d, 1);
    double off = 0, on = 0, *ratios = malloc((size_t)pairs * sizeof *ratios);
    for (int p = 0; p < pairs; p++) {
        int on_first = p % 2; /* neither side always runs second */
        double a = time_fit(m, d, on_first), b = time_fit(m, d, !on_first);
        double t_on = on_first ? a : b, t_off = on_first ? b : a;
        on += t_on;
        off += t_off;
        ratios[p] = t_on / t_off;
    }
    qsort(ratios, (size_t)pairs, sizeof *ratios, compare_doubles);
    printf("fit_pairs=%d\nfit_steps_per_run=%d\nfit_off_cpu_ms_per_step=%.3f\nfit_on_cpu_ms_per_step=%.3f\n"
           "fit_overhead_percent_total=%+.2f\nfit_overhead_percent_median_pair=%+.2f\n",
           pairs, IMAGES / BATCH, 1e3 * off / pairs / (IMAGES / BATCH), 1e3 * on / pairs / (IMAGES / BATCH),
           100 * (on / off - 1), 100 * (ratios[pairs / 2] - 1));
    free(ratios);
    nnl_model_free(m);
    nnl_dataset_free(d);
}

int main(int argc, char **argv)
{
    long calls = 200000;
    int repeats = 15, pairs = 40;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--calls")) calls = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--repeats")) repeats = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--pairs")) pairs = atoi(argv[i + 1]);
    }
    if (pairs < 1 || repeats < 1 || calls < 1) {
        fprintf(stderr, "usage: profile_cost [--calls N] [--repeats N] [--pairs N]\n");
        return 2;
    }
    if (nnl_profile_is_active())
        check(nnl_profile_stop(), "stop");
    check(nnl_set_num_threads(1), "threads"); /* set, so that no call asks the system for its cores */
    double best_off = 1e30, best_on = 1e30;
    for (int r = 0; r < repeats; r++) {
        double off = time_calls(calls);
        nnl_profile_reset(); /* the log starts empty each time: its growth is part of the cost */
        check(nnl_profile_start(), "start");
        double on = time_calls(calls);
        check(nnl_profile_stop(), "stop");
        best_off = off < best_off ? off : best_off;
        best_on = on < best_on ? on : best_on;
    }
    nnl_profile_reset();
    printf("cpu=%s\nsimd=%s\ncalls=%ld\nrepeats=%d\noff_ns_per_call=%.1f\non_ns_per_call=%.1f\nevent_ns=%.1f\n",
           bench_cpu_model(), nnl_simd_name(nnl_simd_level()), calls, repeats, best_off, best_on, best_on - best_off);
    measure_fit(pairs);
    return 0;
}
