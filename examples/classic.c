/* classic: the classic learners of the MNIST article (linear SVM, RBF SVM,
 * decision tree, random forest) on an MNIST-style directory, with the
 * library's datasets, metrics and files:
 *
 *   classic --model linear-svm|svm|tree|forest --data DIR [--c X] [--gamma X]
 *           [--trees N] [--max-depth N] [--threads N] [--seed N] [--save FILE]
 *           [--train-limit N] [--confusion FILE.png]
 *
 * Pixels are scaled to [0, 1] (as the CNN sees them). It trains on the
 * training set (its first N samples with --train-limit), prints the test
 * set's confusion matrix, per-class precision, recall and F1, and ends with
 *   test_accuracy=x.xxxx train_seconds=x.xx predict_us=x.x
 * predict_us being the time to predict one test image (the mean over a
 * thousand single-image calls). Defaults: C 1 (SVMs), gamma "scale", 100
 * trees, no depth limit, seed 42. --save writes the fitted estimator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nnlite.h>

#include "common/cli.h"
#include "common/confusion_picture.h"

typedef struct args {
    const char *model, *data, *save, *confusion;
    double c, gamma;
    int64_t trees, max_depth, threads, seed, train_limit;
} args;

static int usage(void)
{
    fputs("usage: classic --model linear-svm|svm|tree|forest --data DIR [--c X] [--gamma X]\n"
          "               [--trees N] [--max-depth N] [--threads N] [--seed N] [--save FILE]\n"
          "               [--train-limit N] [--confusion FILE.png]\n",
          stderr);
    return 2;
}

static int fail(const char *what, nnl_status st)
{
    fprintf(stderr, "classic: %s: %s: %s\n", what, nnl_status_str(st), nnl_last_error());
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int kind_of(const char *name)
{
    const char *names[] = {"linear-svm", "svm", "tree", "forest"};
    for (int k = 0; k < 4; k++)
        if (strcmp(name, names[k]) == 0)
            return k;
    return -1;
}

static void print_report(const int64_t *matrix, int32_t k)
{
    double *precision = calloc((size_t)k * 3, sizeof(double)), macro[3], accuracy;
    if (!precision ||
        nnl_metrics_report(matrix, k, precision, precision + k, precision + 2 * k, macro, &accuracy) != NNL_OK) {
        free(precision);
        return;
    }
    printf("confusion matrix (rows: true class, columns: predicted)\n");
    for (int32_t t = 0; t < k; t++) {
        for (int32_t p = 0; p < k; p++)
            printf("%6lld", (long long)matrix[t * k + p]);
        printf("   precision=%.3f recall=%.3f f1=%.3f\n", precision[t], precision[k + t], precision[2 * k + t]);
    }
    printf("macro precision=%.4f recall=%.4f f1=%.4f\n", macro[0], macro[1], macro[2]);
    free(precision);
}

/* Mean microseconds of one single-image prediction over the first images. */
static double predict_us(const nnl_estimator *e, const nnl_dataset *test)
{
    int64_t f = nnl_estimator_num_features(e), n = nnl_dataset_size(test) < 1000 ? nnl_dataset_size(test) : 1000;
    int64_t shape[NNL_MAX_DIMS] = {n};
    int ndim;
    nnl_tensor *x = NULL;
    if (nnl_dataset_sample_shape(test, shape + 1, NNL_MAX_DIMS - 1, &ndim) != NNL_OK ||
        nnl_tensor_create(&x, ndim + 1, shape) != NNL_OK || nnl_dataset_get_batch(test, 0, n, x, NULL) != NNL_OK) {
        nnl_tensor_free(x);
        return -1.0;
    }
    const float *data = nnl_tensor_data(x);
    int32_t label;
    double start = now();
    for (int64_t i = 0; i < n; i++)
        nnl_estimator_predict(e, data + i * f, 1, &label);
    double us = (now() - start) / (double)n * 1e6;
    nnl_tensor_free(x);
    return us;
}

