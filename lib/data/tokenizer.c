/* The code-point tokenizer: vocabulary = sorted distinct code points, id 0 =
 * unknown, optionally the special tokens [PAD] [CLS] [SEP] [MASK] at ids 1..4
 * (BERT's; no text encodes to them, the caller places them). Lookup is a binary search over the sorted code points (about 13
 * steps for the 6,000 characters of a Chinese corpus). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/text.h"

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Names of the special tokens, ids 1..4, and the serialized vocabulary's prefix. */
static const char *const special_names[] = {"[PAD]", "[CLS]", "[SEP]", "[MASK]"};
static const char special_prefix[] = "[PAD],[CLS],[SEP],[MASK]";

/* Allocate a tokenizer for `chars` code points after the unknown token and,
 * when `specials`, the special tokens; the caller fills codepoints[first_char..]. */
static nnl_status tokenizer_alloc(nnl_tokenizer **out, int64_t chars, int specials, const char *who)
{
    nnl_tokenizer *t = nnl_alloc_zeroed(sizeof *t);
    if (!t)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate a tokenizer", who);
    t->first_char = specials ? NNL_TOKEN_MASK + 1 : 1;
    const int64_t vocab_size = t->first_char + chars;
    t->vocab_size = vocab_size;
    t->codepoints = nnl_alloc_zeroed((size_t)vocab_size * sizeof(uint32_t));
    t->pieces = nnl_alloc((size_t)vocab_size * sizeof *t->pieces);
    if (!t->codepoints || !t->pieces) {
        nnl_tokenizer_free(t);
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate a vocabulary of %lld", who,
                         (long long)vocab_size);
    }
    t->codepoints[0] = NNL_REPLACEMENT_CHAR;
    *out = t;
    return NNL_OK;
}

/* Fill the UTF-8 pieces once the code points are in place. */
static void tokenizer_finish(nnl_tokenizer *t)
{
    for (int32_t id = 1; id < t->first_char; id++)
        strcpy(t->pieces[id], special_names[id - 1]);
    for (int64_t id = 0; id < t->vocab_size; id++) {
        if (id > 0 && id < t->first_char)
            continue;
        size_t n = t->codepoints[id] == 0 ? 0 : nnl_utf8_encode(t->codepoints[id], t->pieces[id]);
        t->pieces[id][n] = '\0';
    }
}

nnl_status nnl_tokenizer_from_codepoints(nnl_tokenizer **out, const uint32_t *codepoints,
                                         int64_t n, int flags, const char *who)
{
    *out = NULL;
    uint32_t *sorted = nnl_alloc((size_t)(n > 0 ? n : 1) * sizeof(uint32_t));
    if (!sorted)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld code points", who, (long long)n);
    if (n > 0)
        memcpy(sorted, codepoints, (size_t)n * sizeof(uint32_t));
    qsort(sorted, (size_t)n, sizeof(uint32_t), compare_u32);
    int64_t distinct = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || sorted[i] != sorted[i - 1])
            sorted[distinct++] = sorted[i];
    nnl_tokenizer *t;
    nnl_status st = tokenizer_alloc(&t, distinct, flags & NNL_TEXT_SPECIAL_TOKENS, who);
    if (st == NNL_OK) {
        memcpy(t->codepoints + t->first_char, sorted, (size_t)distinct * sizeof(uint32_t));
        tokenizer_finish(t);
        *out = t;
    }
    nnl_dealloc(sorted);
    return st;
}

