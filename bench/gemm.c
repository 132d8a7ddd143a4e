/* SGEMM throughput of nnlite next to OpenBLAS, same process, same inputs.
 *
 * For each shape (M,N,K) of the training workloads and each of the four
 * transpose combinations, both libraries run alternately (nnl then OpenBLAS,
 * then the other way round); each timed block starts 0.15 s after the
 * previous one, when the other library's idle threads have gone to sleep
 * (see settle()), and after 0.1 s of untimed calls (see warm_up()); it
 * times enough calls for about 10 ms of work, and the median repetition is
 * reported. Output: key=value lines, one per case:
 *
 *   shape=32x128x5408 trans=NN nnlite_gflops=... openblas_gflops=... ratio=... max_rel_diff=... simd=... cpu="..."
 *
 * ratio = nnlite / OpenBLAS. max_rel_diff compares the two results relative
 * to max |C| (a sanity check, not a test).
 *
 * The first line names the CPU, its caches and the tile and cache blocks
 * nnlite chose for them (nnl_cpu_info_get()).
 *
 * Usage: gemm [--reps N] [--threads N] [--shape MxNxK]  (--shape: that shape only)
 * Run it with OPENBLAS_CORETYPE unset so that OpenBLAS picks its kernel for
 * this CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "nnlite.h"
#include "bench_cpu.h"

/* From OpenBLAS (not in every cblas.h). */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

typedef struct shape {
    long m, n, k;
} shape;

static const shape shapes[] = {
    {1024, 1024, 1024}, /* square reference */
    {32, 128, 5408},    /* MNIST dense 5408->128 forward, batch 32 (NN) */
    {5408, 128, 32},    /* its weight gradient, dW = X^T dY (TN) */
    {32, 5408, 128},    /* its input gradient, dX = dY W^T (NT) */
    {768, 384, 128},    /* GPT-sized projection over 768 tokens */
    {768, 6000, 128},   /* GPT head: logits over 6000 characters (NT) */
};

typedef struct operands {
    const shape *s;
    int ta, tb;
    float *a, *b, *c_nnl, *c_blas;
} operands;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *random_floats(long count, unsigned seed)
{
    float *x = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
    if (!x) {
        fprintf(stderr, "gemm: out of memory\n");
        exit(1);
    }
    for (long i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)(seed >> 8) / 8388608.0f - 1.0f;
    }
    return x;
}

static void run_nnl(const operands *o)
{
    const shape *s = o->s;
    nnl_status st = nnl_sgemm(o->ta ? NNL_TRANS : NNL_NO_TRANS, o->tb ? NNL_TRANS : NNL_NO_TRANS,
                              s->m, s->n, s->k, 1.0f, o->a, o->ta ? s->m : s->k, o->b,
                              o->tb ? s->k : s->n, 0.0f, o->c_nnl, s->n);
    if (st != NNL_OK) {
        fprintf(stderr, "gemm: nnl_sgemm: %s\n", nnl_last_error());
        exit(1);
    }
}

static void run_blas(const operands *o)
{
    const shape *s = o->s;
    cblas_sgemm(CblasRowMajor, o->ta ? CblasTrans : CblasNoTrans, o->tb ? CblasTrans : CblasNoTrans,
                (int)s->m, (int)s->n, (int)s->k, 1.0f, o->a, (int)(o->ta ? s->m : s->k), o->b,
                (int)(o->tb ? s->k : s->n), 0.0f, o->c_blas, (int)s->n);
}

/* Idle threads of a thread pool keep waiting actively for a while after a
 * call: OpenBLAS's yield in a loop for 2^28 cycles (about 0.1 s), nnlite's
 * spin for 50 us. Timing one library while the other's threads still spin
 * measures the interference, not the library, so each timed block starts
 * after the other library's threads have gone to sleep. */
#define SETTLE_SECONDS 0.15

static void settle(void)
{
    struct timespec ts = {0, (long)(SETTLE_SECONDS * 1e9)};
    nanosleep(&ts, NULL);
}

/* After the settling sleep, the cores run slow for tens of milliseconds
 * (measured on a 2-core AMD EPYC VM: nnl_sgemm on (32, 5408, 128) at 35-60
 * GFLOP/s in the first 10 ms after a 0.15 s sleep, 60-88 after 50 ms of
 * calls, 1 thread slowed the same way), whichever library then runs. So
 * each library first runs untimed for WARM_SECONDS: the timing is of the
 * steady state a training loop sees, not of the wake-up. */
#define WARM_SECONDS 0.1

static void warm_up(void (*fn)(const operands *), const operands *o)
{
    double t0 = now_seconds();
    while (now_seconds() - t0 < WARM_SECONDS)
        fn(o);
}

