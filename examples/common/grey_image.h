/* A greyscale picture as the examples pass it around: floats in [0, 1],
 * 0 = black, 1 = white, row after row. Readers (image_read.h) make one from
 * a file; digit_image.h turns one into the 28x28 input of a digits model. */
#ifndef NNL_EXAMPLES_GREY_IMAGE_H
#define NNL_EXAMPLES_GREY_IMAGE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct grey_image {
    int width, height;
    float *pixels; /* width * height values, owned (free with grey_image_free) */
} grey_image;

/* Allocates a width x height image of zeros; returns 0, or -1 when out of
 * memory or the size is not positive or larger than GREY_IMAGE_MAX_SIDE. */
int grey_image_alloc(grey_image *image, int width, int height);

/* Frees the pixels and zeroes the struct; safe on a zeroed struct. */
void grey_image_free(grey_image *image);

/* Readers refuse larger pictures: a hostile header must not make us
 * allocate gigabytes. 16384^2 floats is 1 GiB already. */
#define GREY_IMAGE_MAX_SIDE 16384

#ifdef __cplusplus
}
#endif

#endif
