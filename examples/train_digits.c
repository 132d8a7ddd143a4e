/* Trains the default digits model (models/digits.safetensors) that
 * predict_digit, the C++ example and the desktop program load.
 *
 * Bigger than the article's network, because the model has to cope with
 * digits drawn by a mouse and not only with MNIST scans:
 *   Conv2D(32, 3x3, relu) -> BatchNorm -> MaxPool(2x2)
 *   Conv2D(64, 3x3, relu) -> BatchNorm -> MaxPool(2x2)
 *   Flatten -> Dropout(0.25) -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax)
 * Training draws every image through a random rotation, scale and shift
 * (nnl_dataset_set_augmentation), so a digit that is slanted, small or a
 * little off-centre after preprocessing is still familiar. Adam with a cosine
 * decay of the learning rate; all seeds are fixed, so the same command on the
 * same machine (SIMD level and thread count) gives the same file. 20 epochs
 * reach about 99% on the 2,000 real-digit test images.
 *
 * Inputs are raw pixels in [0, 1] with ink = 1, exactly what
 * digit_image_from_grey() produces: no normalisation constants to carry.
 *
 *   train_digits [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N] [--save FILE]
 *                [--log FILE.csv] [--curves FILE.png] [--confusion FILE.png]
 * With --log or --curves the test images are the validation data, evaluated
 * after each epoch (the training itself is the same).
 * The last line is machine-readable: test_accuracy=0.xxxx params=N train_seconds=x.x */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "common/confusion_picture.h"
#include "common/progress_bar.h"
#include "common/training_curves.h"
#include "nnlite.h"

typedef struct options {
    const char *data_dir, *save_path;
    const char *log_path, *curves_path, *confusion_path; /* NULL: not written */
    int64_t epochs, batch, threads, seed;
} options;

/* Augmentation limits: a hand-drawn digit, once cropped and centred like
 * MNIST, still differs in slant, size and position by about this much. */
static const float max_rotation_degrees = 12.0f;
static const float max_scale_delta = 0.12f;
static const float max_shift_pixels = 2.0f;

static int fail(const char *what, nnl_status s)
{
    fprintf(stderr, "train_digits: %s: %s (%s)\n", what, nnl_last_error(), nnl_status_str(s));
    return 1;
}

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){"data/mnist", "out/digits.safetensors", NULL, NULL, NULL, 20, 64, 0, 2024};
    const cli_option table[] = {
        {"--data", CLI_STRING, &o->data_dir}, {"--save", CLI_STRING, &o->save_path},
        {"--epochs", CLI_INT, &o->epochs},    {"--batch", CLI_INT, &o->batch},
        {"--threads", CLI_INT, &o->threads},  {"--seed", CLI_INT, &o->seed},
        {"--log", CLI_STRING, &o->log_path},  {"--curves", CLI_STRING, &o->curves_path},
        {"--confusion", CLI_STRING, &o->confusion_path},
    };
    if (cli_parse("train_digits", argc, argv, 1, table, CLI_COUNT(table), NULL, 0, NULL) != 0) {
        fprintf(stderr, "usage: train_digits [--data DIR] [--epochs N] [--batch N] [--threads N] [--seed N] "
                        "[--save FILE] [--log FILE.csv] [--curves FILE.png] [--confusion FILE.png]\n");
        return -1;
    }
    const char *outputs[] = {o->save_path, o->log_path, o->curves_path, o->confusion_path};
    if (cli_make_parent_dirs("train_digits", outputs, CLI_COUNT(outputs)) != 0)
        return -1;
    return 0;
}

/* Creates the layers in order; on failure frees the ones already made. */
static nnl_status make_layers(nnl_layer **layers, int *count)
{
    int n = 0;
    nnl_status s = NNL_OK;
    for (int block = 0; block < 2 && s == NNL_OK; block++) {
        if (s == NNL_OK) s = nnl_layer_conv2d(&layers[n++], block ? 64 : 32, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU);
        /* Momentum 0.9, not Keras' 0.99: with 125 steps per epoch the
         * running statistics must settle within an epoch or two. */
        if (s == NNL_OK) s = nnl_layer_batchnorm(&layers[n++], 0.9f, 1e-3f);
        if (s == NNL_OK) s = nnl_layer_maxpool2d(&layers[n++], 2, 2, 0);
    }
    if (s == NNL_OK) s = nnl_layer_flatten(&layers[n++]);
    if (s == NNL_OK) s = nnl_layer_dropout(&layers[n++], 0.25f);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[n++], 128, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_dropout(&layers[n++], 0.5f);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[n++], 10, NNL_ACT_SOFTMAX);
    if (s != NNL_OK)
        for (int i = 0; i < n; i++)
            nnl_layer_free(layers[i]);
    *count = s == NNL_OK ? n : 0;
    return s;
}

