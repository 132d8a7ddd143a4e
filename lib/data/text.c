/* Text data sets: a UTF-8 file as one token sequence, split 90/10, sampled as
 * random windows of block_size + 1 tokens. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/text.h"

/* Fewer tokens than this cannot give both splits a window of one step. */
enum { MIN_TOKENS = 20 };

struct nnl_text_dataset {
    nnl_tokenizer *tokenizer;
    int32_t *tokens;      /* the whole text */
    int64_t length;
    int64_t train_length; /* tokens[0, train_length) train, the rest validation */
    nnl_rng rng;
};

const int32_t *nnl_text_dataset_split_tokens(const nnl_text_dataset *ds, nnl_text_split split, int64_t *length)
{
    *length = nnl_text_dataset_length(ds, split);
    return ds->tokens + (split == NNL_SPLIT_TRAIN ? 0 : ds->train_length);
}

nnl_status nnl_text_dataset_parse(nnl_text_dataset **out, const char *bytes, size_t size,
                                  const nnl_tokenizer *tokenizer, int flags, uint64_t seed,
                                  const char *label)
{
    *out = NULL;
    uint32_t *cps;
    int64_t n;
    NNL_TRY(nnl_utf8_decode_all(bytes, size, flags, label, &cps, &n));
    if (n < MIN_TOKENS) {
        nnl_dealloc(cps);
        return nnl_error(NNL_E_INVALID_ARG, "%s: %lld characters, need at least %d to split",
                         label, (long long)n, MIN_TOKENS);
    }
    nnl_text_dataset *d = nnl_alloc_zeroed(sizeof *d);
    nnl_status st = d ? NNL_OK : nnl_error(NNL_E_NOMEM, "%s: cannot allocate a data set", label);
    if (st == NNL_OK)
        st = tokenizer ? nnl_tokenizer_clone(&d->tokenizer, tokenizer)
                       : nnl_tokenizer_from_codepoints(&d->tokenizer, cps, n, flags, label);
    if (st == NNL_OK && !(d->tokens = nnl_alloc((size_t)n * sizeof(int32_t))))
        st = nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld tokens", label, (long long)n);
    if (st == NNL_OK) {
        for (int64_t i = 0; i < n; i++)
            d->tokens[i] = nnl_tokenizer_lookup(d->tokenizer, cps[i]);
        d->length = n;
        d->train_length = n * 9 / 10;
        nnl_rng_seed(&d->rng, seed, 0);
        *out = d;
    } else {
        nnl_text_dataset_free(d);
    }
    nnl_dealloc(cps);
    return st;
}

nnl_status nnl_read_whole_file(const char *path, const char *who, char **bytes, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nnl_error(NNL_E_IO, "%s: cannot open '%s': %s", who, path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) { /* a directory "opens" but has no size */
        fclose(f);
        return nnl_error(NNL_E_IO, "%s: '%s' is not a regular file", who, path);
    }
    long end = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        end = ftell(f);
    if (end < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return nnl_error(NNL_E_IO, "%s: cannot size '%s'", who, path);
    }
    char *buf = nnl_alloc((size_t)end + 1);
    if (!buf) {
        fclose(f);
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %ld bytes for '%s'", who, end, path);
    }
    size_t got = fread(buf, 1, (size_t)end, f);
    int failed = ferror(f) || got != (size_t)end;
    fclose(f);
    if (failed) {
        nnl_dealloc(buf);
        return nnl_error(NNL_E_IO, "%s: cannot read '%s'", who, path);
    }
    *bytes = buf;
    *size = got;
    return NNL_OK;
}

nnl_status nnl_text_dataset_load(nnl_text_dataset **out, const char *path,
                                 const nnl_tokenizer *tokenizer, int flags, uint64_t seed)
{
    static const char who[] = "nnl_text_dataset_load";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, path);
    if (flags & ~NNL_TEXT_ALL_FLAGS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown flags 0x%x", who, (unsigned)flags);
    char *bytes = NULL;
    size_t size = 0;
    NNL_TRY(nnl_read_whole_file(path, who, &bytes, &size));
    char label[320];
    snprintf(label, sizeof label, "%s: '%s'", who, path);
    nnl_status st = nnl_text_dataset_parse(out, bytes, size, tokenizer, flags, seed, label);
    nnl_dealloc(bytes);
    return st;
}

void nnl_text_dataset_free(nnl_text_dataset *dataset)
{
    if (!dataset)
        return;
    nnl_tokenizer_free(dataset->tokenizer);
    nnl_dealloc(dataset->tokens);
    nnl_dealloc(dataset);
}

const nnl_tokenizer *nnl_text_dataset_tokenizer(const nnl_text_dataset *dataset)
{
    return dataset ? dataset->tokenizer : NULL;
}

int64_t nnl_text_dataset_length(const nnl_text_dataset *dataset, nnl_text_split split)
{
    if (!dataset)
        return -1;
    switch (split) {
    case NNL_SPLIT_TRAIN: return dataset->train_length;
    case NNL_SPLIT_VALIDATION: return dataset->length - dataset->train_length;
    }
    return -1;
}

void nnl_text_dataset_draw(const nnl_text_dataset *dataset, nnl_text_split split, int64_t batch,
                           int64_t block_size, nnl_rng *rng, int32_t *tokens)
{
    const int32_t *base = dataset->tokens + (split == NNL_SPLIT_TRAIN ? 0 : dataset->train_length);
    int64_t starts = nnl_text_dataset_length(dataset, split) - block_size;
    for (int64_t b = 0; b < batch; b++) {
        int64_t start = (int64_t)nnl_rng_below(rng, (uint32_t)starts);
        memcpy(tokens + b * (block_size + 1), base + start, (size_t)(block_size + 1) * sizeof(int32_t));
    }
}

nnl_status nnl_text_dataset_sample(nnl_text_dataset *dataset, nnl_text_split split, int64_t batch,
                                   int64_t block_size, int32_t *tokens)
{
    static const char who[] = "nnl_text_dataset_sample";
    NNL_CHECK_PTR(who, dataset);
    NNL_CHECK_PTR(who, tokens);
    int64_t length = nnl_text_dataset_length(dataset, split);
    if (length < 0)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown split %d", who, (int)split);
    if (batch < 1 || block_size < 1 || block_size >= length)
        return nnl_error(NNL_E_INVALID_ARG,
                         "%s: batch=%lld block_size=%lld, need batch >= 1 and 1 <= block_size < %lld",
                         who, (long long)batch, (long long)block_size, (long long)length);
    nnl_text_dataset_draw(dataset, split, batch, block_size, &dataset->rng, tokens);
    return NNL_OK;
}
