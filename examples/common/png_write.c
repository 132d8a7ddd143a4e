/* Minimal PNG encoder: signature, IHDR, one zlib-compressed IDAT (filter 0
 * on each row), IEND. Chunk CRCs come from zlib's crc32. */
#include "png_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t length)
{
    uint8_t header[8];
    put_u32(header, length);
    memcpy(header + 4, type, 4);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (length)
        crc = crc32(crc, data, length);
    uint8_t trailer[4];
    put_u32(trailer, (uint32_t)crc);
    return fwrite(header, 1, 8, f) == 8 && (length == 0 || fwrite(data, 1, length, f) == length) &&
           fwrite(trailer, 1, 4, f) == 4;
}

int png_write_rgb(const char *path, int width, int height, const uint8_t *rgb)
{
    size_t stride = (size_t)width * 3, raw_size = (stride + 1) * (size_t)height;
    uint8_t *raw = malloc(raw_size);
    uLongf packed_size = compressBound((uLong)raw_size);
    uint8_t *packed = malloc(packed_size);
    FILE *f = NULL;
    int ok = raw && packed;
    for (int y = 0; ok && y < height; y++) {
        raw[(size_t)y * (stride + 1)] = 0; /* filter: none */
        memcpy(raw + (size_t)y * (stride + 1) + 1, rgb + (size_t)y * stride, stride);
    }
    ok = ok && compress2(packed, &packed_size, raw, (uLong)raw_size, 9) == Z_OK;
    ok = ok && (f = fopen(path, "wb")) != NULL;
    if (ok) {
        static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        uint8_t ihdr[13];
        put_u32(ihdr, (uint32_t)width);
        put_u32(ihdr + 4, (uint32_t)height);
        ihdr[8] = 8;  /* bit depth */
        ihdr[9] = 2;  /* colour type: RGB */
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        ok = fwrite(signature, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, 13) &&
             write_chunk(f, "IDAT", packed, (uint32_t)packed_size) && write_chunk(f, "IEND", NULL, 0);
    }
    if (f && fclose(f) != 0)
        ok = 0;
    free(raw);
    free(packed);
    return ok ? 0 : -1;
}
