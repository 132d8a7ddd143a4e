/* Multi-label classification: images that hold two digits side by side
 * (scripts/make-multilabel), each labelled with the set of digits present.
 *   Conv2D(32, 3x3) -> MaxPool 2 -> Conv2D(64, 3x3) -> MaxPool 2 -> Dense(128) -> Dense(10, sigmoid)
 * trained with sigmoid binary cross-entropy and Adam 1e-3; then the label
 * sets predicted for the test images (a class when its probability is >=
 * the threshold), the per-class precision/recall/F1 table, the subset
 * accuracy, Hamming loss and micro/macro F1, a saved model file and a PNG
 * of 24 test images with their predicted label sets (wrong ones in red,
 * with the true set in brackets).
 *
 * With --tune-thresholds, a tenth of the training images is held out,
 * the model trains on the rest, and each class gets the threshold that
 * maximises its F1 on the held-out images (nnl_metrics_tune_thresholds)
 * instead of --threshold.
 *
 *   multilabel [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N]
 *              [--threshold T] [--tune-thresholds] [--save FILE] [--grid FILE.png]
 *              [--log FILE.csv] [--curves FILE.png]
 * The curves show micro-F1; their validation data are the held-out images
 * with --tune-thresholds, else the test images.
 * The last line is machine-readable:
 *   subset_accuracy=x.xxxx micro_f1=x.xxxx macro_f1=x.xxxx hamming_loss=x.xxxx train_seconds=x.xx */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/multilabel_model.h"
#include "common/prediction_grid.h"
#include "common/progress_bar.h"
#include "common/training_curves.h"
#include "nnlite.h"

enum { CLASSES = 10 };

typedef struct options {
    const char *data_dir, *save_path, *grid_path;
    const char *log_path, *curves_path; /* NULL: not written */
    int64_t epochs, batch, threads, seed;
    double threshold;
    int tune;
} options;

/* What the run works with; freed together. */
typedef struct run_data {
    nnl_dataset *train, *test, *held_out;
    nnl_model *model;
    uint8_t *truth, *predicted;
    float thresholds[CLASSES];
} run_data;

