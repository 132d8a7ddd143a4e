/**
 * @file nnlite/text.h
 * @brief UTF-8 code-point tokenizer and text data sets for language models.
 *
 * @defgroup text Text and tokens
 * A tokenizer maps each Unicode code point of its vocabulary to an id.
 * Id 0 (::NNL_TOKEN_UNKNOWN, BERT's `[UNK]`) stands for every character outside
 * the vocabulary; ids 1 .. vocab_size - 1 are the vocabulary's code points in
 * increasing order, so the same text always gives the same vocabulary.
 * A tokenizer built with ::NNL_TEXT_SPECIAL_TOKENS reserves ids 1..4 for the
 * special tokens of an encoder (::NNL_TOKEN_PAD, ::NNL_TOKEN_CLS,
 * ::NNL_TOKEN_SEP, ::NNL_TOKEN_MASK) and numbers its code points from 5; no
 * text encodes to a special token (the caller places them), and the
 * vocabulary saved in a model file keeps them.
 *
 * A text data set is a UTF-8 file turned into one sequence of token ids; its
 * first 90% is the training split and the last 10% the validation split, and
 * training windows of block_size + 1 tokens are drawn from a seeded random
 * generator.
 *
 * Thread-safety: a tokenizer is immutable after creation and may be used from
 * many threads at once. A data set's nnl_text_dataset_sample() advances its
 * generator, so one thread at a time; the other calls are read-only.
 * @{
 */
#ifndef NNLITE_TEXT_H
#define NNLITE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Id of the unknown token (characters outside the vocabulary), `[UNK]`. */
#define NNL_TOKEN_UNKNOWN 0
/** Id of `[PAD]`, the padding after a sequence, with ::NNL_TEXT_SPECIAL_TOKENS. */
#define NNL_TOKEN_PAD 1
/** Id of `[CLS]`, the first token of a sequence to classify, with ::NNL_TEXT_SPECIAL_TOKENS. */
#define NNL_TOKEN_CLS 2
/** Id of `[SEP]`, the end of a sequence, with ::NNL_TEXT_SPECIAL_TOKENS. */
#define NNL_TOKEN_SEP 3
/** Id of `[MASK]`, a position hidden from a masked language model, with ::NNL_TEXT_SPECIAL_TOKENS. */
#define NNL_TOKEN_MASK 4

/** Flags of text decoding, combined with `|`. */
typedef enum nnl_text_flags {
    NNL_TEXT_STRICT = 0,          /**< Invalid UTF-8 is an error (::NNL_E_FORMAT naming the byte offset). */
    NNL_TEXT_REPLACE_INVALID = 1, /**< Each invalid byte becomes U+FFFD instead. */
    NNL_TEXT_STRIP_ANSI = 2,      /**< Drop ANSI escape sequences (ESC, and ESC [ ... final byte). */
    NNL_TEXT_SPECIAL_TOKENS = 4   /**< When a vocabulary is built (nnl_tokenizer_create(), nnl_text_dataset_load()
                                       without a tokenizer): ids 1..4 are `[PAD]` `[CLS]` `[SEP]` `[MASK]`.
                                       Encoding ignores it. */
} nnl_text_flags;

/** Opaque tokenizer handle. */
typedef struct nnl_tokenizer nnl_tokenizer;

/**
 * @brief Build a tokenizer whose vocabulary is the distinct code points of @p text.
 * @param out    receives the tokenizer (caller owns it; free with nnl_tokenizer_free()).
 * @param text   UTF-8 bytes (borrowed for the call; need not be NUL-terminated).
 * @param length bytes in @p text.
 * @param flags  ::nnl_text_flags.
 * @return ::NNL_E_FORMAT for invalid UTF-8 without ::NNL_TEXT_REPLACE_INVALID (the
 *         message gives the byte offset and value); ::NNL_E_INVALID_ARG for NULL
 *         pointers (text may be NULL when length is 0) or unknown flags; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_tokenizer_create(nnl_tokenizer **out, const char *text, size_t length,
                                        int flags);

/**
 * @brief Free a tokenizer.
 * @param tokenizer the tokenizer, or NULL (a no-op). Do not free one borrowed from a
 *                  model or data set (nnl_gpt_tokenizer(), nnl_text_dataset_tokenizer()).
 */
