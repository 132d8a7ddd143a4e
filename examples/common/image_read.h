/* Reading a picture file of either format the examples accept (PNG or
 * PGM), chosen by the file's first bytes rather than its name. */
#ifndef NNL_EXAMPLES_IMAGE_READ_H
#define NNL_EXAMPLES_IMAGE_READ_H

#include <stddef.h>

#include "grey_image.h"

/* Reads path into *out (allocated; free with grey_image_free) as greyscale
 * in [0, 1]. Returns 0, or -1 with the reason in error (error_size bytes). */
int image_read(const char *path, grey_image *out, char *error, size_t error_size);

#endif
