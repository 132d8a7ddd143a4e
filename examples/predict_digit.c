/* Recognises handwritten digits in pictures with a saved model.
 *
 *   predict_digit [--model FILE] [--saliency OUT.png] IMAGE...
 *
 * Each IMAGE (PNG or PGM, any size, dark on light or light on dark) is
 * preprocessed the way MNIST was made (common/digit_image.h) and classified.
 * For each image it prints the ten probabilities as bars and, last, a
 * machine-readable line: digit=N p=0.xx, or digit=not sure (REASON) p=0.xx
 * when the library's input check finds the picture unlike the training
 * digits (blank, too much ink, low confidence: include/nnlite/input_check.h).
 * --saliency writes the model's input beside its saliency and occlusion maps
 * for the predicted digit (OUT-2.png ... for the second image on).
 * The model defaults to models/digits.safetensors (scripts/train-default-model).
 * Exit status: 0 when every image was read and classified (sure or not), 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/digit_image.h"
#include "common/digit_model.h"
#include "common/heatmap.h"
#include "common/image_read.h"
#include "nnlite.h"

enum { BAR_WIDTH = 40 };

static void print_probabilities(const float *probabilities, int digit)
{
    for (int c = 0; c < DIGIT_CLASSES; c++) {
        char bar[BAR_WIDTH + 1];
        int filled = (int)(probabilities[c] * BAR_WIDTH + 0.5f);
        memset(bar, '#', (size_t)filled);
        bar[filled] = '\0';
        printf("  %d %6.4f %s%s\n", c, probabilities[c], bar, c == digit ? " <" : "");
    }
}

/* The model's input, its saliency and its occlusion map for `digit`, side by side. */
static int write_saliency(nnl_model *model, const float *image, int digit, const char *path)
{
    float saliency[DIGIT_SIDE * DIGIT_SIDE], occlusion[DIGIT_SIDE * DIGIT_SIDE];
    nnl_status s = digit_model_explain(model, image, digit, saliency, occlusion);
    if (s != NNL_OK) {
        fprintf(stderr, "predict_digit: saliency: %s (%s)\n", nnl_last_error(), nnl_status_str(s));
        return -1;
    }
    const heatmap panels[3] = {
        {.values = image, .rows = DIGIT_SIDE, .cols = DIGIT_SIDE, .low = 0, .high = 1, .grey = 1,
         .title = "model input (28x28)"},
        {.values = saliency, .rows = DIGIT_SIDE, .cols = DIGIT_SIDE, .under = image,
         .title = "saliency |d logit / d pixel|", .scale_label = "gradient"},
        {.values = occlusion, .rows = DIGIT_SIDE, .cols = DIGIT_SIDE, .under = image,
         .title = "occlusion (6x6 patches)", .scale_label = "probability drop"},
    };
    if (heatmap_write_png(path, panels, 3, 280) != 0) {
        fprintf(stderr, "predict_digit: cannot write %s\n", path);
        return -1;
    }
    printf("saliency: %s\n", path);
    return 0;
}

/* OUT.png for the first image, OUT-2.png, OUT-3.png ... for the next ones. */
static void numbered_path(const char *path, int index, char *out, size_t capacity)
{
    const char *dot = strrchr(path, '.');
    int stem = dot && !strchr(dot, '/') ? (int)(dot - path) : (int)strlen(path);
    if (index == 0)
        snprintf(out, capacity, "%s", path);
    else
        snprintf(out, capacity, "%.*s-%d%s", stem, path, index + 1, path + stem);
}

/* Reads, preprocesses and classifies one picture; 0 on success. */
static int predict_file(nnl_model *model, const char *path, const char *saliency_path)
{
    grey_image picture = {0};
    char error[512];
    if (image_read(path, &picture, error, sizeof error) != 0) {
        fprintf(stderr, "predict_digit: %s\n", error);
        return -1;
    }
    /* a blank picture gives an all-zero input, which the check calls blank */
    float image[DIGIT_SIDE * DIGIT_SIDE], probabilities[DIGIT_CLASSES];
    (void)digit_image_from_grey(&picture, image);
    int digit;
    printf("%s (%dx%d)\n", path, picture.width, picture.height);
    grey_image_free(&picture);
    nnl_input_report check = NNL_INPUT_REPORT_INIT;
    nnl_status s = digit_model_classify(model, image, probabilities, &digit, &check);
    if (s != NNL_OK) {
        fprintf(stderr, "predict_digit: %s: %s (%s)\n", path, nnl_last_error(), nnl_status_str(s));
        return -1;
    }
    print_probabilities(probabilities, digit);
    if (check.reason != NNL_INPUT_OK)
        printf("digit=not sure (%s) p=%.2f ink=%.3f\n", nnl_input_reason_name(check.reason), probabilities[digit],
               (double)check.ink);
    else
        printf("digit=%d p=%.2f\n", digit, probabilities[digit]);
    return saliency_path ? write_saliency(model, image, digit, saliency_path) : 0;
}

int main(int argc, char **argv)
{
    const char *model_path = digit_model_default_path(), *saliency_path = NULL;
    const cli_option table[] = {{"--model", CLI_STRING, &model_path}, {"--saliency", CLI_STRING, &saliency_path}};
    const char **images = malloc(sizeof *images * (size_t)argc);
    int count = 0;
    if (!images) {
        fprintf(stderr, "predict_digit: out of memory\n");
        return 1;
    }
    if (cli_parse("predict_digit", argc, argv, 1, table, CLI_COUNT(table), images, argc, &count) != 0 || count == 0) {
        fprintf(stderr, "usage: predict_digit [--model FILE] [--saliency OUT.png] IMAGE...\n");
        free(images);
        return 2;
    }
    nnl_model *model = NULL;
    nnl_status s = nnl_model_load(&model, model_path);
    if (s != NNL_OK) {
        fprintf(stderr, "predict_digit: cannot load the model: %s (%s)\n", nnl_last_error(), nnl_status_str(s));
        free(images);
        return 1;
    }
    int failures = 0;
    for (int i = 0; i < count; i++) {
        char out[4096];
        if (saliency_path)
            numbered_path(saliency_path, i, out, sizeof out);
        failures += predict_file(model, images[i], saliency_path ? out : NULL) != 0;
    }
    nnl_model_free(model);
    free(images);
    return failures ? 1 : 0;
}
