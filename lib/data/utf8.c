/* UTF-8 decoding (strict, per RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF) and ANSI escape stripping, at the code-point level so that
 * error offsets are those of the original bytes. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/text.h"

/* Decode one code point at text[*pos]; returns 0 and advances *pos, or -1
 * (leaving *pos) when the bytes there are not valid UTF-8. */
static int decode_one(const unsigned char *s, size_t length, size_t *pos, uint32_t *cp)
{
    size_t i = *pos;
    unsigned b0 = s[i];
    if (b0 < 0x80) {
        *cp = b0;
        *pos = i + 1;
        return 0;
    }
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    uint32_t value;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1, value = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2, value = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3, value = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        if (b0 == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return -1;
    }
    if (length - i - 1 < need)
        return -1;
    for (size_t k = 1; k <= need; k++) {
        unsigned b = s[i + k];
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
            return -1;
        value = (value << 6) | (b & 0x3F);
    }
    *cp = value;
    *pos = i + 1 + need;
    return 0;
}

/* ESC [ parameters(0x30-0x3F)* intermediates(0x20-0x2F)* final(0x40-0x7E), or a
 * lone ESC: returns how many code points from cps[i] (an ESC) to drop. A
 * sequence cut short by another ESC or a non-ASCII character ends there. */
static int64_t ansi_length(const uint32_t *cps, int64_t n, int64_t i)
{
    int64_t j = i + 1;
    if (j >= n || cps[j] != '[')
        return 1;
    j++;
    while (j < n && cps[j] >= 0x30 && cps[j] <= 0x3F)
        j++;
    while (j < n && cps[j] >= 0x20 && cps[j] <= 0x2F)
        j++;
    if (j < n && cps[j] >= 0x40 && cps[j] <= 0x7E)
        j++;
    return j - i;
}

static int64_t strip_ansi(uint32_t *cps, int64_t n)
{
    int64_t kept = 0;
    for (int64_t i = 0; i < n;) {
        if (cps[i] == 0x1B) {
            i += ansi_length(cps, n, i);
        } else {
            cps[kept++] = cps[i++];
        }
    }
    return kept;
}

nnl_status nnl_utf8_decode_all(const char *text, size_t length, int flags, const char *who,
                               uint32_t **codepoints, int64_t *count)
{
    *codepoints = NULL;
    *count = 0;
    if (length > (size_t)INT64_MAX / sizeof(uint32_t))
        return nnl_error(NNL_E_NOMEM, "%s: %zu bytes of text is too large", who, length);
    uint32_t *cps = nnl_alloc(length * sizeof(uint32_t));
    if (!cps)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %zu code points", who, length);
    const unsigned char *s = (const unsigned char *)text;
    int64_t n = 0;
    for (size_t pos = 0; pos < length;) {
        if (decode_one(s, length, &pos, &cps[n]) != 0) {
            if (!(flags & NNL_TEXT_REPLACE_INVALID)) {
                nnl_dealloc(cps);
                return nnl_error(NNL_E_FORMAT, "%s: invalid UTF-8 at byte offset %zu (0x%02X)",
                                 who, pos, (unsigned)s[pos]);
            }
            cps[n] = NNL_REPLACEMENT_CHAR;
            pos++;
        }
        n++;
    }
    if (flags & NNL_TEXT_STRIP_ANSI)
        n = strip_ansi(cps, n);
    *codepoints = cps;
    *count = n;
    return NNL_OK;
}

size_t nnl_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
