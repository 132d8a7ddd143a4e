/* Recognises handwritten digits in pictures with a saved model.
 *
 *   predict_digit [--model FILE] IMAGE...
 *
 * Each IMAGE (PNG or PGM, any size, dark on light or light on dark) is
 * preprocessed the way MNIST was made (common/digit_image.h) and classified.
 * For each image it prints the ten probabilities as bars and, last, a
 * machine-readable line: digit=N p=0.xx
 * The model defaults to models/digits.safetensors (scripts/train-default-model).
 * Exit status: 0 when every image was classified, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/digit_image.h"
#include "common/digit_model.h"
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

/* Reads, preprocesses and classifies one picture; 0 on success. */
static int predict_file(const nnl_model *model, const char *path)
{
    grey_image picture = {0};
    char error[512];
    if (image_read(path, &picture, error, sizeof error) != 0) {
        fprintf(stderr, "predict_digit: %s\n", error);
        return -1;
    }
    float image[DIGIT_SIDE * DIGIT_SIDE], probabilities[DIGIT_CLASSES];
    int blank = digit_image_from_grey(&picture, image) != 0, digit;
    printf("%s (%dx%d)\n", path, picture.width, picture.height);
    grey_image_free(&picture);
    if (blank) {
        fprintf(stderr, "predict_digit: %s: no digit found (the picture is blank)\n", path);
        return -1;
    }
    nnl_status s = digit_model_classify(model, image, probabilities, &digit);
    if (s != NNL_OK) {
        fprintf(stderr, "predict_digit: %s: %s (%s)\n", path, nnl_last_error(), nnl_status_str(s));
        return -1;
    }
    print_probabilities(probabilities, digit);
    printf("digit=%d p=%.2f\n", digit, probabilities[digit]);
    return 0;
}

int main(int argc, char **argv)
{
    const char *model_path = digit_model_default_path();
    const cli_option table[] = {{"--model", CLI_STRING, &model_path}};
    const char **images = malloc(sizeof *images * (size_t)argc);
    int count = 0;
    if (!images) {
        fprintf(stderr, "predict_digit: out of memory\n");
        return 1;
    }
    if (cli_parse("predict_digit", argc, argv, 1, table, CLI_COUNT(table), images, argc, &count) != 0 || count == 0) {
        fprintf(stderr, "usage: predict_digit [--model FILE] IMAGE...\n");
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
    for (int i = 0; i < count; i++)
        failures += predict_file(model, images[i]) != 0;
    nnl_model_free(model);
    free(images);
    return failures ? 1 : 0;
}
