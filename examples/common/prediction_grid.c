/* Draws the prediction grid: each cell is the image scaled 3x, then a
 * caption in a 5x7 bitmap font scaled 2x. */
#include "prediction_grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png_write.h"

enum { SCALE = 3, FONT_SCALE = 2, GLYPH_W = 5, GLYPH_H = 7, PAD = 6, CAPTION_H = GLYPH_H * FONT_SCALE + 8 };

/* 5x7 glyphs, one byte per row, bit 4 = leftmost column. */
static const uint8_t digit_glyphs[10][GLYPH_H] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
};
static const uint8_t open_paren[GLYPH_H] = {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02};
static const uint8_t close_paren[GLYPH_H] = {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08};
static const uint8_t comma[GLYPH_H] = {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08};
static const uint8_t dash[GLYPH_H] = {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00};

typedef struct canvas {
    uint8_t *rgb;
    int width, height;
} canvas;

static void put_pixel(canvas *c, int x, int y, const uint8_t colour[3])
{
    if (x >= 0 && y >= 0 && x < c->width && y < c->height)
        memcpy(c->rgb + ((size_t)y * c->width + x) * 3, colour, 3);
}

static const uint8_t *glyph_for(char ch)
{
    if (ch >= '0' && ch <= '9')
        return digit_glyphs[ch - '0'];
    switch (ch) {
    case '(': return open_paren;
    case ')': return close_paren;
    case ',': return comma;
    case '-': return dash;
    default: return NULL;
    }
}

static void draw_text(canvas *c, int x, int y, const char *text, const uint8_t colour[3])
{
    for (; *text; text++, x += (GLYPH_W + 1) * FONT_SCALE) {
        const uint8_t *g = glyph_for(*text);
        for (int row = 0; g && row < GLYPH_H; row++)
            for (int col = 0; col < GLYPH_W; col++)
                if (g[row] & (0x10 >> col))
                    for (int dy = 0; dy < FONT_SCALE; dy++)
                        for (int dx = 0; dx < FONT_SCALE; dx++)
                            put_pixel(c, x + col * FONT_SCALE + dx, y + row * FONT_SCALE + dy, colour);
    }
}

/* Draw one image dark on light (value 1 -> black), framed red when wrong. */
static void draw_image(canvas *c, int x0, int y0, const float *image, int h, int w, int wrong)
{
    static const uint8_t red[3] = {220, 30, 30};
    for (int y = 0; y < h * SCALE; y++)
        for (int x = 0; x < w * SCALE; x++) {
            float v = image[(y / SCALE) * w + x / SCALE];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            uint8_t g = (uint8_t)(255.0f * (1.0f - v) + 0.5f);
            uint8_t px[3] = {g, g, g};
            put_pixel(c, x0 + x, y0 + y, px);
        }
    for (int t = 1; wrong && t <= 2; t++) {
        for (int i = -2; i < w * SCALE + 2; i++) {
            put_pixel(c, x0 + i, y0 - t, red);
            put_pixel(c, x0 + i, y0 + h * SCALE - 1 + t, red);
        }
        for (int i = -2; i < h * SCALE + 2; i++) {
            put_pixel(c, x0 - t, y0 + i, red);
            put_pixel(c, x0 + w * SCALE - 1 + t, y0 + i, red);
        }
    }
}

int prediction_grid_write_captions(const char *path, const float *images, int count, int height, int width,
                                   int columns, const char *const *captions, const int *wrong)
{
    int rows = (count + columns - 1) / columns;
    int cell_w = width * SCALE + 2 * PAD, cell_h = height * SCALE + CAPTION_H + 2 * PAD;
    canvas c = {NULL, columns * cell_w, rows * cell_h};
    c.rgb = malloc((size_t)c.width * c.height * 3);
    if (!c.rgb)
        return -1;
    memset(c.rgb, 255, (size_t)c.width * c.height * 3);
    static const uint8_t black[3] = {20, 20, 20}, red[3] = {220, 30, 30};
    for (int i = 0; i < count; i++) {
        int x0 = (i % columns) * cell_w + PAD, y0 = (i / columns) * cell_h + PAD;
        int is_wrong = wrong && wrong[i];
        draw_image(&c, x0, y0, images + (size_t)i * height * width, height, width, is_wrong);
        int text_w = (int)strlen(captions[i]) * (GLYPH_W + 1) * FONT_SCALE;
        draw_text(&c, x0 + (width * SCALE - text_w) / 2, y0 + height * SCALE + 5, captions[i],
                  is_wrong ? red : black);
    }
    int result = png_write_rgb(path, c.width, c.height, c.rgb);
    free(c.rgb);
    return result;
}

/* Captions "7", or "7(1)" with the true label when wrong. */
int prediction_grid_write(const char *path, const float *images, int count, int height, int width, int columns,
                          const int32_t *predicted, const int32_t *truth)
{
    char(*text)[32] = malloc((size_t)count * sizeof *text);
    const char **captions = malloc((size_t)count * sizeof *captions);
    int *wrong = malloc((size_t)count * sizeof *wrong);
    int result = -1;
    if (text && captions && wrong) {
        for (int i = 0; i < count; i++) {
            wrong[i] = truth && truth[i] != predicted[i];
            if (wrong[i])
                snprintf(text[i], sizeof text[i], "%d(%d)", predicted[i], truth[i]);
            else
                snprintf(text[i], sizeof text[i], "%d", predicted[i]);
            captions[i] = text[i];
        }
        result = prediction_grid_write_captions(path, images, count, height, width, columns, captions, wrong);
    }
    free(text);
    free(captions);
    free(wrong);
    return result;
}
