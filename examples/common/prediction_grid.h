/* A picture of predictions: images in a grid with the predicted label
 * under each (red, with the true label, when wrong), drawn with cairo. */
#ifndef NNL_EXAMPLES_PREDICTION_GRID_H
#define NNL_EXAMPLES_PREDICTION_GRID_H

#include <stdint.h>

/* images: count x height x width floats in [0, 1] (white = 1, drawn dark on
 * light as the article's plt.cm.binary does). Returns 0 or -1. */
int prediction_grid_write(const char *path, const float *images, int count, int height, int width, int columns,
                          const int32_t *predicted, const int32_t *truth);

/* The same grid with a caption of its own under each image (UTF-8 text),
 * framed and written in red where wrong[i] (wrong may be NULL). */
int prediction_grid_write_captions(const char *path, const float *images, int count, int height, int width,
                                   int columns, const char *const *captions, const int *wrong);

#endif
