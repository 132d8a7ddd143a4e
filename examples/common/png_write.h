/* Writing 8-bit RGB PNG files with zlib (for the examples' pictures). */
#ifndef NNL_EXAMPLES_PNG_WRITE_H
#define NNL_EXAMPLES_PNG_WRITE_H

#include <stdint.h>

/* rgb: height rows of width * 3 bytes. Returns 0 on success, -1 on error
 * (errno tells why). */
int png_write_rgb(const char *path, int width, int height, const uint8_t *rgb);

#endif
