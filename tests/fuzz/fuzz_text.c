/* Fuzz target: the text corpus loader (nnl_text_dataset_load() reads the
 * file and calls nnl_text_dataset_parse(), as here). The first byte picks the
 * flags and whether a fixed vocabulary is given; the rest is the file. A
 * loaded corpus must split into two non-empty parts whose sampled windows
 * hold ids of its vocabulary. */
#include <stdlib.h>

#include "data/text.h"
#include "fuzz_targets.h"

static const char vocabulary_text[] = "abcdefghijklmnopqrstuvwxyz \n，。的一是不了人我在有他这中";

static void check_windows(nnl_text_dataset *d, nnl_text_split split, int64_t vocab)
{
    int64_t length = nnl_text_dataset_length(d, split);
    if (length < 1)
        abort();
    if (length < 2)
        return; /* no window of one step fits */
    int64_t block = length - 1 < 8 ? length - 1 : 8;
    int32_t tokens[3 * 9];
    if (nnl_text_dataset_sample(d, split, 3, block, tokens) != NNL_OK)
        abort();
    for (int64_t i = 0; i < 3 * (block + 1); i++)
        if (tokens[i] < 0 || tokens[i] >= vocab)
            abort();
}

int fuzz_text(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int flags = data[0] & (NNL_TEXT_REPLACE_INVALID | NNL_TEXT_STRIP_ANSI);
    nnl_tokenizer *vocab = NULL;
    if ((data[0] & 4) && nnl_tokenizer_create(&vocab, vocabulary_text, sizeof vocabulary_text - 1, 0) != NNL_OK)
        abort();
    nnl_text_dataset *d = NULL;
    int s = nnl_text_dataset_parse(&d, (const char *)data + 1, size - 1, vocab, flags, data[0], "fuzz corpus");
    if (s != NNL_OK) {
        fuzz_check_failure(s);
    } else {
        int64_t v = nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(d));
        if (v < 1 || (vocab && v != nnl_tokenizer_vocab_size(vocab)))
            abort();
        check_windows(d, NNL_SPLIT_TRAIN, v);
        check_windows(d, NNL_SPLIT_VALIDATION, v);
    }
    nnl_text_dataset_free(d);
    nnl_tokenizer_free(vocab);
    return 0;
}