static int run(const args *a, nnl_dataset *train, nnl_dataset *test)
{
    nnl_estimator_options o = NNL_ESTIMATOR_OPTIONS_INIT;
    o.kind = kind_of(a->model);
    o.c = a->c;
    o.gamma = a->gamma;
    o.n_estimators = a->trees;
    o.max_depth = a->max_depth;
    o.threads = (int)a->threads;
    o.seed = (uint64_t)a->seed;
    nnl_estimator *e;
    nnl_status st = nnl_estimator_create(&e, &o);
    if (st != NNL_OK)
        return fail("options", st);
    double start = now();
    if ((st = nnl_estimator_fit(e, train)) != NNL_OK) {
        nnl_estimator_free(e);
        return fail("fit", st);
    }
    double train_seconds = now() - start, accuracy;
    int32_t k = nnl_estimator_num_classes(e);
    int64_t *matrix = calloc((size_t)k * (size_t)k, sizeof *matrix);
    if (!matrix || (st = nnl_estimator_evaluate(e, test, matrix, &accuracy)) != NNL_OK) {
        free(matrix);
        nnl_estimator_free(e);
        return fail("evaluate", st);
    }
    print_report(matrix, k);
    char title[64];
    snprintf(title, sizeof title, "classic --model %s on the test images", a->model);
    int pictured = !a->confusion || (cli_make_parent_dir("classic", a->confusion) == 0 &&
                                     confusion_picture_write(a->confusion, matrix, k, NULL, title) == 0);
    free(matrix);
    if (!pictured) {
        perror("classic: writing the confusion matrix picture");
        nnl_estimator_free(e);
        return 1;
    }
    if (a->confusion)
        printf("wrote %s (confusion matrix: rows true class, columns predicted)\n", a->confusion);
    if (a->save && (cli_make_parent_dir("classic", a->save) != 0 || (st = nnl_estimator_save(e, a->save)) != NNL_OK)) {
        nnl_estimator_free(e);
        return st ? fail("save", st) : 1;
    }
    printf("model_size=%lld\n", (long long)nnl_estimator_size(e));
    printf("test_accuracy=%.4f train_seconds=%.2f predict_us=%.1f\n", accuracy, train_seconds, predict_us(e, test));
    nnl_estimator_free(e);
    return 0;
}

int main(int argc, char **argv)
{
    args a = {NULL, NULL, NULL, NULL, 1.0, 0.0, 100, 0, 0, 42, 0};
    const cli_option table[] = {
        {"--model", CLI_STRING, &a.model},     {"--data", CLI_STRING, &a.data},
        {"--save", CLI_STRING, &a.save},       {"--c", CLI_REAL, &a.c},
        {"--gamma", CLI_REAL, &a.gamma},       {"--trees", CLI_INT, &a.trees},
        {"--max-depth", CLI_INT, &a.max_depth}, {"--threads", CLI_INT, &a.threads},
        {"--seed", CLI_INT, &a.seed},          {"--train-limit", CLI_INT, &a.train_limit},
        {"--confusion", CLI_STRING, &a.confusion},
    };
    if (cli_parse("classic", argc, argv, 1, table, CLI_COUNT(table), NULL, 0, NULL) != 0 || !a.model || !a.data ||
        kind_of(a.model) < 0)
        return usage();
    nnl_dataset *train, *test, *head = NULL, *rest = NULL;
    nnl_status st = nnl_dataset_load_idx_dir(&train, &test, a.data);
    if (st != NNL_OK)
        return fail(a.data, st);
    if (a.train_limit > 0 && a.train_limit < nnl_dataset_size(train)) {
        if ((st = nnl_dataset_split(train, a.train_limit, &head, &rest)) != NNL_OK) {
            nnl_dataset_free(train);
            nnl_dataset_free(test);
            return fail("--train-limit", st);
        }
        nnl_dataset_free(rest);
        nnl_dataset_free(train);
        train = head;
    }
    int rc = run(&a, train, test);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return rc;
}
