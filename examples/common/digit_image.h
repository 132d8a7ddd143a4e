/* Turning any picture of one digit into the input of a digits model, the
 * way the MNIST images were made (LeCun et al.): the digit's bounding box
 * scaled to fit 20x20 keeping its aspect ratio, with grey levels from the
 * resampling (no thresholding), then placed in a 28x28 field so that its
 * centre of mass sits at the centre. Ink is 1, background 0, whatever the
 * picture's polarity (dark on light or light on dark). */
#ifndef NNL_EXAMPLES_DIGIT_IMAGE_H
#define NNL_EXAMPLES_DIGIT_IMAGE_H

#include "grey_image.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DIGIT_SIDE = 28, /* side of the model's input image */
    DIGIT_BOX = 20   /* side of the box the digit is scaled into */
};

/* Writes DIGIT_SIDE * DIGIT_SIDE values in [0, 1] to out (row after row).
 * Returns 0, or -1 when the picture has no ink to speak of (blank or of one
 * uniform colour) or memory runs out; out is then all zeros. */
int digit_image_from_grey(const grey_image *picture, float *out);

/* Where the 28x28 input came from in the picture: model pixel (mx, my)
 * covers picture pixels from (x0 + (mx - dx) * sx, y0 + (my - dy) * sy),
 * sx by sy of them (for drawing a map of the input over the picture). */
typedef struct digit_placement {
    double x0, y0, sx, sy, dx, dy;
} digit_placement;

/* digit_image_from_grey, also filling *placement when it returns 0. */
int digit_image_from_grey_placed(const grey_image *picture, float *out, digit_placement *placement);

#ifdef __cplusplus
}
#endif

#endif
