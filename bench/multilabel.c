/* The multi-label digits model of examples/multilabel, trained like
 * bench/torch/multilabel.py trains it in PyTorch: 5 epochs, batch 32, Adam
 * (lr 1e-3, eps 1e-7), sigmoid binary cross-entropy, 2 threads; then the
 * test label sets at threshold 0.5 and their metrics.
 *
 *   bench_multilabel --data DIR [--epochs N] [--threads N] [--seed N]
 * Prints key=value lines: images, train_seconds, images_per_s,
 * subset_accuracy, micro_f1, macro_f1, hamming_loss. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/cli.h"
#include "common/multilabel_model.h"
#include "nnlite.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check(nnl_status s, const char *what)
{
    if (s != NNL_OK) {
        fprintf(stderr, "bench_multilabel: %s: %s\n", what, nnl_last_error());
        exit(1);
    }
}

/* The test set's metrics at threshold 0.5. */
static nnl_multilabel_report test_metrics(const nnl_model *m, const nnl_dataset *test)
{
    int64_t n = nnl_dataset_size(test), classes = nnl_dataset_num_classes(test);
    uint8_t *truth = malloc((size_t)(n * classes)), *predicted = malloc((size_t)(n * classes));
    if (!truth || !predicted)
        check(NNL_E_NOMEM, "metrics");
    check(nnl_dataset_get_multilabels(test, 0, n, truth), "labels");
    check(nnl_model_predict_multilabel(m, test, 500, NULL, NULL, predicted), "predict");
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    check(nnl_metrics_multilabel(truth, predicted, n, (int32_t)classes, &r, NULL, NULL, NULL, NULL), "metrics");
    free(truth);
    free(predicted);
    return r;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int64_t epochs = 5, threads = 2, seed = 42;
    const cli_option options[] = {{"--data", CLI_STRING, &dir}, {"--epochs", CLI_INT, &epochs},
                                  {"--threads", CLI_INT, &threads}, {"--seed", CLI_INT, &seed}};
    if (cli_parse("bench_multilabel", argc, argv, 1, options, CLI_COUNT(options), NULL, 0, NULL) != 0 || !dir) {
        fprintf(stderr, "usage: bench_multilabel --data DIR [--epochs N] [--threads N] [--seed N]\n");
        return 2;
    }
    check(nnl_set_num_threads((int)threads), "threads");
    nnl_dataset *train, *test;
    check(nnl_dataset_load_idx_dir(&train, &test, dir), dir);
    int64_t dims[3];
    int ndim;
    check(nnl_dataset_sample_shape(train, dims, 3, &ndim), "shape");
    nnl_model *m;
    check(multilabel_model_build(&m, dims[0], dims[1], nnl_dataset_num_classes(train), (uint64_t)seed), "model");
    double t0 = now();
    check(nnl_model_fit(m, train, NULL, epochs, 32, (uint64_t)seed, NULL, NULL), "fit");
    double seconds = now() - t0;
    nnl_multilabel_report r = test_metrics(m, test);
    int64_t images = nnl_dataset_size(train) * epochs;
    printf("simd=%s\nthreads=%d\nimages=%lld\ntrain_seconds=%.3f\nimages_per_s=%.0f\nsubset_accuracy=%.4f\n"
           "micro_f1=%.4f\nmacro_f1=%.4f\nhamming_loss=%.4f\n", nnl_simd_name(nnl_simd_level()), (int)threads,
           (long long)images, seconds, (double)images / seconds, r.subset_accuracy, r.micro_f1, r.macro_f1,
           r.hamming_loss);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return 0;
}
