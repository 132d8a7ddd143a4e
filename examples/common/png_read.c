/* libpng does the decoding and most of the conversion (png_set_expand and
 * png_set_rgb_to_gray), so what is left here is reading the rows into grey
 * and alpha planes and flattening the alpha. libpng reports errors by
 * longjmp: everything the error path frees is volatile or set before setjmp. */
#include "png_read.h"

#include <png.h>
#include <stdlib.h>

typedef struct error_sink {
    char *text;
    size_t size;
} error_sink;

static void on_error(png_structp png, png_const_charp message)
{
    error_sink *sink = png_get_error_ptr(png);
    snprintf(sink->text, sink->size, "PNG: %s", message);
    png_longjmp(png, 1);
}

/* Warnings (e.g. about colour profiles) do not stop reading; stay quiet. */
static void on_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

/* Asks libpng for 1 (grey) or 2 (grey + alpha) channels of 8 or 16 bits. */
static void request_grey(png_structp png, png_infop info)
{
    png_set_expand(png); /* palette -> RGB, grey < 8 bits -> 8, tRNS -> alpha */
    if (png_get_color_type(png, info) & PNG_COLOR_MASK_COLOR)
        png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, PNG_RGB_TO_GRAY_DEFAULT, PNG_RGB_TO_GRAY_DEFAULT);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

static float sample(const png_byte *p, int bit_depth)
{
    return bit_depth == 16 ? (float)(p[0] << 8 | p[1]) / 65535.0f : (float)p[0] / 255.0f;
}

/* Grey values onto the background that contrasts with the visible pixels:
 * a transparent picture has no background colour of its own. */
static void flatten_alpha(float *grey, const float *alpha, size_t count)
{
    double covered = 0, ink = 0;
    for (size_t i = 0; i < count; i++) {
        covered += alpha[i];
        ink += alpha[i] * grey[i];
    }
    float background = covered > 0 && ink / covered < 0.5 ? 1.0f : 0.0f;
    for (size_t i = 0; i < count; i++)
        grey[i] = alpha[i] * grey[i] + (1.0f - alpha[i]) * background;
}

/* Converts the decoded rows (channels x bit_depth) into out; -1 when out of memory. */
static int rows_to_grey(png_bytep *rows, int width, int height, int channels, int bit_depth, grey_image *out)
{
    if (grey_image_alloc(out, width, height) != 0)
        return -1;
    size_t count = (size_t)width * (size_t)height, step = (size_t)channels * (bit_depth == 16 ? 2 : 1);
    float *alpha = channels == 2 ? malloc(count * sizeof *alpha) : NULL;
    if (channels == 2 && !alpha) {
        grey_image_free(out);
        return -1;
    }
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            const png_byte *p = rows[y] + (size_t)x * step;
            size_t i = (size_t)y * (size_t)width + (size_t)x;
            out->pixels[i] = sample(p, bit_depth);
            if (alpha)
                alpha[i] = sample(p + step / 2, bit_depth);
        }
    if (alpha)
        flatten_alpha(out->pixels, alpha, count);
    free(alpha);
    return 0;
}

int png_read_grey(FILE *f, grey_image *out, char *error, size_t error_size)
{
    error_sink sink = {error, error_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_bytep *volatile rows = NULL;
    png_bytep volatile data = NULL;
    volatile int status = -1;
    if (!info)
        snprintf(error, error_size, "PNG: out of memory");
    else if (setjmp(png_jmpbuf(png)) == 0) {
        png_init_io(png, f);
        png_set_user_limits(png, GREY_IMAGE_MAX_SIDE, GREY_IMAGE_MAX_SIDE);
        png_read_info(png, info);
        request_grey(png, info);
        int width = (int)png_get_image_width(png, info), height = (int)png_get_image_height(png, info);
        size_t row_bytes = png_get_rowbytes(png, info);
        rows = malloc((size_t)height * sizeof *rows);
        data = malloc((size_t)height * row_bytes);
        if (!rows || !data)
            png_error(png, "out of memory");
        for (int y = 0; y < height; y++)
            rows[y] = data + (size_t)y * row_bytes;
        png_read_image(png, rows);
        if (rows_to_grey(rows, width, height, png_get_channels(png, info), png_get_bit_depth(png, info), out) != 0)
            png_error(png, "out of memory");
        status = 0;
    }
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    free(rows);
    free(data);
    return status;
}
