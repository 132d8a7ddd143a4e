/* Writes a tiny MNIST-format directory (plain IDX files: 40 training and 10
 * test images of synthetic 28x28 digits, a thick stroke whose place depends
 * on the class) so that the examples run in moments, under valgrind too.
 * With --multilabel, the layout of scripts/make-multilabel instead: 28x56
 * images of two such digits side by side, labels the set of the two
 * (multi-hot rows of 10 bytes, IDX of 2 dims).
 *   tiny_mnist [--multilabel] OUTPUT_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SIDE = 28, CLASSES = 10 };

static void put_be32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    fwrite(b, 1, 4, f);
}

static FILE *create(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

/* Class k: a vertical stroke at column 4 + 2k of a 28-wide digit, with a little noise. */
static void draw_digit(unsigned char *canvas, int canvas_width, int left, int label, uint32_t *seed)
{
    for (int y = 0; y < SIDE; y++)
        for (int column = 0; column < SIDE; column++) {
            *seed = *seed * 1664525u + 1013904223u;
            int near = abs(column - (4 + 2 * label)) <= 1;
            canvas[y * canvas_width + left + column] = (unsigned char)(near ? 200 + (*seed >> 28) : (*seed >> 27));
        }
}

/* `digits` (1, or 2 side by side for --multilabel) per image; labels are
 * class indices, or multi-hot rows of the digits' classes. */
static void write_set(const char *dir, const char *images_name, const char *labels_name, uint32_t count,
                      uint32_t seed, int digits)
{
    FILE *images = create(dir, images_name), *labels = create(dir, labels_name);
    const int width = SIDE * digits;
    put_be32(images, 0x803), put_be32(images, count), put_be32(images, SIDE), put_be32(images, (uint32_t)width);
    put_be32(labels, 0x800u + (uint32_t)digits), put_be32(labels, count);
    if (digits == 2)
        put_be32(labels, CLASSES);
    for (uint32_t i = 0; i < count; i++) {
        unsigned char pixels[SIDE * SIDE * 2], row[CLASSES] = {0};
        int first = (int)(i % CLASSES), second = (int)((i * 7 + 3) % CLASSES);
        draw_digit(pixels, width, 0, first, &seed);
        if (digits == 2) {
            draw_digit(pixels, width, SIDE, second, &seed);
            row[first] = row[second] = 1;
            fwrite(row, 1, CLASSES, labels);
        } else {
            unsigned char label = (unsigned char)first;
            fwrite(&label, 1, 1, labels);
        }
        fwrite(pixels, 1, (size_t)(SIDE * width), images);
    }
    if (fclose(images) != 0 || fclose(labels) != 0)
        exit(1);
}

int main(int argc, char **argv)
{
    int multilabel = argc == 3 && strcmp(argv[1], "--multilabel") == 0;
    if (argc != 2 && !multilabel) {
        fprintf(stderr, "usage: tiny_mnist [--multilabel] OUTPUT_DIR\n");
        return 2;
    }
    const char *dir = argv[argc - 1];
    if (multilabel) {
        write_set(dir, "train-images-idx3-ubyte", "train-labels-idx2-ubyte", 40, 1, 2);
        write_set(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx2-ubyte", 10, 2, 2);
    } else {
        write_set(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 40, 1, 1);
        write_set(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10, 2, 1);
    }
    return 0;
}
