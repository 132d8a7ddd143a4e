/* Reading PGM pictures (netpbm P2 = ASCII, P5 = binary; 8 or 16 bits). */
#ifndef NNL_EXAMPLES_PGM_READ_H
#define NNL_EXAMPLES_PGM_READ_H

#include <stddef.h>
#include <stdio.h>

#include "grey_image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a PGM from the start of the stream f into *out (allocated; free
 * with grey_image_free), scaling samples by the file's maxval to [0, 1].
 * Returns 0, or -1 with a reason in error (error_size bytes). */
int pgm_read(FILE *f, grey_image *out, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
