/* Benchmark: the classic learners on an MNIST-style directory, beside
 * bench/sklearn/classic.py (same data, pixels scaled to [0, 1], same
 * hyperparameters; bench/run-classic.sh runs both and prints the ratios).
 * Prints key=value lines:
 *   fit_seconds    wall time of nnl_estimator_fit
 *   fit_cpu_seconds  CPU time of the fit, all threads (getrusage): on a
 *                  shared machine the wall time depends on what else runs
 *   test_accuracy  on the test set
 *   predict_us     one image per call, mean over 200 calls
 *   model_bytes    size of the file nnl_estimator_save writes
 * Usage: bench_classic --model linear-svm|svm|tree|forest --data DIR [--c X]
 *                      [--gamma X] [--trees N] [--max-depth N] [--threads N]
 *                      [--seed N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nnlite.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the process so far, every thread. */
static double cpu_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static int fail(const char *what)
{
    fprintf(stderr, "bench_classic: %s: %s\n", what, nnl_last_error());
    return 1;
}

static int parse(int argc, char **argv, nnl_estimator_options *o, const char **data)
{
    const char *kinds[] = {"linear-svm", "svm", "tree", "forest"};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *name = argv[i], *v = argv[i + 1];
        if (strcmp(name, "--model") == 0) {
            o->kind = -1;
            for (int k = 0; k < 4; k++)
                o->kind = strcmp(v, kinds[k]) == 0 ? k : o->kind;
        } else if (strcmp(name, "--data") == 0) {
            *data = v;
        } else if (strcmp(name, "--c") == 0) {
            o->c = atof(v);
        } else if (strcmp(name, "--gamma") == 0) {
            o->gamma = atof(v);
        } else if (strcmp(name, "--trees") == 0) {
            o->n_estimators = atoll(v);
        } else if (strcmp(name, "--max-depth") == 0) {
            o->max_depth = atoll(v);
        } else if (strcmp(name, "--threads") == 0) {
            o->threads = atoi(v);
        } else if (strcmp(name, "--seed") == 0) {
            o->seed = (uint64_t)atoll(v);
        } else {
            return -1;
        }
    }
    return *data && o->kind >= 0 && argc % 2 == 1 ? 0 : -1;
}

/* Mean microseconds of predicting one test image, over 200 calls. */
static double predict_us(const nnl_estimator *e, const float *x)
{
    int64_t f = nnl_estimator_num_features(e);
    int32_t label;
    double start = now();
    for (int i = 0; i < 200; i++)
        nnl_estimator_predict(e, x + i * f, 1, &label);
    return (now() - start) / 200.0 * 1e6;
}

int main(int argc, char **argv)
{
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.threads = 2;
    const char *data = NULL;
    if (parse(argc, argv, &o, &data) != 0) {
        fputs("usage: bench_classic --model linear-svm|svm|tree|forest --data DIR [--c X] [--gamma X]\n"
              "                     [--trees N] [--max-depth N] [--threads N] [--seed N]\n", stderr);
        return 2;
    }
    nnl_dataset *train, *test;
    nnl_estimator *e;
    if (nnl_dataset_load_idx_dir(&train, &test, data) != NNL_OK)
        return fail(data);
    if (nnl_estimator_create(&e, &o) != NNL_OK)
        return fail("options");
    double start = now(), cpu_start = cpu_seconds();
    if (nnl_estimator_fit(e, train) != NNL_OK)
        return fail("fit");
    double fit_seconds = now() - start, fit_cpu = cpu_seconds() - cpu_start, accuracy;
    if (nnl_estimator_evaluate(e, test, NULL, &accuracy) != NNL_OK)
        return fail("evaluate");
    int64_t dims[4] = {200, 0, 0, 0};
    int ndim;
    nnl_tensor *x;
    if (nnl_dataset_sample_shape(test, dims + 1, 3, &ndim) != NNL_OK ||
        nnl_tensor_create(&x, ndim + 1, dims) != NNL_OK ||
        nnl_dataset_get_batch(test, 0, 200, x, NULL) != NNL_OK)
        return fail("test images");
    char path[] = "/tmp/bench_classic_XXXXXX";
    int fd = mkstemp(path);
    struct stat st;
    if (fd < 0 || nnl_estimator_save(e, path) != NNL_OK || stat(path, &st) != 0)
        return fail("save");
    close(fd);
    unlink(path);
    printf("fit_seconds=%.3f\nfit_cpu_seconds=%.3f\ntest_accuracy=%.4f\n", fit_seconds, fit_cpu, accuracy);
    printf("predict_us=%.1f\nmodel_bytes=%lld\n",
           predict_us(e, nnl_tensor_data(x)), (long long)st.st_size);
    nnl_tensor_free(x);
    nnl_estimator_free(e);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return 0;
}