static nnl_status build_model(nnl_model **out, const options *o, int64_t steps)
{
    const int64_t input[3] = {28, 28, 1};
    nnl_layer *layers[16];
    int count = 0;
    nnl_status s = nnl_model_create(out, 3, input);
    if (s == NNL_OK) s = nnl_model_set_seed(*out, o->seed);
    if (s == NNL_OK) s = make_layers(layers, &count);
    for (int i = 0; i < count; i++) {
        if (s == NNL_OK)
            s = nnl_model_add(*out, layers[i]);
        if (s != NNL_OK)
            nnl_layer_free(layers[i]); /* not handed over: still ours */
    }
    nnl_optimizer *adam = NULL;
    if (s == NNL_OK) s = nnl_optimizer_adam(&adam, 2e-3f, 0.9f, 0.999f, 1e-7f);
    if (s == NNL_OK) s = nnl_optimizer_schedule_cosine(adam, steps, 2e-5f);
    if (s == NNL_OK) s = nnl_model_compile(*out, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam);
    if (s != NNL_OK)
        nnl_optimizer_free(adam);
    return s;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The confusion matrix of the model on the test images, as a picture. */
static int write_confusion(const char *path, const nnl_model *model, const nnl_dataset *test)
{
    int64_t n = nnl_dataset_size(test);
    int32_t *truth = malloc((size_t)n * sizeof *truth), *predicted = malloc((size_t)n * sizeof *predicted);
    nnl_status s = NNL_E_NOMEM;
    int status = 1;
    if (truth && predicted && (s = nnl_dataset_get_labels(test, 0, n, truth)) == NNL_OK &&
        (s = nnl_model_predict_dataset(model, test, 250, NULL, predicted)) == NNL_OK)
        status = confusion_picture_save("train_digits", path, truth, predicted, n, 10, NULL,
                                        "Digits model on the test images");
    else
        fail("predicting the test images", s);
    free(truth);
    free(predicted);
    return status;
}

static int train_and_save(const options *o, nnl_dataset *train, const nnl_dataset *test)
{
    int64_t steps = o->epochs * ((nnl_dataset_size(train) + o->batch - 1) / o->batch);
    nnl_model *model = NULL;
    nnl_status s = build_model(&model, o, steps);
    if (s != NNL_OK) {
        nnl_model_free(model);
        return fail("building the model", s);
    }
    char summary[4096];
    nnl_model_summary(model, summary, sizeof summary, NULL);
    printf("%s", summary);
    double start = seconds_now(), loss = 0, accuracy = 0;
    int status = 1;
    if ((s = nnl_dataset_set_augmentation(train, max_rotation_degrees, max_scale_delta, max_shift_pixels,
                                          o->seed)) != NNL_OK)
        fail("augmentation", s);
    else if ((s = nnl_model_fit(model, train, o->log_path || o->curves_path ? test : NULL, o->epochs, o->batch, o->seed,
                                progress_bar_print, NULL)) != NNL_OK)
        fail("training", s);
    else if ((s = nnl_model_evaluate(model, test, 250, &loss, &accuracy)) != NNL_OK)
        fail("evaluation", s);
    else if ((s = nnl_model_save(model, o->save_path, NNL_SAVE_WEIGHTS)) != NNL_OK)
        fail("saving the model", s);
    else {
        printf("saved the model to %s\n", o->save_path);
        double train_seconds = seconds_now() - start;
        status = training_outputs_write("train_digits", nnl_model_history(model), o->log_path, o->curves_path,
                                        "Digits model (train_digits)");
        if (status == 0 && o->confusion_path)
            status = write_confusion(o->confusion_path, model, test);
        if (status == 0)
            printf("test_accuracy=%.4f params=%lld train_seconds=%.1f\n", accuracy,
                   (long long)nnl_model_param_count(model), train_seconds);
    }
    nnl_model_free(model);
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
        fprintf(stderr, "train_digits: cannot load %s: %s\n(run scripts/fetch-data first)\n", o.data_dir,
                nnl_last_error());
        return 1;
    }
    printf("nnlite %s, %s kernels, %d threads; %lld training and %lld test images from %s; seed %llu\n",
           nnl_version_string(), nnl_simd_name(nnl_simd_level()), nnl_get_num_threads(),
           (long long)nnl_dataset_size(train), (long long)nnl_dataset_size(test), o.data_dir,
           (unsigned long long)o.seed);
    int status = train_and_save(&o, train, test);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    return status;
}
