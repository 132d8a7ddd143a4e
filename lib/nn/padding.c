/* Key padding: a model's padding token, and the per-sample lengths it gives
 * the bidirectional attention layers (nnl_forward_ctx.lengths).
 *
 *   x {B, T}  token ids (floats)  ->  lengths (B): 1 + the last position
 *             whose id is not the padding token (at least 1, so that a
 *             sample of padding alone still has a key to attend to)
 *
 * One mechanism for every way a batch reaches the layers (fit, evaluate,
 * predict): the data set pads with the token, the model finds the padding
 * where the layers run. The lengths live in the workspace, which is per
 * thread, so predict stays safe from many threads. */
#include "core/alloc.h"
#include "core/error.h"
#include "nn/model.h"

enum { MAX_TOKEN = (1 << 24) - 1 }; /* ids are exact as floats up to 2^24 */

nnl_status nnl_model_set_padding_token(nnl_model *model, int32_t token)
{
    static const char who[] = "nnl_model_set_padding_token";
    NNL_CHECK_PTR(who, model);
    if (token < -1 || token > MAX_TOKEN)
        return nnl_error(NNL_E_INVALID_ARG, "%s: token=%d, expected -1 (none) or 0..%d", who, (int)token, MAX_TOKEN);
    if (token >= 0 && model->in_ndim != 1)
        return nnl_error(NNL_E_SHAPE, "%s: the model's samples have %d dims; padding needs token sequences (T)",
                         who, model->in_ndim);
    model->padding_token = token;
    model->has_padding = token >= 0;
    return NNL_OK;
}

int32_t nnl_model_padding_token(const nnl_model *model)
{
    return model && model->has_padding ? model->padding_token : -1;
}

nnl_status nnl_model_key_lengths(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                                 const int64_t **lengths)
{
    const int64_t B = x->dims[0], T = x->dims[1];
    NNL_TRY(nnl_scratch_reserve((void **)&ws->lengths, &ws->lengths_capacity, B, sizeof(int64_t), "key padding"));
    const float pad = (float)m->padding_token;
    for (int64_t b = 0; b < B; b++) {
        const float *ids = x->data + b * T;
        int64_t n = T;
        while (n > 1 && ids[n - 1] == pad)
            n--;
        ws->lengths[b] = n;
    }
    *lengths = ws->lengths;
    return NNL_OK;
}
