/* The FMA peak of this machine: how many single-precision GFLOP/s the cores
 * reach when they do nothing but independent fused multiply-adds, per SIMD
 * level the CPU has, on 1 thread and on every core. The yardstick for the
 * GEMM and the training benchmarks ("x% of peak", docs/performance.md).
 *
 * Each thread runs chains of FMAs on 12 (AVX2: 16 ymm registers) or 24
 * (AVX-512: 32 zmm) independent accumulators, enough to cover the FMA
 * latency (4 cycles) on two FMA pipes, for a fixed number of iterations;
 * the inner loops are unrolled by pragma so the accumulators live in
 * registers (GCC 12 otherwise kept the 24 zmm ones in memory, and the
 * store-to-load round trip halved the figure on a Zen 5 core);
 * the best of 5 repetitions is reported. Output, one line per level and
 * thread count:
 *
 *   bench=peak cpu="..." simd=avx2 threads=2 gflops=...
 *
 * Usage: peak [--threads N]  (default: the library's thread count, the cores) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlite.h"

#include "bench_cpu.h"

#if defined(__x86_64__)
#include <immintrin.h>

enum { ITERS = 20 * 1000 * 1000 };

/* 12 ymm accumulators x 8 lanes x 2 flops per iteration. */
__attribute__((target("avx2,fma"))) static double fma_avx2(float seed)
{
    __m256 acc[12], x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++)
        acc[i] = _mm256_set1_ps(seed + (float)i);
    for (long it = 0; it < ITERS; it++)
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++)
            acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    float out[8], sum = 0.0f;
    for (int i = 1; i < 12; i++)
        acc[0] = _mm256_add_ps(acc[0], acc[i]);
    _mm256_storeu_ps(out, acc[0]);
    for (int i = 0; i < 8; i++)
        sum += out[i];
    return sum; /* keeps the work alive */
}

/* 24 zmm accumulators x 16 lanes x 2 flops per iteration. */
__attribute__((target("avx512f"))) static double fma_avx512(float seed)
{
    __m512 acc[24], x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 24; i++)
        acc[i] = _mm512_set1_ps(seed + (float)i);
    for (long it = 0; it < ITERS / 2; it++)
#pragma GCC unroll 24
        for (int i = 0; i < 24; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    for (int i = 1; i < 24; i++)
        acc[0] = _mm512_add_ps(acc[0], acc[i]);
    return _mm512_reduce_add_ps(acc[0]);
}

typedef struct level {
    nnl_simd simd;
    double (*run)(float);
    double flops; /* per call */
} level;

static const level levels[] = {
    {NNL_SIMD_AVX2, fma_avx2, 12.0 * 8 * 2 * ITERS},
    {NNL_SIMD_AVX512, fma_avx512, 24.0 * 16 * 2 * (ITERS / 2)},
};

typedef struct job {
    const level *lv;
    double sink;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    j->sink = j->lv->run(1.0f);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* GFLOP/s of `threads` threads running the level's loop at once, best of 5. */
static double measure(const level *lv, int threads)
{
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        pthread_t tid[256];
        job jobs[256];
        double t0 = now();
        for (int t = 0; t < threads; t++) {
            jobs[t].lv = lv;
            pthread_create(&tid[t], NULL, worker, &jobs[t]);
        }
        for (int t = 0; t < threads; t++)
            pthread_join(tid[t], NULL);
        double gflops = lv->flops * threads / (now() - t0) * 1e-9;
        if (gflops > best)
            best = gflops;
    }
    return best;
}

int main(int argc, char **argv)
{
    int threads = nnl_get_num_threads();
    if (argc == 3 && strcmp(argv[1], "--threads") == 0)
        threads = atoi(argv[2]);
    if (argc != 1 && argc != 3) {
        fprintf(stderr, "usage: %s [--threads N]\n", argv[0]);
        return 2;
    }
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "peak: --threads must be 1..256\n");
        return 2;
    }
    nnl_cpu_info cpu = NNL_CPU_INFO_INIT;
    nnl_cpu_info_get(&cpu);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (levels[i].simd > cpu.simd)
            continue; /* the CPU (or NNL_SIMD) does not allow it */
        for (int t = 1; t <= threads; t = t == threads ? threads + 1 : threads)
            printf("bench=peak cpu=\"%s\" simd=%s threads=%d gflops=%.1f\n", bench_cpu_model(),
                   nnl_simd_name(levels[i].simd), t, measure(&levels[i], t));
    }
    return 0;
}
#else
int main(void)
{
    fprintf(stderr, "peak: x86-64 only\n");
    return 77;
}
#endif
