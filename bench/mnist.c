/* The article's CNN, trained like bench/torch/cnn.py trains it in PyTorch:
 * 5 epochs, batch 32, Adam (lr 1e-3, eps 1e-7), 2 threads; then test
 * accuracy and the latency of predicting one image.
 *
 *   bench_mnist --data DIR [--epochs N] [--threads N] [--seed N] [--profile TRACE.json]
 * --profile records fit with the profiler (nnlite/profile.h) and writes its
 * Chrome trace to TRACE.json and its table to TRACE.txt.
 * Prints key=value lines: images, train_seconds, train_cpu_seconds (the
 * process's CPU time during fit, all threads: steadier than wall time on a
 * shared machine), images_per_s, test_accuracy, predict_us (median of
 * single-image nnl_model_predict calls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnlite.h"
#include "article_cnn.h"
#include "bench_cpu.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check(nnl_status s, const char *what)
{
    if (s != NNL_OK) {
        fprintf(stderr, "bench_mnist: %s: %s\n", what, nnl_last_error());
        exit(1);
    }
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The profiler's trace of fit at `path`, its table beside it (.txt). */
static void write_profile(const char *path)
{
    check(nnl_profile_stop(), "profile");
    check(nnl_profile_write_trace(path), "trace");
    char txt[4096];
    size_t len = strlen(path);
    if (len > 5 && !strcmp(path + len - 5, ".json"))
        len -= 5;
    snprintf(txt, sizeof txt, "%.*s.txt", (int)len, path);
    FILE *f = fopen(txt, "w");
    if (!f) {
        fprintf(stderr, "bench_mnist: cannot write %s\n", txt);
        exit(1);
    }
    nnl_profile_table *table;
    check(nnl_profile_table_create(&table), "profile table");
    check(nnl_profile_table_write(table, f), "profile table");
    nnl_profile_table_free(table);
    fclose(f);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median wall time of one-image predictions, in microseconds. */
static double predict_latency_us(const nnl_model *m, const nnl_dataset *test)
{
    enum { CALLS = 2000 };
    const int64_t dims[3] = {28, 28, 1}, one[1] = {10}, batch_dims[4] = {1, 28, 28, 1};
    nnl_tensor *x, *y, *batch_x;
    check(nnl_tensor_create(&x, 3, dims), "tensor");
    check(nnl_tensor_create(&y, 1, one), "tensor");
    check(nnl_tensor_create(&batch_x, 4, batch_dims), "tensor");
    check(nnl_dataset_get_batch(test, 0, 1, batch_x, NULL), "batch");
    memcpy(nnl_tensor_data(x), nnl_tensor_data(batch_x), 784 * sizeof(float));
    static double times[CALLS];
    for (int i = 0; i < CALLS; i++) {
        double t0 = now();
        check(nnl_model_predict(m, x, y), "predict");
        times[i] = now() - t0;
    }
    qsort(times, CALLS, sizeof times[0], compare_doubles);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_tensor_free(batch_x);
    return times[CALLS / 2] * 1e6;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *profile = NULL;
    int64_t epochs = 5;
    int threads = 2;
    uint64_t seed = 42;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data")) dir = argv[i + 1];
        else if (!strcmp(argv[i], "--epochs")) epochs = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--profile")) profile = argv[i + 1];
    }
    if (!dir) {
        fprintf(stderr, "usage: bench_mnist --data DIR [--epochs N] [--threads N] [--seed N] [--profile TRACE.json]\n");
        return 2;
    }
    check(nnl_set_num_threads(threads), "threads");
    nnl_dataset *train, *test;
    check(nnl_dataset_load_idx_dir(&train, &test, dir), dir);
    nnl_model *m = bench_article_cnn(seed, check);
    if (profile)
        check(nnl_profile_start(), "profile");
    double t0 = now(), cpu0 = cpu_seconds();
    check(nnl_model_fit(m, train, NULL, epochs, 32, seed, NULL, NULL), "fit");
    double seconds = now() - t0, cpu = cpu_seconds() - cpu0;
    if (profile)
        write_profile(profile);
    double loss, accuracy;
    check(nnl_model_evaluate(m, test, 500, &loss, &accuracy), "evaluate");
    double latency = predict_latency_us(m, test);
    int64_t images = nnl_dataset_size(train) * epochs;
    printf("cpu=%s\nsimd=%s\nthreads=%d\nimages=%lld\ntrain_seconds=%.3f\ntrain_cpu_seconds=%.3f\nimages_per_s=%.0f\n"
           "test_accuracy=%.4f\npredict_us=%.1f\n", bench_cpu_model(), nnl_simd_name(nnl_simd_level()), threads,
           (long long)images, seconds, cpu, (double)images / seconds, accuracy, latency);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return 0;
}
