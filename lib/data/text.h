/* Internal: UTF-8 decoding, the tokenizer's representation and the text data
 * set's entry points used by the GPT trainer, the checkpoint code and the
 * fuzz targets (which parse from memory instead of files). */
#ifndef NNL_DATA_TEXT_H
#define NNL_DATA_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "nnlite/text.h"

/* Largest Unicode code point; U+FFFD is the replacement character. */
#define NNL_UNICODE_MAX 0x10FFFFu
#define NNL_REPLACEMENT_CHAR 0xFFFDu

/* Every flag of nnl_text_flags (a call refuses the others). */
#define NNL_TEXT_ALL_FLAGS (NNL_TEXT_REPLACE_INVALID | NNL_TEXT_STRIP_ANSI | NNL_TEXT_SPECIAL_TOKENS)

struct nnl_tokenizer {
    int64_t vocab_size;     /* ids 0 .. vocab_size - 1; 0 is the unknown token */
    int32_t first_char;     /* id of the first code point: 1, or NNL_TOKEN_MASK + 1 with the
                               special tokens [PAD] [CLS] [SEP] [MASK] at ids 1..4 */
    uint32_t *codepoints;   /* [vocab_size]; [0] = U+FFFD, [1, first_char) unused (0),
                               then strictly increasing */
    char (*pieces)[8];      /* [vocab_size] UTF-8 text of each id ("[MASK]" for a special), NUL-terminated */
};

/* Decode `length` bytes of UTF-8 into a new array of code points (free with
 * nnl_dealloc), dropping ANSI escapes when flags has NNL_TEXT_STRIP_ANSI.
 * Invalid UTF-8 is NNL_E_FORMAT "<who>: invalid UTF-8 at byte offset N (0xXX)"
 * unless flags has NNL_TEXT_REPLACE_INVALID. */
nnl_status nnl_utf8_decode_all(const char *text, size_t length, int flags, const char *who,
                               uint32_t **codepoints, int64_t *count);

/* Write the UTF-8 form of `cp` (<= U+10FFFF, not a surrogate) to out[0..3];
 * returns the byte count. */
size_t nnl_utf8_encode(uint32_t cp, char out[4]);

/* A tokenizer whose vocabulary is the distinct values of codepoints[n],
 * after the special tokens when flags has NNL_TEXT_SPECIAL_TOKENS. */
nnl_status nnl_tokenizer_from_codepoints(nnl_tokenizer **out, const uint32_t *codepoints,
                                         int64_t n, int flags, const char *who);

/* Id of a code point, NNL_TOKEN_UNKNOWN when outside the vocabulary. */
int32_t nnl_tokenizer_lookup(const nnl_tokenizer *tok, uint32_t cp);

nnl_status nnl_tokenizer_clone(nnl_tokenizer **out, const nnl_tokenizer *tok);

/* The vocabulary as text for a model file: decimal code points of ids
 * first_char .. vocab_size-1 separated by ',', after "[PAD],[CLS],[SEP],[MASK],"
 * when the tokenizer has the special tokens. *out is NUL-terminated, free with nnl_dealloc. */
nnl_status nnl_tokenizer_serialize(const nnl_tokenizer *tok, char **out);

/* Parse nnl_tokenizer_serialize()'s text; NNL_E_FORMAT (naming `who`) unless it is
 * a list of strictly increasing valid code points. */
nnl_status nnl_tokenizer_parse(nnl_tokenizer **out, const char *text, const char *who);

/* The bytes of a regular file (*bytes freed with nnl_dealloc, one byte
 * beyond *size allocated); NNL_E_IO naming `who` and the path otherwise. */
nnl_status nnl_read_whole_file(const char *path, const char *who, char **bytes, size_t *size);

/* A data set from a UTF-8 buffer (borrowed for the call); `label` names it in
 * messages. Otherwise as nnl_text_dataset_load(). */
nnl_status nnl_text_dataset_parse(nnl_text_dataset **out, const char *bytes, size_t size,
                                  const nnl_tokenizer *tokenizer, int flags, uint64_t seed,
                                  const char *label);

/* nnl_text_dataset_sample() with the caller's generator and no argument
 * checks (1 <= block_size < split length): the trainer keeps its generator in
 * the model so that a resumed run draws the same windows. */
void nnl_text_dataset_draw(const nnl_text_dataset *dataset, nnl_text_split split, int64_t batch,
                           int64_t block_size, nnl_rng *rng, int32_t *tokens);

/* The tokens of a split (borrowed from the data set) and their count. */
const int32_t *nnl_text_dataset_split_tokens(const nnl_text_dataset *ds, nnl_text_split split, int64_t *length);

#endif