static int fail(const char *what, nnl_status s)
{
    fprintf(stderr, "multilabel: %s: %s (%s)\n", what, nnl_last_error(), nnl_status_str(s));
    return 1;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){"data/multilabel", "out/multilabel.safetensors", "out/multilabel_predictions.png", NULL, NULL, 5, 32, 0, 42,
                   0.5, 0};
    const cli_option table[] = {
        {"--data", CLI_STRING, &o->data_dir},      {"--save", CLI_STRING, &o->save_path},
        {"--grid", CLI_STRING, &o->grid_path},     {"--epochs", CLI_INT, &o->epochs},
        {"--batch", CLI_INT, &o->batch},           {"--threads", CLI_INT, &o->threads},
        {"--seed", CLI_INT, &o->seed},             {"--threshold", CLI_REAL, &o->threshold},
        {"--tune-thresholds", CLI_FLAG, &o->tune}, {"--log", CLI_STRING, &o->log_path},
        {"--curves", CLI_STRING, &o->curves_path},
    };
    if (cli_parse("multilabel", argc, argv, 1, table, CLI_COUNT(table), NULL, 0, NULL) != 0 ||
        !(o->threshold >= 0.0 && o->threshold <= 1.0)) {
        fprintf(stderr, "usage: multilabel [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N] "
                        "[--threshold T in 0..1] [--tune-thresholds] [--save FILE] [--grid FILE.png] [--log FILE.csv] "
                        "[--curves FILE.png]\n");
        return -1;
    }
    const char *outputs[] = {o->save_path, o->grid_path, o->log_path, o->curves_path};
    if (cli_make_parent_dirs("multilabel", outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "3,7": the classes of a row, or "-" for none. */
static void label_set(const uint8_t *row, char *text, size_t capacity)
{
    size_t n = 0;
    for (int c = 0; c < CLASSES && n + 3 < capacity; c++)
        if (row[c])
            n += (size_t)snprintf(text + n, capacity - n, n ? ",%d" : "%d", c);
    if (n == 0)
        snprintf(text, capacity, "-");
}

static void print_report(const uint8_t *truth, const uint8_t *predicted, int64_t n, nnl_multilabel_report *r)
{
    double precision[CLASSES], recall[CLASSES], f1[CLASSES];
    int64_t support[CLASSES];
    nnl_metrics_multilabel(truth, predicted, n, CLASSES, r, precision, recall, f1, support);
    printf("\nclass  precision  recall  f1-score  support\n");
    for (int c = 0; c < CLASSES; c++)
        printf("%5d  %9.4f  %6.4f  %8.4f  %7lld\n", c, precision[c], recall[c], f1[c], (long long)support[c]);
    printf("micro  %9.4f  %6.4f  %8.4f\nmacro  %9.4f  %6.4f  %8.4f\n", r->micro_precision, r->micro_recall,
           r->micro_f1, r->macro_precision, r->macro_recall, r->macro_f1);
    printf("subset accuracy %.4f (images whose predicted set is exactly right), Hamming loss %.4f\n",
           r->subset_accuracy, r->hamming_loss);
}

/* 24 test images spread evenly over the test set, 4 to a row. */
static int write_grid(const char *path, const nnl_dataset *test, const uint8_t *truth, const uint8_t *predicted)
{
    enum { SHOWN = 24, ROWS = 28, COLS = 56, PIXELS = ROWS * COLS };
    int64_t total = nnl_dataset_size(test), n = total < SHOWN ? total : SHOWN;
    int64_t dims[4] = {1, ROWS, COLS, 1};
    static float pixels[SHOWN * PIXELS];
    static char text[SHOWN][48];
    const char *captions[SHOWN];
    int wrong[SHOWN];
    nnl_tensor *x = NULL;
    int ok = nnl_tensor_create(&x, 4, dims) == NNL_OK;
    for (int64_t i = 0; ok && i < n; i++) {
        int64_t index = i * total / n;
        ok = nnl_dataset_get_batch(test, index, 1, x, NULL) == NNL_OK;
        if (ok)
            memcpy(pixels + i * PIXELS, nnl_tensor_data(x), PIXELS * sizeof(float));
        const uint8_t *p = predicted + index * CLASSES, *t = truth + index * CLASSES;
        wrong[i] = memcmp(p, t, CLASSES) != 0;
        char want[24];
        label_set(p, text[i], sizeof text[i]);
        label_set(t, want, sizeof want);
        if (wrong[i])
            snprintf(text[i] + strlen(text[i]), sizeof text[i] - strlen(text[i]), "(%s)", want);
        captions[i] = text[i];
    }
    ok = ok && prediction_grid_write_captions(path, pixels, (int)n, ROWS, COLS, 4, captions, wrong) == 0;
    nnl_tensor_free(x);
    if (ok)
        printf("wrote %s (%lld test images spread over the test set, the predicted set of digits under each; "
               "red = wrong, true set in brackets)\n", path, (long long)n);
    return ok ? 0 : -1;
}

/* --tune-thresholds: train on 90% of the (shuffled) training set, keep 10%. */
static nnl_status hold_out(run_data *d, uint64_t seed)
{
    nnl_dataset *whole = d->train, *rest = NULL;
    int64_t n = nnl_dataset_size(whole);
    nnl_status s = nnl_dataset_shuffle(whole, seed);
    if (s == NNL_OK)
        s = nnl_dataset_split(whole, n - n / 10, &rest, &d->held_out);
    if (s == NNL_OK) {
        nnl_dataset_free(whole);
        d->train = rest;
    }
    return s;
}

static nnl_status tune(run_data *d)
{
    int64_t n = nnl_dataset_size(d->held_out);
    float *probabilities = malloc(sizeof(float) * (size_t)(n * CLASSES));
    uint8_t *truth = malloc((size_t)(n * CLASSES));
    nnl_status s = probabilities && truth ? NNL_OK : NNL_E_NOMEM;
    if (s == NNL_OK) s = nnl_model_predict_multilabel(d->model, d->held_out, 256, NULL, probabilities, NULL);
    if (s == NNL_OK) s = nnl_dataset_get_multilabels(d->held_out, 0, n, truth);
    if (s == NNL_OK) s = nnl_metrics_tune_thresholds(probabilities, truth, n, CLASSES, d->thresholds);
    if (s == NNL_OK) {
        printf("\nthresholds tuned on %lld held-out training images:", (long long)n);
        for (int c = 0; c < CLASSES; c++)
            printf(" %d:%.3f", c, (double)d->thresholds[c]);
        printf("\n");
    }
    free(probabilities);
    free(truth);
    return s;
}

static int evaluate(const options *o, run_data *d, double train_seconds)
{
    int64_t n = nnl_dataset_size(d->test);
    d->truth = malloc((size_t)(n * CLASSES));
    d->predicted = malloc((size_t)(n * CLASSES));
    nnl_status s;
    if (!d->truth || !d->predicted)
        return fail("evaluation", NNL_E_NOMEM);
    if ((s = nnl_dataset_get_multilabels(d->test, 0, n, d->truth)) != NNL_OK ||
        (s = nnl_model_predict_multilabel(d->model, d->test, 256, d->thresholds, NULL, d->predicted)) != NNL_OK)
        return fail("prediction", s);
    if ((s = nnl_model_save(d->model, o->save_path, NNL_SAVE_WEIGHTS)) != NNL_OK)
        return fail("saving the model", s);
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    print_report(d->truth, d->predicted, n, &r);
    printf("saved the model to %s\n", o->save_path);
    if (o->grid_path && write_grid(o->grid_path, d->test, d->truth, d->predicted) != 0) {
        perror("multilabel: writing the prediction grid");
        return 1;
    }
    printf("subset_accuracy=%.4f micro_f1=%.4f macro_f1=%.4f hamming_loss=%.4f train_seconds=%.2f\n",
           r.subset_accuracy, r.micro_f1, r.macro_f1, r.hamming_loss, train_seconds);
    return 0;
}

static int run(const options *o, run_data *d)
{
    nnl_status s;
    for (int c = 0; c < CLASSES; c++)
        d->thresholds[c] = (float)o->threshold;
    if (o->tune && (s = hold_out(d, (uint64_t)o->seed)) != NNL_OK)
        return fail("holding out images for the thresholds", s);
    int64_t dims[3];
    int ndim;
    if ((s = nnl_dataset_sample_shape(d->train, dims, 3, &ndim)) != NNL_OK ||
        (s = multilabel_model_build(&d->model, dims[0], dims[1], CLASSES, (uint64_t)o->seed)) != NNL_OK)
        return fail("building the model", s);
    char summary[4096];
    nnl_model_summary(d->model, summary, sizeof summary, NULL);
    printf("%s", summary);
    double start = seconds_now();
    const nnl_dataset *validation = d->held_out || !(o->log_path || o->curves_path) ? d->held_out : d->test;
    s = nnl_model_fit(d->model, d->train, validation, o->epochs, o->batch, (uint64_t)o->seed, progress_bar_print,
                      NULL);
    double train_seconds = seconds_now() - start;
    if (s != NNL_OK)
        return fail("training", s);
    if (training_outputs_write("multilabel", nnl_model_history(d->model), o->log_path, o->curves_path,
                               "Multi-label digits (sigmoid binary cross-entropy)") != 0)
        return 1;
    if (o->tune && (s = tune(d)) != NNL_OK)
        return fail("tuning the thresholds", s);
    return evaluate(o, d, train_seconds);
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    nnl_status s;
    if (o.threads > 0 && (s = nnl_set_num_threads((int)o.threads)) != NNL_OK)
        return fail("--threads", s);
    run_data d = {0};
    if ((s = nnl_dataset_load_idx_dir(&d.train, &d.test, o.data_dir)) != NNL_OK) {
        fprintf(stderr, "multilabel: cannot load %s: %s\n(run scripts/fetch-data first, or pass --data DIR with "
                        "train-/t10k-images-idx3-ubyte and train-/t10k-labels-idx2-ubyte, .gz or not)\n",
                o.data_dir, nnl_last_error());
        return 1;
    }
    int status;
    if (!nnl_dataset_is_multilabel(d.train) || nnl_dataset_num_classes(d.train) != CLASSES) {
        fprintf(stderr, "multilabel: %s: the labels are not multi-hot rows of %d classes (idx2 label files)\n",
                o.data_dir, CLASSES);
        status = 1;
    } else {
        printf("nnlite %s, %s kernels, %d threads; %lld training and %lld test images from %s\n",
               nnl_version_string(), nnl_simd_name(nnl_simd_level()), nnl_get_num_threads(),
               (long long)nnl_dataset_size(d.train), (long long)nnl_dataset_size(d.test), o.data_dir);
        status = run(&o, &d);
    }
    nnl_model_free(d.model);
    nnl_dataset_free(d.train);
    nnl_dataset_free(d.test);
    nnl_dataset_free(d.held_out);
    free(d.truth);
    free(d.predicted);
    return status;
}
