/* Internal: random affine augmentation of HxWxC images (rotation about the
 * centre, isotropic scale, shift) with bilinear sampling. */
#ifndef NNL_DATA_AUGMENT_H
#define NNL_DATA_AUGMENT_H

#include <stdint.h>

#include "core/rng.h"

/* The limits of the random transforms; all zero means "off". */
typedef struct nnl_augment {
    float max_rotation; /* radians */
    float max_scale_delta;
    float max_shift; /* pixels */
    uint64_t seed;   /* seeds the generator that training draws transforms from */
} nnl_augment;

/* One drawn transform: output pixel p comes from input point
 * c + R(-angle) (p - c - shift) / scale, c the image centre. */
typedef struct nnl_affine {
    float angle; /* radians */
    float scale;
    float shift_x;
    float shift_y;
} nnl_affine;

int nnl_augment_enabled(const nnl_augment *a);

/* Draw a transform within the limits of `a`. Always takes exactly four
 * numbers from rng, so the stream position depends only on the image count. */
nnl_affine nnl_augment_draw(const nnl_augment *a, nnl_rng *rng);

/* dst = src transformed by t; both h x w x c floats, row-major, not
 * overlapping. Points outside src take the minimum of their channel of src.
 * No allocation. */
void nnl_affine_apply(const nnl_affine *t, const float *src, float *dst, int64_t h, int64_t w,
                      int64_t c);

#endif
