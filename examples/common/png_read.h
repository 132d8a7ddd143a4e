/* Reading PNG pictures with libpng: every bit depth and colour type. */
#ifndef NNL_EXAMPLES_PNG_READ_H
#define NNL_EXAMPLES_PNG_READ_H

#include <stddef.h>
#include <stdio.h>

#include "grey_image.h"

/* Reads a PNG from the start of the stream f into *out (allocated; free
 * with grey_image_free) as greyscale: palettes are expanded, colour becomes
 * luminance, and transparency is flattened onto the background that
 * contrasts with the visible pixels (dark strokes on white, light on black).
 * Returns 0, or -1 with libpng's reason in error (error_size bytes). */
int png_read_grey(FILE *f, grey_image *out, char *error, size_t error_size);

#endif