/* Seconds per call, averaged over `calls` calls. */
static double time_calls(void (*fn)(const operands *), const operands *o, int calls)
{
    settle();
    warm_up(fn, o);
    double t0 = now_seconds();
    for (int i = 0; i < calls; i++)
        fn(o);
    return (now_seconds() - t0) / calls;
}

static int compare_doubles(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int count)
{
    qsort(v, (size_t)count, sizeof *v, compare_doubles);
    return count % 2 ? v[count / 2] : 0.5 * (v[count / 2 - 1] + v[count / 2]);
}

static double max_rel_diff(const float *x, const float *y, long count)
{
    double diff = 0.0, scale = 1e-30;
    for (long i = 0; i < count; i++) {
        diff = fmax(diff, fabs((double)x[i] - (double)y[i]));
        scale = fmax(scale, fabs((double)y[i]));
    }
    return diff / scale;
}

static void bench_case(const shape *s, int ta, int tb, int reps)
{
    operands o = {s, ta, tb, random_floats(s->m * s->k, 1), random_floats(s->k * s->n, 2),
                  random_floats(s->m * s->n, 3), random_floats(s->m * s->n, 4)};
    double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
    int calls = flops >= 1e9 ? 1 : (int)(1e9 / flops); /* ~10 ms at 100 GFLOP/s */
    run_nnl(&o); /* warm up: pack buffers, thread pools, caches */
    run_blas(&o);

    double *t_nnl = malloc(sizeof(double) * (size_t)reps);
    double *t_blas = malloc(sizeof(double) * (size_t)reps);
    if (!t_nnl || !t_blas) {
        fprintf(stderr, "gemm: out of memory\n");
        exit(1);
    }
    for (int r = 0; r < reps; r++) {
        if (r % 2 == 0) {
            t_nnl[r] = time_calls(run_nnl, &o, calls);
            t_blas[r] = time_calls(run_blas, &o, calls);
        } else {
            t_blas[r] = time_calls(run_blas, &o, calls);
            t_nnl[r] = time_calls(run_nnl, &o, calls);
        }
    }
    double g_nnl = flops / median(t_nnl, reps) * 1e-9;
    double g_blas = flops / median(t_blas, reps) * 1e-9;
    printf("shape=%ldx%ldx%ld trans=%c%c nnlite_gflops=%.1f openblas_gflops=%.1f ratio=%.2f "
           "max_rel_diff=%.1e simd=%s cpu=\"%s\"\n",
           s->m, s->n, s->k, ta ? 'T' : 'N', tb ? 'T' : 'N', g_nnl, g_blas, g_nnl / g_blas,
           max_rel_diff(o.c_nnl, o.c_blas, s->m * s->n), nnl_simd_name(nnl_simd_level()), bench_cpu_model());
    fflush(stdout);
    free(t_nnl);
    free(t_blas);
    free(o.a);
    free(o.b);
    free(o.c_nnl);
    free(o.c_blas);
}

int main(int argc, char **argv)
{
    int reps = 11, threads = 2;
    long only_m = 0, only_n = 0, only_k = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc &&
                 sscanf(argv[++i], "%ldx%ldx%ld", &only_m, &only_n, &only_k) == 3 &&
                 only_m > 0 && only_n > 0 && only_k > 0)
            continue;
        else {
            fprintf(stderr, "usage: %s [--reps N] [--threads N] [--shape MxNxK]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1 || nnl_set_num_threads(threads) != NNL_OK) {
        fprintf(stderr, "gemm: bad --reps or --threads\n");
        return 2;
    }
    openblas_set_num_threads(threads);
    nnl_cpu_info cpu = NNL_CPU_INFO_INIT;
    nnl_cpu_info_get(&cpu);
    printf("bench=gemm threads=%d nnlite_simd=%s openblas_core=%s reps=%d cpu=\"%s\" l1d_kb=%lld l2_kb=%lld "
           "nnlite_tile=%dx%d nnlite_blocks=kc%lld,mc%lld,nc%lld\n",
           threads, nnl_simd_name(nnl_simd_level()), openblas_get_corename(), reps, bench_cpu_model(),
           (long long)cpu.l1d_bytes / 1024, (long long)cpu.l2_bytes / 1024, cpu.gemm_mr, cpu.gemm_nr,
           (long long)cpu.gemm_kc, (long long)cpu.gemm_mc, (long long)cpu.gemm_nc);
    shape custom = {only_m, only_n, only_k};
    size_t count = only_m ? 1 : sizeof shapes / sizeof shapes[0];
    for (size_t i = 0; i < count; i++)
        for (int t = 0; t < 4; t++)
            bench_case(only_m ? &custom : &shapes[i], t >> 1, t & 1, reps);
    return 0;
}
