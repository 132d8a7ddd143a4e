/* The examples' picture reading and MNIST-style preprocessing
 * (examples/common): polarity, bounding box to 20 pixels keeping the aspect,
 * centre of mass at the centre of 28x28, blank pictures, and PGM/PNG
 * readers agreeing with each other and refusing broken files. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "common/digit_image.h"
#include "common/image_read.h"
#include "test_util.h"

enum { SIDE = DIGIT_SIDE };

/* A width x height picture of background with a filled ink rectangle. */
static grey_image rectangle(int width, int height, int x0, int y0, int w, int h, float background, float ink)
{
    grey_image p;
    assert_int_equal(grey_image_alloc(&p, width, height), 0);
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            p.pixels[y * width + x] = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h ? ink : background;
    return p;
}

/* Rows or columns holding any ink (> 0.5) in a 28x28 image. */
static int ink_extent(const float *image, int by_column)
{
    int first = SIDE, last = -1;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
            if (image[y * SIDE + x] > 0.5f) {
                int i = by_column ? x : y;
                first = i < first ? i : first;
                last = i > last ? i : last;
            }
    return last - first + 1;
}

static void centre_of_mass(const float *image, double *cx, double *cy)
{
    double mass = 0, mx = 0, my = 0;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            mass += image[y * SIDE + x];
            mx += image[y * SIDE + x] * (x + 0.5);
            my += image[y * SIDE + x] * (y + 0.5);
        }
    *cx = mx / mass;
    *cy = my / mass;
}

/* A wide bar in a corner of a large picture: 20 pixels wide, 10 tall
 * (aspect kept), its centre of mass moved to the middle. */
static void box_scaled_and_centred(void **state)
{
    (void)state;
    grey_image p = rectangle(400, 300, 10, 200, 120, 60, 1.0f, 0.0f);
    float image[SIDE * SIDE];
    assert_int_equal(digit_image_from_grey(&p, image), 0);
    assert_int_equal(ink_extent(image, 1), DIGIT_BOX);
    assert_int_equal(ink_extent(image, 0), DIGIT_BOX / 2);
    double cx, cy;
    centre_of_mass(image, &cx, &cy);
    assert_true(fabs(cx - SIDE / 2.0) <= 0.5 && fabs(cy - SIDE / 2.0) <= 0.5);
    grey_image_free(&p);
}

/* A small picture is enlarged to the 20-pixel box too. */
static void small_digit_enlarged(void **state)
{
    (void)state;
    grey_image p = rectangle(12, 12, 4, 1, 3, 10, 0.0f, 1.0f);
    float image[SIDE * SIDE];
    assert_int_equal(digit_image_from_grey(&p, image), 0);
    assert_int_equal(ink_extent(image, 0), DIGIT_BOX);
    assert_int_equal(ink_extent(image, 1), 6);
    grey_image_free(&p);
}

/* Dark on light and light on dark give the same input, ink = 1; so does
 * faint grey ink on grey paper. */
static void polarity_and_contrast_do_not_matter(void **state)
{
    (void)state;
    grey_image dark = rectangle(90, 70, 30, 10, 20, 50, 1.0f, 0.0f);
    grey_image light = rectangle(90, 70, 30, 10, 20, 50, 0.0f, 1.0f);
    grey_image faint = rectangle(90, 70, 30, 10, 20, 50, 0.8f, 0.55f);
    float a[SIDE * SIDE], b[SIDE * SIDE], c[SIDE * SIDE];
    assert_int_equal(digit_image_from_grey(&dark, a), 0);
    assert_int_equal(digit_image_from_grey(&light, b), 0);
    assert_int_equal(digit_image_from_grey(&faint, c), 0);
    for (int i = 0; i < SIDE * SIDE; i++) {
        assert_true(a[i] >= 0 && a[i] <= 1);
        assert_float_equal(a[i], b[i], 1e-6);
        assert_float_equal(a[i], c[i], 1e-5);
    }
    assert_float_equal(a[14 * SIDE + 14], 1.0f, 1e-6);
    grey_image_free(&dark);
    grey_image_free(&light);
    grey_image_free(&faint);
}

