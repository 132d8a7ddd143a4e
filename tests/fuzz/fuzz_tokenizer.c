/* Fuzz target: the tokenizer. The first byte picks the decoding flags (and
 * whether the vocabulary has the special tokens); the rest is text. Checks: a tokenizer built from a text encodes that text to
 * ids inside its vocabulary, and in strict mode decoding gives the text back
 * byte for byte; its serialised vocabulary parses back to the same one; and
 * the input read as a serialised vocabulary (the model-file form) parses or
 * fails cleanly. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "data/text.h"
#include "fuzz_targets.h"

/* a[0..na) equals b[0..nb) with b's NUL bytes removed. */
static int same_without_nul(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0;
    for (size_t j = 0; j < nb; j++) {
        if (b[j] == '\0')
            continue;
        if (i == na || a[i] != b[j])
            return 0;
        i++;
    }
    return i == na;
}

static void check_round_trip(const nnl_tokenizer *t, const char *text, size_t n, int flags)
{
    int64_t count = -1;
    int s = nnl_tokenizer_encode(t, text, n, flags, NULL, 0, &count);
    if (s != NNL_OK || count < 0 || (size_t)count > n)
        abort(); /* the tokenizer accepted this text when it was built */
    int32_t *ids = malloc((size_t)(count > 0 ? count : 1) * sizeof *ids);
    if (!ids || nnl_tokenizer_encode(t, text, n, flags, ids, count, &count) != NNL_OK)
        abort();
    for (int64_t i = 0; i < count; i++)
        if (ids[i] < 0 || ids[i] >= nnl_tokenizer_vocab_size(t) || !nnl_tokenizer_piece(t, ids[i]))
            abort();
    size_t length = 0;
    if (nnl_tokenizer_decode(t, ids, count, NULL, 0, &length) != NNL_OK)
        abort();
    char *back = malloc(length + 1);
    if (!back || nnl_tokenizer_decode(t, ids, count, back, length + 1, NULL) != NNL_OK)
        abort();
    /* strict decoding of valid UTF-8 without escapes to strip is lossless,
     * except for U+0000, which decodes to nothing (text.h) */
    if ((flags & ~NNL_TEXT_SPECIAL_TOKENS) == NNL_TEXT_STRICT && !same_without_nul(back, length, text, n))
        abort();
    free(back);
    free(ids);
}

static void check_serialisation(const nnl_tokenizer *t)
{
    char *text = NULL;
    nnl_tokenizer *back = NULL;
    if (nnl_tokenizer_serialize(t, &text) != NNL_OK || nnl_tokenizer_parse(&back, text, "fuzz") != NNL_OK)
        abort();
    if (back->vocab_size != t->vocab_size || back->first_char != t->first_char ||
        memcmp(back->codepoints, t->codepoints, (size_t)t->vocab_size * sizeof *t->codepoints) != 0)
        abort();
    nnl_tokenizer_free(back);
    nnl_dealloc(text);
}

static void parse_as_vocabulary(const char *text, size_t n)
{
    char *z = malloc(n + 1); /* the model-file form is a NUL-terminated string */
    if (!z)
        abort();
    memcpy(z, text, n);
    z[n] = '\0';
    nnl_tokenizer *t = NULL;
    int s = nnl_tokenizer_parse(&t, z, "fuzz");
    if (s != NNL_OK)
        fuzz_check_failure(s);
    else
        check_serialisation(t);
    nnl_tokenizer_free(t);
    free(z);
}

int fuzz_tokenizer(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int flags = data[0] & NNL_TEXT_ALL_FLAGS;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    nnl_tokenizer *t = NULL;
    int s = nnl_tokenizer_create(&t, text, n, flags);
    if (s != NNL_OK) {
        fuzz_check_failure(s);
    } else {
        check_round_trip(t, text, n, flags);
        check_serialisation(t);
    }
    nnl_tokenizer_free(t);
    parse_as_vocabulary(text, n);
    return 0;
}
