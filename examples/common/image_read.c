#include "image_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pgm_read.h"
#include "png_read.h"

static int is_png(const unsigned char *magic, size_t length)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    return length == 8 && memcmp(magic, signature, 8) == 0;
}

static int is_pgm(const unsigned char *magic, size_t length)
{
    return length >= 2 && magic[0] == 'P' && (magic[1] == '2' || magic[1] == '5');
}

int image_read(const char *path, grey_image *out, char *error, size_t error_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    unsigned char magic[8];
    size_t length = fread(magic, 1, sizeof magic, f);
    int status = -1;
    char reason[256] = "not a PNG or PGM (P2/P5) file";
    rewind(f);
    if (is_png(magic, length))
        status = png_read_grey(f, out, reason, sizeof reason);
    else if (is_pgm(magic, length))
        status = pgm_read(f, out, reason, sizeof reason);
    fclose(f);
    if (status != 0)
        snprintf(error, error_size, "%s: %s", path, reason);
    return status;
}