NNL_API void nnl_tokenizer_free(nnl_tokenizer *tokenizer);

/**
 * @brief Number of ids, the unknown token included.
 * @param tokenizer the tokenizer.
 * @return the vocabulary size (>= 1), or -1 for NULL.
 */
NNL_API int64_t nnl_tokenizer_vocab_size(const nnl_tokenizer *tokenizer);

/**
 * @brief Number of ids before the first code point: 1 (the unknown token), or 5
 *        when the tokenizer has the special tokens (::NNL_TEXT_SPECIAL_TOKENS).
 * @param tokenizer the tokenizer.
 * @return 1 or 5, or -1 for NULL.
 */
NNL_API int32_t nnl_tokenizer_num_special(const nnl_tokenizer *tokenizer);

/**
 * @brief Encode UTF-8 text to token ids.
 *
 * Call it with @p ids NULL to learn the count, then with a buffer.
 * @param tokenizer the tokenizer.
 * @param text      UTF-8 bytes (borrowed for the call).
 * @param length    bytes in @p text.
 * @param flags     ::nnl_text_flags.
 * @param ids       receives the ids, or NULL to count only.
 * @param capacity  ids @p ids can hold (ignored when @p ids is NULL).
 * @param count     receives the number of tokens of the whole text.
 * @return ::NNL_E_FORMAT for invalid UTF-8 (see nnl_tokenizer_create());
 *         ::NNL_E_INVALID_ARG when @p capacity is smaller than the count.
 */
NNL_API nnl_status nnl_tokenizer_encode(const nnl_tokenizer *tokenizer, const char *text,
                                        size_t length, int flags, int32_t *ids, int64_t capacity,
                                        int64_t *count);

/**
 * @brief Decode token ids to UTF-8 text (the unknown token becomes U+FFFD, a special
 *        token its name such as `[CLS]`; a U+0000 token, which a NUL-terminated
 *        string cannot hold, becomes nothing).
 * @param tokenizer the tokenizer.
 * @param ids       @p count ids (borrowed for the call).
 * @param count     number of ids, >= 0.
 * @param buf       receives the NUL-terminated text, truncated to @p capacity
 *                  (never in the middle of a character); may be NULL when capacity is 0.
 * @param capacity  bytes @p buf can hold.
 * @param length    receives the full length in bytes without the NUL (to size a buffer); may be NULL.
 * @return ::NNL_E_INVALID_ARG for an id outside [0, vocab size) (the message names it).
 */
NNL_API nnl_status nnl_tokenizer_decode(const nnl_tokenizer *tokenizer, const int32_t *ids,
                                        int64_t count, char *buf, size_t capacity, size_t *length);

/**
 * @brief The UTF-8 text of one token.
 * @param tokenizer the tokenizer.
 * @param id        0 .. vocab size - 1.
 * @return a NUL-terminated string of 1 to 4 bytes (a special token's name, e.g. "[MASK]"),
 *         borrowed from the tokenizer (valid until it is freed); NULL for a NULL
 *         tokenizer or an id out of range.
 */
NNL_API const char *nnl_tokenizer_piece(const nnl_tokenizer *tokenizer, int32_t id);

/** Which part of a text data set. */
typedef enum nnl_text_split {
    NNL_SPLIT_TRAIN = 0,      /**< The first 90% of the tokens. */
    NNL_SPLIT_VALIDATION = 1  /**< The last 10%. */
} nnl_text_split;

/** Opaque text data set handle. */
typedef struct nnl_text_dataset nnl_text_dataset;

/**
 * @brief Load a UTF-8 text file as a token sequence.
 * @param out       receives the data set (caller owns it; free with nnl_text_dataset_free()).
 * @param path      the file.
 * @param tokenizer the vocabulary to encode with (copied), or NULL to build one
 *                  from the whole file (after escape stripping).
 * @param flags     ::nnl_text_flags, e.g. ::NNL_TEXT_STRIP_ANSI for fortune files.
 * @param seed      seed of the window sampler.
 * @return ::NNL_E_IO (with the path) when the file cannot be read; ::NNL_E_FORMAT for
 *         invalid UTF-8 (with the byte offset in the file); ::NNL_E_INVALID_ARG when the
 *         text is too short to split (fewer than 20 tokens).
 */
