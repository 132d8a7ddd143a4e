/* Writes a tiny MNIST-format directory (plain IDX files: 40 training and 10
 * test images of synthetic 28x28 digits, a thick stroke whose place depends
 * on the class) so that the examples run in moments, under valgrind too.
 *   tiny_mnist OUTPUT_DIR */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

/* Class k: a vertical stroke at column 4 + 2k, with a little noise. */
static void write_set(const char *dir, const char *images_name, const char *labels_name, uint32_t count,
                      uint32_t seed)
{
    FILE *images = create(dir, images_name), *labels = create(dir, labels_name);
    put_be32(images, 0x803), put_be32(images, count), put_be32(images, SIDE), put_be32(images, SIDE);
    put_be32(labels, 0x801), put_be32(labels, count);
    for (uint32_t i = 0; i < count; i++) {
        unsigned char label = (unsigned char)(i % CLASSES), pixels[SIDE * SIDE];
        for (int p = 0; p < SIDE * SIDE; p++) {
            seed = seed * 1664525u + 1013904223u;
            int column = p % SIDE, near = abs(column - (4 + 2 * label)) <= 1;
            pixels[p] = (unsigned char)(near ? 200 + (seed >> 28) : (seed >> 27));
        }
        fwrite(pixels, 1, sizeof pixels, images);
        fwrite(&label, 1, 1, labels);
    }
    if (fclose(images) != 0 || fclose(labels) != 0)
        exit(1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tiny_mnist OUTPUT_DIR\n");
        return 2;
    }
    write_set(argv[1], "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 40, 1);
    write_set(argv[1], "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10, 2);
    return 0;
}
