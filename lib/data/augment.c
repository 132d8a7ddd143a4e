/* Random affine augmentation: rotation about the image centre, isotropic
 * scale and shift, sampled bilinearly by inverse mapping (each output pixel
 * looks up where it comes from, so there are no holes). */
#include "data/augment.h"

#include <math.h>

int nnl_augment_enabled(const nnl_augment *a)
{
    return a->max_rotation > 0.0f || a->max_scale_delta > 0.0f || a->max_shift > 0.0f;
}

/* Uniform in [-limit, limit). */
static float symmetric(nnl_rng *rng, float limit)
{
    return limit * (2.0f * nnl_rng_uniform(rng) - 1.0f);
}

nnl_affine nnl_augment_draw(const nnl_augment *a, nnl_rng *rng)
{
    nnl_affine t;
    t.angle = symmetric(rng, a->max_rotation);
    t.scale = 1.0f + symmetric(rng, a->max_scale_delta);
    t.shift_x = symmetric(rng, a->max_shift);
    t.shift_y = symmetric(rng, a->max_shift);
    return t;
}

/* The background: the smallest value of channel ch (0 for raw pixels, the
 * normalised zero after nnl_dataset_normalize). */
static float channel_min(const float *src, int64_t pixels, int64_t c, int64_t ch)
{
    float m = src[ch];
    for (int64_t p = 1; p < pixels; p++)
        m = src[p * c + ch] < m ? src[p * c + ch] : m;
    return m;
}

/* Channel ch of src at the real-valued point (sx, sy), bilinearly; the four
 * neighbours that fall outside the image count as bg. */
static float sample_bilinear(const float *src, int64_t h, int64_t w, int64_t c, int64_t ch,
                             float sx, float sy, float bg)
{
    /* Also rejects NaN, and keeps the integer conversions below in range. */
    if (!(sx > -1.0f && sx < (float)w && sy > -1.0f && sy < (float)h))
        return bg;
    float fx = floorf(sx), fy = floorf(sy);
    int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
    float ax = sx - fx, ay = sy - fy, v00, v01, v10, v11;
    int64_t at = (y0 * w + x0) * c + ch, right = c, down = w * c;
    if (x0 >= 0 && x0 + 1 < w && y0 >= 0 && y0 + 1 < h) {
        /* all four neighbours inside: the common case */
        v00 = src[at];
        v01 = src[at + right];
        v10 = src[at + down];
        v11 = src[at + down + right];
    } else {
        int in_l = x0 >= 0, in_r = x0 + 1 < w, in_t = y0 >= 0, in_b = y0 + 1 < h;
        v00 = in_l && in_t ? src[at] : bg;
        v01 = in_r && in_t ? src[at + right] : bg;
        v10 = in_l && in_b ? src[at + down] : bg;
        v11 = in_r && in_b ? src[at + down + right] : bg;
    }
    /* At integer points ax = ay = 0 and this returns v00 exactly. */
    float upper = v00 + ax * (v01 - v00);
    float lower = v10 + ax * (v11 - v10);
    return upper + ay * (lower - upper);
}

void nnl_affine_apply(const nnl_affine *t, const float *src, float *dst, int64_t h, int64_t w,
                      int64_t c)
{
    /* Inverse map: source = centre + R(-angle) (p - centre - shift) / scale. */
    float cx = 0.5f * (float)(w - 1), cy = 0.5f * (float)(h - 1);
    float cos_s = cosf(t->angle) / t->scale, sin_s = sinf(t->angle) / t->scale;
    for (int64_t ch = 0; ch < c; ch++) {
        float bg = channel_min(src, h * w, c, ch);
        for (int64_t oy = 0; oy < h; oy++) {
            float dy = (float)oy - cy - t->shift_y;
            for (int64_t ox = 0; ox < w; ox++) {
                float dx = (float)ox - cx - t->shift_x;
                float sx = cx + cos_s * dx + sin_s * dy;
                float sy = cy - sin_s * dx + cos_s * dy;
                dst[(oy * w + ox) * c + ch] = sample_bilinear(src, h, w, c, ch, sx, sy, bg);
            }
        }
    }
}
