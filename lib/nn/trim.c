/* Trimming a padded batch to its longest sequence (BERT's fine-tuning runs
 * on batches "padded to the longest in the batch").
 *
 *   x {B, T} token ids, lengths (B)  ->  ws->trimmed {B, L},  L = the
 *   longest length in the batch (at least what the layer that ends the time
 *   axis reads), the first L positions of each row
 *
 * Positions L .. T - 1 are padding in every sample, and with the key
 * padding (padding.c) no real position reads them: a stack that can run on
 * fewer positions gives the same outputs and gradients on L as on T, for
 * the cost of L. The rule is per layer type (nn/layer.h): every layer from
 * the first up to one that ends the time axis (NNL_LAYER_ENDS_TIME:
 * select_position, a classifier's [CLS]) must be NNL_LAYER_TRIMMABLE, its
 * inner layers too. Other models run on T as before: one whose output keeps
 * the time axis (a masked LM, a GPT) gives T positions that the loss and
 * predict read, and any other layer (a CNN's) keeps its built shape. */
#include <string.h>

#include "nn/model.h"

/* Whether l, and every layer inside it, runs on the first L positions. */
static int trimmable(const nnl_layer *l)
{
    if (!(l->ops->flags & NNL_LAYER_TRIMMABLE))
        return 0;
    /* a row-wise layer (dense, layernorm) on (T,) would mix the positions;
     * token ids (the embedding) are read one by one */
    if (l->in_ndim < 2 && !(l->ops->flags & NNL_LAYER_DISCRETE_INPUT))
        return 0;
    for (int i = 0; i < l->num_children; i++)
        if (!trimmable(l->children[i]))
            return 0;
    return 1;
}

/* The fewest positions the model can run on, or 0 when it needs T. */
static int64_t shortest_time(const nnl_model *m)
{
    for (int i = 0; i < m->num_layers; i++) {
        const nnl_layer *l = m->layers[i];
        if (l->ops->flags & NNL_LAYER_ENDS_TIME)
            return l->ops->positions_read ? l->ops->positions_read(l) : 0;
        if (!trimmable(l))
            return 0;
    }
    return 0; /* the output keeps the time axis */
}

nnl_status nnl_model_trim_batch(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                                const int64_t *lengths, const nnl_tensor **input, int64_t *trim)
{
    *input = x;
    *trim = 0;
    int64_t L = shortest_time(m);
    if (L == 0)
        return NNL_OK;
    const int64_t B = x->dims[0], T = x->dims[1];
    for (int64_t b = 0; b < B; b++)
        if (lengths[b] > L)
            L = lengths[b];
    if (L >= T)
        return NNL_OK;
    /* sized for the whole batch once, so that no later batch allocates */
    const int64_t full[2] = {B, T}, dims[2] = {B, L};
    NNL_TRY(nnl_tensor_ensure(&ws->trimmed, 2, full, "key padding"));
    NNL_TRY(nnl_tensor_ensure(&ws->trimmed, 2, dims, "key padding"));
    for (int64_t b = 0; b < B; b++)
        memcpy(ws->trimmed->data + b * L, x->data + b * T, sizeof(float) * (size_t)L);
    *input = ws->trimmed;
    *trim = L;
    return NNL_OK;
}
