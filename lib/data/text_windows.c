/* Windows of a text as an nnl_dataset, so that a language model trains
 * through the same fit as an image classifier.
 *
 *   sample i  x = tokens[i .. i + T)        (T token ids, as floats)
 *             y = tokens[i + 1 .. i + T]    (the next token at every position)
 *   samples   length - T of a split of `length` tokens
 *
 * The split's tokens are copied (4 bytes a token), not the windows (which
 * would take 4 T bytes a token). */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/text.h"

nnl_status nnl_dataset_from_text(nnl_dataset **out, const nnl_text_dataset *text, nnl_text_split split,
                                 int64_t window)
{
    static const char who[] = "nnl_dataset_from_text";
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, text);
    if ((unsigned)split > NNL_SPLIT_VALIDATION)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown split %d", who, (int)split);
    int64_t length;
    const int32_t *tokens = nnl_text_dataset_split_tokens(text, split, &length);
    if (window < 1 || window >= length || window > (1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "%s: window=%lld, need 1 <= window < %lld (the split's tokens)", who,
                         (long long)window, (long long)length);
    nnl_dataset *ds = nnl_alloc_zeroed(sizeof *ds);
    int32_t *copy = nnl_alloc(sizeof(int32_t) * (size_t)length);
    if (!ds || !copy) {
        nnl_dealloc(ds);
        nnl_dealloc(copy);
        return nnl_error(NNL_E_NOMEM, "%s: cannot copy %lld tokens", who, (long long)length);
    }
    memcpy(copy, tokens, sizeof(int32_t) * (size_t)length);
    ds->tokens = copy;
    ds->count = length - window;
    ds->x_ndim = ds->y_ndim = 1;
    ds->x_dims[0] = ds->y_dims[0] = window;
    ds->x_size = ds->y_size = window;
    *out = ds;
    return NNL_OK;
}

void nnl_text_windows_fill(const nnl_dataset *ds, const int64_t *indices, int64_t count, float *x, float *y)
{
    if (ds->mask_rate > 0.0f) {
        nnl_masked_windows_fill(ds, indices, count, x, y);
        return;
    }
    const int64_t T = ds->x_size;
    for (int64_t k = 0; k < count; k++) {
        const int32_t *w = ds->tokens + indices[k];
        for (int64_t t = 0; t < T; t++)
            x[k * T + t] = (float)w[t];
        if (y)
            for (int64_t t = 0; t < T; t++)
                y[k * T + t] = (float)w[t + 1];
    }
}