NNL_API nnl_status nnl_text_dataset_load(nnl_text_dataset **out, const char *path,
                                         const nnl_tokenizer *tokenizer, int flags, uint64_t seed);

/**
 * @brief Free a text data set and its tokenizer.
 * @param dataset the data set, or NULL (a no-op).
 */
NNL_API void nnl_text_dataset_free(nnl_text_dataset *dataset);

/**
 * @brief The data set's tokenizer, e.g. to create a matching nnl_gpt.
 * @param dataset the data set.
 * @return the tokenizer, borrowed: valid while the data set lives; NULL for NULL.
 */
NNL_API const nnl_tokenizer *nnl_text_dataset_tokenizer(const nnl_text_dataset *dataset);

/**
 * @brief Number of tokens in a split.
 * @param dataset the data set.
 * @param split   which split.
 * @return the count, or -1 for NULL or an unknown split.
 */
NNL_API int64_t nnl_text_dataset_length(const nnl_text_dataset *dataset, nnl_text_split split);

/**
 * @brief Draw @p batch random windows of @p block_size + 1 consecutive tokens.
 *
 * Window b is tokens[b * (block_size + 1) ...]: inputs are its first
 * block_size tokens, targets its last block_size. Start positions are uniform
 * over the split, from the data set's seeded generator.
 * @param dataset    the data set.
 * @param split      which split.
 * @param batch      windows, >= 1.
 * @param block_size tokens per window minus one, >= 1 and less than the split's length.
 * @param tokens     receives batch * (block_size + 1) ids.
 * @return ::NNL_E_INVALID_ARG for out-of-range values (the message names them).
 */
NNL_API nnl_status nnl_text_dataset_sample(nnl_text_dataset *dataset, nnl_text_split split,
                                           int64_t batch, int64_t block_size, int32_t *tokens);

/**
 * @brief The windows of a split as a data set, to train a language model with
 *        nnl_model_fit_with() like any other model.
 *
 * Sample i is the @p window token ids starting at token i of the split
 * (stored as floats, as ::nnl_layer_embedding takes them) and its target the
 * next token at every position, i.e. the window shifted by one: (window,)
 * samples and (window,) targets, split length - window samples. Fit's steps
 * mode draws them at random, as nnl_text_dataset_sample() does. The split's
 * tokens are copied; the windows are made when a batch is filled. Shuffling,
 * splitting, normalising and augmenting such a data set is ::NNL_E_UNSUPPORTED.
 * @param out    receives the data set (caller owns it; free with nnl_dataset_free()).
 * @param text   the text (borrowed for the call).
 * @param split  which split.
 * @param window tokens per sample, 1 .. the split's length - 1 (and at most 2^20).
 * @return ::NNL_E_INVALID_ARG for NULL pointers, an unknown split or a window out of range; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_dataset_from_text(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split,
                                         int64_t window);

/**
 * @brief The windows of a split as masked-language-model samples (BERT's pretraining),
 *        to train an encoder with nnl_model_fit_with() and ::NNL_LOSS_SOFTMAX_CROSSENTROPY.
 *
 * Sample i is the @p window token ids starting at token i of the split (as floats)
 * with round(@p mask_rate x n) of its n non-special positions chosen (at least one; a
 * special token, ::NNL_TOKEN_UNKNOWN included, is never chosen): 80% of the chosen
 * become ::NNL_TOKEN_MASK, 10% a token drawn uniformly from the code points of the
 * vocabulary, 10% stay as they are. Its target has the original token at the chosen
 * positions and ::NNL_LOSS_IGNORE_INDEX elsewhere, so the loss and the accuracy count
 * the chosen positions only. Window i is masked from a generator seeded with
 * (@p seed, i): the same every time it is drawn, on every machine. (window,) samples
 * and targets, split length - window samples; the split's tokens are copied. Shuffling,
 * splitting, normalising and augmenting it is ::NNL_E_UNSUPPORTED.
 * @param out       receives the data set (caller owns it; free with nnl_dataset_free()).
 * @param text      the text (borrowed for the call); its tokenizer must have the special
 *                  tokens (::NNL_TEXT_SPECIAL_TOKENS) and at least one code point.
 * @param split     which split.
 * @param window    tokens per sample, 1 .. the split's length - 1 (and at most 2^20).
 * @param mask_rate share of the non-special positions chosen, (0, 1]; BERT's is 0.15.
 * @param seed      seed of the masking.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a tokenizer without special tokens, an
 *         unknown split or values out of range; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_dataset_masked_lm(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split,
                                         int64_t window, float mask_rate, uint64_t seed);

/**
 * @brief Masked-language-model windows framed as a classifier's input: `[CLS]`, text, `[SEP]`.
 *
 * As nnl_dataset_masked_lm(), except that sample i is `[CLS]`, the @p window - 2 tokens
 * starting at token i of the split, `[SEP]`: the frame nnl_dataset_load_tsv() puts
 * around each line, as BERT's pretraining sequences have it. An encoder pretrained on
 * these windows has trained the positions that fine-tuning reads (the classifier's
 * `[CLS]`, the `[SEP]` after the text); on the plain windows `[CLS]` never occurs. The
 * frame's two positions are special, so they are never chosen: round(@p mask_rate x
 * n) of the n non-special positions are. Still split length - @p window samples.
 * @param out       receives the data set (caller owns it; free with nnl_dataset_free()).
 * @param text      the text (borrowed for the call); its tokenizer must have the special
 *                  tokens (::NNL_TEXT_SPECIAL_TOKENS) and at least one code point.
 * @param split     which split.
 * @param window    tokens per sample with the frame, 3 .. the split's length - 1 (and at
 *                  most 2^20).
 * @param mask_rate share of the non-special positions chosen, (0, 1]; BERT's is 0.15.
 * @param seed      seed of the masking.
 * @return as nnl_dataset_masked_lm(); ::NNL_E_INVALID_ARG also for @p window below 3.
 */
