/* The netpbm format, by hand: "P5" or "P2", then width, height and maxval as
 * decimal numbers separated by whitespace and '#' comments, then the samples
 * (P5: one byte each, or two bytes big-endian when maxval > 255, after a
 * single whitespace character; P2: decimal numbers). */
#include "pgm_read.h"

#include <ctype.h>

static int fail(char *error, size_t error_size, const char *reason)
{
    snprintf(error, error_size, "PGM: %s", reason);
    return -1;
}

/* Skips whitespace and comments (a '#' up to the end of its line). */
static void skip_space(FILE *f)
{
    int c;
    while ((c = getc(f)) != EOF) {
        if (c == '#') {
            while ((c = getc(f)) != EOF && c != '\n')
                ;
        } else if (!isspace(c)) {
            ungetc(c, f);
            return;
        }
    }
}

/* A non-negative decimal number up to limit; -1 when absent or larger. */
static long read_number(FILE *f, long limit)
{
    skip_space(f);
    long value = 0;
    int c, digits = 0;
    while ((c = getc(f)) != EOF && isdigit(c)) {
        value = value * 10 + (c - '0');
        if (value > limit)
            return -1;
        digits++;
    }
    if (c != EOF)
        ungetc(c, f);
    return digits ? value : -1;
}

static long read_binary_sample(FILE *f, int two_bytes)
{
    int high = getc(f);
    if (high == EOF || !two_bytes)
        return high == EOF ? -1 : high;
    int low = getc(f);
    return low == EOF ? -1 : (long)high << 8 | low;
}

int pgm_read(FILE *f, grey_image *out, char *error, size_t error_size)
{
    int p = getc(f), kind = getc(f);
    if (p != 'P' || (kind != '2' && kind != '5'))
        return fail(error, error_size, "not a P2 or P5 file");
    long width = read_number(f, GREY_IMAGE_MAX_SIDE), height = read_number(f, GREY_IMAGE_MAX_SIDE);
    long maxval = read_number(f, 65535);
    if (width < 1 || height < 1 || maxval < 1)
        return fail(error, error_size, "bad header (width, height and maxval 1..65535 expected)");
    if (kind == '5' && !isspace(getc(f)))
        return fail(error, error_size, "no whitespace after the header");
    if (grey_image_alloc(out, (int)width, (int)height) != 0)
        return fail(error, error_size, "out of memory");
    size_t count = (size_t)width * (size_t)height;
    for (size_t i = 0; i < count; i++) {
        long v = kind == '5' ? read_binary_sample(f, maxval > 255) : read_number(f, 65535);
        if (v < 0 || v > maxval) {
            grey_image_free(out);
            return fail(error, error_size, v < 0 ? "truncated pixel data" : "a sample exceeds maxval");
        }
        out->pixels[i] = (float)v / (float)maxval;
    }
    return 0;
}
