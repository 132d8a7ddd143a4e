/* Four steps, one function each: ink_map (polarity, background, contrast),
 * ink_box (bounding box), resample_area / resample_bilinear (into at most
 * 20x20) and place_centred (centre of mass at the centre of 28x28). */
#include "digit_image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A picture whose strongest ink differs from the background by less than
 * this is blank: what is there is noise or shading, not a digit. */
static const float min_contrast = 0.1f;

/* Pixels with at least this much ink decide the bounding box; fainter ones
 * (anti-aliased edges, paper texture) would only widen it. They still count
 * with their grey level in the image itself. */
static const float box_level = 0.15f;

typedef struct box {
    int x0, y0, width, height;
} box;

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void count_level(int *histogram, float v)
{
    histogram[(int)(clamp01(v) * 255.0f + 0.5f)]++;
}

/* Median of the pixels along the picture's edge: the background colour,
 * as long as the digit covers less than half of the edge. */
static float border_median(const grey_image *p)
{
    int histogram[256] = {0}, count = 0;
    for (int x = 0; x < p->width; x++) {
        count_level(histogram, p->pixels[x]);
        count_level(histogram, p->pixels[(size_t)(p->height - 1) * (size_t)p->width + (size_t)x]);
        count += 2;
    }
    for (int y = 0; y < p->height; y++) {
        count_level(histogram, p->pixels[(size_t)y * (size_t)p->width]);
        count_level(histogram, p->pixels[(size_t)y * (size_t)p->width + (size_t)(p->width - 1)]);
        count += 2;
    }
    int level = 0;
    for (int seen = histogram[0]; seen * 2 < count; seen += histogram[++level])
        ;
    return (float)level / 255.0f;
}

/* Ink per pixel in [0, 1]: a light background means dark ink; the
 * background level becomes 0 and the strongest ink 1, so that a faint
 * pencil scan and a bold marker look alike. Returns the plane (malloc'd),
 * or NULL when the picture is blank or memory runs out. */
static float *ink_map(const grey_image *p)
{
    size_t count = (size_t)p->width * (size_t)p->height;
    float background = border_median(p);
    int dark_ink = background > 0.5f;
    float blank = dark_ink ? 1.0f - background : background, strongest = blank;
    float *ink = malloc(count * sizeof *ink);
    if (!ink)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        ink[i] = dark_ink ? 1.0f - p->pixels[i] : p->pixels[i];
        strongest = fmaxf(strongest, ink[i]);
    }
    if (strongest - blank < min_contrast) {
        free(ink);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        ink[i] = clamp01((ink[i] - blank) / (strongest - blank));
    return ink;
}

/* The smallest box holding every pixel of at least box_level; -1 when none. */
static int ink_box(const float *ink, int width, int height, box *b)
{
    int x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            if (ink[(size_t)y * (size_t)width + (size_t)x] >= box_level) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    *b = (box){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return x1 < 0 ? -1 : 0;
}

/* Shrinking: each output pixel is the mean of the source area it covers,
 * pixels on its edge weighted by their overlap (no aliasing of thin strokes). */
static void resample_area(const float *ink, int stride, box b, float *patch, int w, int h)
{
    double fx = (double)b.width / w, fy = (double)b.height / h; /* source pixels per output pixel */
    for (int oy = 0; oy < h; oy++)
        for (int ox = 0; ox < w; ox++) {
            double sy0 = oy * fy, sy1 = sy0 + fy, sx0 = ox * fx, sx1 = sx0 + fx, sum = 0;
            for (int y = (int)sy0; y < sy1 && y < b.height; y++) {
                double wy = fmin(y + 1, sy1) - fmax(y, sy0);
                const float *row = ink + (size_t)(b.y0 + y) * (size_t)stride + (size_t)b.x0;
                for (int x = (int)sx0; x < sx1 && x < b.width; x++)
                    sum += wy * (fmin(x + 1, sx1) - fmax(x, sx0)) * row[x];
            }
            patch[oy * w + ox] = (float)(sum / (fx * fy));
        }
}

/* Enlarging (a digit smaller than 20 pixels): bilinear interpolation
 * between pixel centres, smoother than repeating pixels. */
static void resample_bilinear(const float *ink, int stride, box b, float *patch, int w, int h)
{
    double fx = (double)b.width / w, fy = (double)b.height / h;
    for (int oy = 0; oy < h; oy++) {
        double sy = fmin(fmax((oy + 0.5) * fy - 0.5, 0), b.height - 1);
        int y0 = (int)sy, y1 = y0 + 1 < b.height ? y0 + 1 : y0;
        float ty = (float)(sy - y0);
        const float *r0 = ink + (size_t)(b.y0 + y0) * (size_t)stride + (size_t)b.x0;
        const float *r1 = ink + (size_t)(b.y0 + y1) * (size_t)stride + (size_t)b.x0;
        for (int ox = 0; ox < w; ox++) {
            double sx = fmin(fmax((ox + 0.5) * fx - 0.5, 0), b.width - 1);
            int x0 = (int)sx, x1 = x0 + 1 < b.width ? x0 + 1 : x0;
            float tx = (float)(sx - x0);
            float top = r0[x0] + tx * (r0[x1] - r0[x0]), bottom = r1[x0] + tx * (r1[x1] - r1[x0]);
            patch[oy * w + ox] = top + ty * (bottom - top);
        }
    }
}

/* Copies the w x h patch into the 28x28 out so that its centre of mass
 * lands on the centre, as MNIST did; kept whole inside the field when the
 * mass lies far off the patch's middle (the one place we differ). */
static void place_centred(const float *patch, int w, int h, float *out, long *shift_x, long *shift_y)
{
    double mass = 0, mx = 0, my = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = patch[y * w + x];
            mass += v;
            mx += v * (x + 0.5);
            my += v * (y + 0.5);
        }
    long dx = lround(DIGIT_SIDE / 2.0 - mx / mass), dy = lround(DIGIT_SIDE / 2.0 - my / mass);
    dx = dx < 0 ? 0 : dx > DIGIT_SIDE - w ? DIGIT_SIDE - w : dx;
    dy = dy < 0 ? 0 : dy > DIGIT_SIDE - h ? DIGIT_SIDE - h : dy;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            out[(y + dy) * DIGIT_SIDE + x + dx] = clamp01(patch[y * w + x]);
    *shift_x = dx;
    *shift_y = dy;
}

int digit_image_from_grey(const grey_image *picture, float *out)
{
    digit_placement ignored;
    return digit_image_from_grey_placed(picture, out, &ignored);
}

int digit_image_from_grey_placed(const grey_image *picture, float *out, digit_placement *placement)
{
    memset(out, 0, DIGIT_SIDE * DIGIT_SIDE * sizeof *out);
    float *ink = ink_map(picture);
    box b;
    if (!ink || ink_box(ink, picture->width, picture->height, &b) != 0) {
        free(ink);
        return -1;
    }
    double scale = (double)DIGIT_BOX / (b.width > b.height ? b.width : b.height);
    int w = (int)lround(b.width * scale), h = (int)lround(b.height * scale);
    w = w < 1 ? 1 : w;
    h = h < 1 ? 1 : h;
    float patch[DIGIT_BOX * DIGIT_BOX];
    if (scale < 1)
        resample_area(ink, picture->width, b, patch, w, h);
    else
        resample_bilinear(ink, picture->width, b, patch, w, h);
    free(ink);
    long dx, dy;
    place_centred(patch, w, h, out, &dx, &dy);
    *placement = (digit_placement){b.x0, b.y0, (double)b.width / w, (double)b.height / h, (double)dx, (double)dy};
    return 0;
}