static void blank_pictures_have_no_digit(void **state)
{
    (void)state;
    grey_image white = rectangle(50, 50, 0, 0, 0, 0, 1.0f, 0.0f);
    grey_image noise = rectangle(50, 50, 20, 20, 3, 3, 0.5f, 0.46f);
    float image[SIDE * SIDE];
    assert_int_equal(digit_image_from_grey(&white, image), -1);
    assert_int_equal(digit_image_from_grey(&noise, image), -1);
    for (int i = 0; i < SIDE * SIDE; i++)
        assert_true(image[i] == 0.0f);
    grey_image_free(&white);
    grey_image_free(&noise);
}

static const char *write_temp(const char *name, const char *bytes, size_t length)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/nnl_test_digit_image_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, length, f), length);
    fclose(f);
    return path;
}

/* The same 3x2 picture as ASCII P2, binary P5 and 16-bit P5, with comments. */
static void pgm_variants_agree(void **state)
{
    (void)state;
    static const char p2[] = "P2\n# comment\n3 2\n# another\n100\n0 50 100\n100 25 0\n";
    static const char p5[] = "P5 3 2 100\n\x00\x32\x64\x64\x19\x00";
    static const char p5_16[] = "P5\n3 2\n1000\n\x00\x00\x01\xf4\x03\xe8\x03\xe8\x00\xfa\x00\x00";
    static const float expected[6] = {0, 0.5f, 1, 1, 0.25f, 0};
    const char *files[3][2] = {{"p2.pgm", p2}, {"p5.pgm", p5}, {"p5_16.pgm", p5_16}};
    size_t lengths[3] = {sizeof p2 - 1, sizeof p5 - 1, sizeof p5_16 - 1};
    for (int k = 0; k < 3; k++) {
        grey_image p = {0};
        char error[256];
        const char *path = write_temp(files[k][0], files[k][1], lengths[k]);
        if (image_read(path, &p, error, sizeof error) != 0)
            fail_msg("%s", error);
        unlink(path);
        assert_int_equal(p.width, 3);
        assert_int_equal(p.height, 2);
        for (int i = 0; i < 6; i++)
            assert_float_equal(p.pixels[i], expected[i], 1e-6);
        grey_image_free(&p);
    }
}

static void broken_files_are_refused(void **state)
{
    (void)state;
#define CASE(bytes, reason) {bytes, sizeof bytes - 1, reason}
    static const struct {
        const char *bytes;
        size_t length;
        const char *reason;
    } cases[] = {
        CASE("P5 3 2 255\n\x01\x02", "truncated"),
        CASE("P2 2 1 10\n3 11\n", "exceeds maxval"),
        CASE("P5 0 2 255\n", "bad header"),
        CASE("P5 99999 2 255\n", "bad header"),
        CASE("GIF89a", "not a PNG or PGM"),
        CASE("\x89PNG\r\n\x1a\n\x00\x00", "PNG:"),
    };
#undef CASE
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        grey_image p = {0};
        char error[256] = "";
        const char *path = write_temp("broken", cases[k].bytes, cases[k].length);
        assert_int_equal(image_read(path, &p, error, sizeof error), -1);
        unlink(path);
        if (!strstr(error, cases[k].reason))
            fail_msg("case %zu: '%s' lacks '%s'", k, error, cases[k].reason);
        assert_null(p.pixels);
    }
}

/* A transparent PNG (dark ink, clear background) reads as ink on white. */
static void transparent_png_lands_on_white(void **state)
{
    (void)state;
    char path[4096], error[256];
    const char *root = getenv("NNL_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/tests/data/digits/3-transparent-200x260.png", root ? root : ".");
    grey_image p = {0};
    if (image_read(path, &p, error, sizeof error) != 0)
        fail_msg("%s", error);
    assert_int_equal(p.width, 200);
    assert_int_equal(p.height, 260);
    assert_float_equal(p.pixels[0], 1.0f, 1e-6);
    float darkest = 1;
    for (int i = 0; i < p.width * p.height; i++)
        darkest = fminf(darkest, p.pixels[i]);
    assert_float_equal(darkest, 0.0f, 1e-6);
    grey_image_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(box_scaled_and_centred),
        cmocka_unit_test(small_digit_enlarged),
        cmocka_unit_test(polarity_and_contrast_do_not_matter),
        cmocka_unit_test(blank_pictures_have_no_digit),
        cmocka_unit_test(pgm_variants_agree),
        cmocka_unit_test(broken_files_are_refused),
        cmocka_unit_test(transparent_png_lands_on_white),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