NNL_API nnl_status nnl_dataset_masked_lm_framed(nnl_dataset **out, const nnl_text_dataset *text,
                                                nnl_text_split split, int64_t window, float mask_rate,
                                                uint64_t seed);

/**
 * @brief Load a text-classification data set from a tsv file, e.g. to fine-tune an encoder.
 *
 * Each line is `label<TAB>text` in UTF-8: the label a name (1 to 255 bytes), the text
 * with `\n`, `\t` and `\\` standing for a line break, a tab and a backslash (a
 * trailing `\r` is dropped). Sample i is line i as @p max_tokens token ids stored as
 * floats: `[CLS]`, the ids of the text's first @p max_tokens - 2 characters, `[SEP]`,
 * then `[PAD]` up to @p max_tokens; its target is the label's class id (a scalar).
 * Classes are the labels in order of first appearance, named (nnl_dataset_class_name()),
 * or those of @p labels_from, so that a test set numbers its classes as its training set.
 * @param out         receives the data set (caller owns it; free with nnl_dataset_free()).
 * @param path        the file.
 * @param tokenizer   a tokenizer with the special tokens (::NNL_TEXT_SPECIAL_TOKENS), borrowed
 *                    for the call.
 * @param max_tokens  ids per sample, 3 .. 2^20.
 * @param labels_from a data set loaded by this function whose classes to use, or NULL.
 * @return ::NNL_E_IO (with the path) when the file cannot be read; ::NNL_E_FORMAT naming
 *         the path and the line number for an empty file or a malformed line (no tab, an
 *         empty label or text, a second tab, an unknown escape, invalid UTF-8, a label that
 *         @p labels_from does not have, more than 4096 labels); ::NNL_E_INVALID_ARG for NULL
 *         pointers, a tokenizer without special tokens, @p max_tokens out of range or a
 *         @p labels_from without class names; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_dataset_load_tsv(nnl_dataset **out, const char *path, const nnl_tokenizer *tokenizer,
                                        int64_t max_tokens, const nnl_dataset *labels_from);

NNL_END_DECLS

#endif
/** @} */
