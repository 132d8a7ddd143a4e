#include "grey_image.h"

#include <stdlib.h>

int grey_image_alloc(grey_image *image, int width, int height)
{
    image->width = image->height = 0;
    image->pixels = NULL;
    if (width < 1 || height < 1 || width > GREY_IMAGE_MAX_SIDE || height > GREY_IMAGE_MAX_SIDE)
        return -1;
    image->pixels = calloc((size_t)width * (size_t)height, sizeof *image->pixels);
    if (!image->pixels)
        return -1;
    image->width = width;
    image->height = height;
    return 0;
}

void grey_image_free(grey_image *image)
{
    free(image->pixels);
    image->pixels = NULL;
    image->width = image->height = 0;
}
