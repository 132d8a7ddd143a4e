/* Masked-language-model windows of a text (BERT's pretraining data), an
 * nnl_dataset like the next-token windows of text_windows.c:
 *
 *   sample i  x = tokens[i .. i + T) with about rate * T positions chosen:
 *                 80% of them [MASK], 10% a random non-special token,
 *                 10% left as they are
 *             y = the original token at chosen positions,
 *                 NNL_LOSS_IGNORE_INDEX (-100) elsewhere
 *   framed    the same with x = [CLS] tokens[i .. i + T - 2) [SEP]: the
 *             frame a classifier's input has (nnl_dataset_load_tsv), so
 *             the positions fine-tuning reads are ones pretraining trained
 *
 * Positions holding a special token (ids below the tokenizer's first code
 * point, [UNK] included) are never chosen. A window's choice comes from a
 * generator seeded with (seed, i): the same window is masked the same way
 * every time it is drawn, on any machine, so evaluation on held-out windows
 * is reproducible and training runs repeat (BERT's static masking). */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "data/dataset.h"
#include "data/text.h"

#define IGNORE_TARGET (-100.0f) /* NNL_LOSS_IGNORE_INDEX, which nnlite/model.h (nn) defines */

enum { MAX_WINDOW = 1 << 20 };

/* Token t of a window whose text starts at w: the text itself, or framed
 * by [CLS] and [SEP]. */
static inline int32_t window_token(const nnl_dataset *ds, const int32_t *w, int64_t t)
{
    if (!ds->mask_framed)
        return w[t];
    return t == 0 ? NNL_TOKEN_CLS : t == ds->x_size - 1 ? NNL_TOKEN_SEP : w[t - 1];
}

/* Chooses exactly round(rate * n) of the window's n non-special positions
 * (at least one), each with the same chance: selection sampling (Knuth's
 * algorithm S) takes position t with probability needed / left, in one pass
 * and without a buffer, so filling a batch stays allocation-free and a const
 * data set can be read from several threads. Writes x and (unless NULL) y. */
static void mask_window(const nnl_dataset *ds, int64_t index, float *x, float *y)
{
    const int64_t T = ds->x_size;
    const int32_t *w = ds->tokens + index;
    int64_t left = 0;
    for (int64_t t = 0; t < T; t++)
        left += window_token(ds, w, t) >= ds->mask_first;
    int64_t needed = (int64_t)lroundf(ds->mask_rate * (float)left);
    if (needed < 1 && left > 0)
        needed = 1; /* every window teaches something */
    nnl_rng rng;
    nnl_rng_seed(&rng, ds->mask_seed, (uint64_t)index);
    const uint32_t specials = (uint32_t)ds->mask_first, chars = (uint32_t)(ds->mask_vocab - ds->mask_first);
    for (int64_t t = 0; t < T; t++) {
        const int32_t token = window_token(ds, w, t);
        x[t] = (float)token;
        if (y)
            y[t] = IGNORE_TARGET;
        if (token < ds->mask_first)
            continue;
        if ((int64_t)nnl_rng_below(&rng, (uint32_t)left--) >= needed)
            continue;
        needed--;
        if (y)
            y[t] = (float)token;
        float u = nnl_rng_uniform(&rng);
        if (u < 0.8f)
            x[t] = (float)NNL_TOKEN_MASK;
        else if (u < 0.9f)
            x[t] = (float)(specials + nnl_rng_below(&rng, chars));
    }
}

void nnl_masked_windows_fill(const nnl_dataset *ds, const int64_t *indices, int64_t count, float *x, float *y)
{
    const int64_t T = ds->x_size;
    for (int64_t k = 0; k < count; k++)
        mask_window(ds, indices[k], x + k * T, y ? y + k * T : NULL);
}

static nnl_status masked_lm(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split, int64_t window,
                            float mask_rate, uint64_t seed, int framed, const char *who)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, text);
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(text);
    if (nnl_tokenizer_num_special(tok) <= NNL_TOKEN_MASK)
        return nnl_error(NNL_E_INVALID_ARG, "%s: the text's tokenizer has no special tokens (NNL_TEXT_SPECIAL_TOKENS)",
                         who);
    if (nnl_tokenizer_vocab_size(tok) <= NNL_TOKEN_MASK + 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: the vocabulary has no character to mask", who);
    if (!(mask_rate > 0.0f && mask_rate <= 1.0f))
        return nnl_error(NNL_E_INVALID_ARG, "%s: mask_rate=%g, expected (0, 1]", who, (double)mask_rate);
    if (window > MAX_WINDOW)
        return nnl_error(NNL_E_INVALID_ARG, "%s: window=%lld, at most %d", who, (long long)window, MAX_WINDOW);
    if (framed && window < 3)
        return nnl_error(NNL_E_INVALID_ARG, "%s: window=%lld, at least 3 ([CLS], a token, [SEP])", who,
                         (long long)window);
    NNL_TRY(nnl_error_in(nnl_dataset_from_text(out, text, split, window), who));
    nnl_dataset *ds = *out;
    ds->mask_rate = mask_rate;
    ds->mask_seed = seed;
    ds->mask_first = nnl_tokenizer_num_special(tok);
    ds->mask_vocab = (int32_t)nnl_tokenizer_vocab_size(tok);
    ds->mask_framed = framed;
    return NNL_OK;
}

nnl_status nnl_dataset_masked_lm(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split,
                                 int64_t window, float mask_rate, uint64_t seed)
{
    return masked_lm(out, text, split, window, mask_rate, seed, 0, "nnl_dataset_masked_lm");
}

nnl_status nnl_dataset_masked_lm_framed(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split,
                                        int64_t window, float mask_rate, uint64_t seed)
{
    return masked_lm(out, text, split, window, mask_rate, seed, 1, "nnl_dataset_masked_lm_framed");
}