int32_t nnl_tokenizer_lookup(const nnl_tokenizer *tok, uint32_t cp)
{
    int64_t lo = tok->first_char, hi = tok->vocab_size - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        uint32_t v = tok->codepoints[mid];
        if (v == cp)
            return (int32_t)mid;
        if (v < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NNL_TOKEN_UNKNOWN;
}

/* The code points of text[0..length) (NULL text allowed when empty) under
 * the text flags; *cps is freed by the caller with nnl_dealloc. */
static nnl_status decode_text(const char *who, const char *text, size_t length, int flags, uint32_t **cps,
                              int64_t *n)
{
    if (length > 0)
        NNL_CHECK_PTR(who, text);
    if (flags & ~NNL_TEXT_ALL_FLAGS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown flags 0x%x", who, (unsigned)flags);
    return nnl_utf8_decode_all(text, length, flags, who, cps, n);
}

nnl_status nnl_tokenizer_create(nnl_tokenizer **out, const char *text, size_t length, int flags)
{
    static const char who[] = "nnl_tokenizer_create";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    uint32_t *cps;
    int64_t n;
    NNL_TRY(decode_text(who, text, length, flags, &cps, &n));
    nnl_status st = nnl_tokenizer_from_codepoints(out, cps, n, flags, who);
    nnl_dealloc(cps);
    return st;
}

void nnl_tokenizer_free(nnl_tokenizer *tokenizer)
{
    if (!tokenizer)
        return;
    nnl_dealloc(tokenizer->codepoints);
    nnl_dealloc(tokenizer->pieces);
    nnl_dealloc(tokenizer);
}

int64_t nnl_tokenizer_vocab_size(const nnl_tokenizer *tokenizer)
{
    return tokenizer ? tokenizer->vocab_size : -1;
}

int32_t nnl_tokenizer_num_special(const nnl_tokenizer *tokenizer)
{
    return tokenizer ? tokenizer->first_char : -1;
}

nnl_status nnl_tokenizer_encode(const nnl_tokenizer *tokenizer, const char *text, size_t length,
                                int flags, int32_t *ids, int64_t capacity, int64_t *count)
{
    static const char who[] = "nnl_tokenizer_encode";
    NNL_CHECK_PTR(who, tokenizer);
    NNL_CHECK_PTR(who, count);
    uint32_t *cps;
    int64_t n;
    NNL_TRY(decode_text(who, text, length, flags, &cps, &n));
    *count = n;
    nnl_status st = NNL_OK;
    if (ids && capacity < n)
        st = nnl_error(NNL_E_INVALID_ARG, "%s: capacity=%lld but the text has %lld tokens", who,
                       (long long)capacity, (long long)n);
    else if (ids)
        for (int64_t i = 0; i < n; i++)
            ids[i] = nnl_tokenizer_lookup(tokenizer, cps[i]);
    nnl_dealloc(cps);
    return st;
}

nnl_status nnl_tokenizer_decode(const nnl_tokenizer *tokenizer, const int32_t *ids, int64_t count,
                                char *buf, size_t capacity, size_t *length)
{
    static const char who[] = "nnl_tokenizer_decode";
    NNL_CHECK_PTR(who, tokenizer);
    if (count < 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: count=%lld", who, (long long)count);
    if (count > 0)
        NNL_CHECK_PTR(who, ids);
    if (capacity > 0)
        NNL_CHECK_PTR(who, buf);
    for (int64_t i = 0; i < count; i++)
        if (ids[i] < 0 || ids[i] >= tokenizer->vocab_size)
            return nnl_error(NNL_E_INVALID_ARG, "%s: ids[%lld]=%d is outside [0, %lld)", who,
                             (long long)i, (int)ids[i], (long long)tokenizer->vocab_size);
    size_t total = 0, written = 0;
    int truncated = 0;
    for (int64_t i = 0; i < count; i++) {
        const char *piece = tokenizer->pieces[ids[i]];
        size_t n = strlen(piece);
        if (!truncated && written + n < capacity) {
            memcpy(buf + written, piece, n);
            written += n;
        } else {
            truncated = 1; /* whole characters only */
        }
        total += n;
    }
    if (capacity > 0)
        buf[written] = '\0';
    if (length)
        *length = total;
    return NNL_OK;
}

const char *nnl_tokenizer_piece(const nnl_tokenizer *tokenizer, int32_t id)
{
    if (!tokenizer || id < 0 || id >= tokenizer->vocab_size)
        return NULL;
    return tokenizer->pieces[id];
}

nnl_status nnl_tokenizer_clone(nnl_tokenizer **out, const nnl_tokenizer *tok)
{
    NNL_TRY(tokenizer_alloc(out, tok->vocab_size - tok->first_char, tok->first_char > 1, "nnl_tokenizer_clone"));
    memcpy((*out)->codepoints, tok->codepoints, (size_t)tok->vocab_size * sizeof(uint32_t));
    memcpy((*out)->pieces, tok->pieces, (size_t)tok->vocab_size * sizeof *tok->pieces);
    return NNL_OK;
}

nnl_status nnl_tokenizer_serialize(const nnl_tokenizer *tok, char **out)
{
    size_t cap = (size_t)tok->vocab_size * 8 + sizeof special_prefix; /* "1114111," is 8 bytes */
    char *s = nnl_alloc(cap);
    if (!s)
        return nnl_error(NNL_E_NOMEM, "nnl_tokenizer_serialize: cannot allocate %zu bytes", cap);
    size_t len = 0;
    s[0] = '\0';
    if (tok->first_char > 1)
        len = (size_t)snprintf(s, cap, "%s", special_prefix);
    for (int64_t id = tok->first_char; id < tok->vocab_size; id++)
        len += (size_t)snprintf(s + len, cap - len, len > 0 ? ",%u" : "%u", (unsigned)tok->codepoints[id]);
    *out = s;
    return NNL_OK;
}

nnl_status nnl_tokenizer_parse(nnl_tokenizer **out, const char *text, const char *who)
{
    *out = NULL;
    size_t prefix = strlen(special_prefix);
    int specials = strncmp(text, special_prefix, prefix) == 0 && (text[prefix] == ',' || !text[prefix]);
    if (specials)
        text += text[prefix] ? prefix + 1 : prefix;
    int64_t n = text[0] ? 1 : 0;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    nnl_tokenizer *t;
    NNL_TRY(tokenizer_alloc(&t, n, specials, who));
    const char *p = text;
    for (int64_t i = 1; i <= n; i++) {
        const int64_t id = t->first_char + i - 1;
        if (*p < '0' || *p > '9') {
            nnl_tokenizer_free(t);
            return nnl_error(NNL_E_FORMAT, "%s: vocabulary entry %lld is not a number", who, (long long)i);
        }
        char *end;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        int bad_end = *end != (i < n ? ',' : '\0');
        if (errno || bad_end || v > NNL_UNICODE_MAX || (v >= 0xD800 && v <= 0xDFFF) ||
            (i > 1 && v <= t->codepoints[id - 1])) {
            nnl_tokenizer_free(t);
            return nnl_error(NNL_E_FORMAT,
                             "%s: vocabulary entry %lld is not a code point above the previous one",
                             who, (long long)i);
        }
        t->codepoints[id] = (uint32_t)v;
        p = end + 1;
    }
    tokenizer_finish(t);
    *out = t;
    return NNL_OK;
}
