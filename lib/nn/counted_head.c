/* The position-wise head of a sequence model, run on the positions its loss
 * counts only.
 *
 * A masked language model is scored at about 15% of its positions, yet its
 * output layer, V logits a position and by far the widest layer, would run
 * on all of them. When the loss is softmax cross-entropy over a sequence
 * output (T, V), whose targets may carry the ignore index, and the model
 * ends in position-wise layers (layernorm, dense, tied_output ...: output
 * row t depends on input row t alone), fit and evaluate run that head on the
 * counted rows only:
 *
 *   body      layers[0 .. head)   x (B, T, ...)  ->  h (B, T, C)
 *   gather    the K rows r of h with targets[r] != ignore  ->  hk (K, 1, C)
 *   head      layers[head .. n)   hk  ->  yk (K, 1, V);  the loss on (yk, targets of those rows)
 *   backward  the head on (K, 1, .), its dx scattered into dh (B, T, C),
 *             zero at the ignored rows (as the full head gives), then the body
 *
 * The loss, its counts and every gradient are those of the full head, up to
 * the order of float sums; the head's work and buffers shrink from B T rows
 * to K. Used when at most half of a batch's rows count, so a GPT (every
 * position counts) runs as before. A dropout layer in the head draws its
 * masks for the counted rows only. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "nn/loss.h"
#include "nn/model.h"

int nnl_counted_head_start(const nnl_model *m)
{
    int head = m->num_layers;
    while (head > 1 && (m->layers[head - 1]->ops->flags & NNL_LAYER_POSITIONWISE))
        head--;
    return head;
}

int64_t nnl_counted_head_rows(const nnl_model *m, int64_t rows)
{
    if (m->loss != NNL_LOSS_SOFTMAX_CROSSENTROPY || rows <= m->batch_y->dims[0] ||
        nnl_counted_head_start(m) == m->num_layers)
        return -1;
    const float *targets = m->batch_y->data, ignore = (float)NNL_LOSS_IGNORE_INDEX;
    int64_t kept = 0;
    for (int64_t r = 0; r < rows; r++)
        kept += targets[r] != ignore;
    return kept >= 1 && 2 * kept <= rows ? kept : -1;
}

/* hk (K, 1, C) and their targets (K, 1) from h (rows, C) and m->batch_y. */
static nnl_status gather_rows(nnl_model *m, const nnl_tensor *h, int64_t rows, int64_t kept)
{
    const int64_t C = h->size / rows, x_dims[3] = {kept, 1, C}, y_dims[2] = {kept, 1};
    NNL_TRY(nnl_tensor_ensure(&m->head_x, 3, x_dims, "fit"));
    NNL_TRY(nnl_tensor_ensure(&m->head_y, 2, y_dims, "fit"));
    NNL_TRY(nnl_scratch_reserve((void **)&m->head_rows, &m->head_rows_capacity, kept, sizeof(int64_t), "fit"));
    const float *targets = m->batch_y->data, ignore = (float)NNL_LOSS_IGNORE_INDEX;
    int64_t k = 0;
    for (int64_t r = 0; r < rows; r++) {
        if (targets[r] == ignore)
            continue;
        memcpy(m->head_x->data + k * C, h->data + r * C, sizeof(float) * (size_t)C);
        m->head_y->data[k] = targets[r];
        m->head_rows[k++] = r;
    }
    return NNL_OK;
}

nnl_status nnl_counted_head_forward(nnl_model *m, const nnl_tensor *h, const nnl_forward_ctx *ctx,
                                    const nnl_tensor **y)
{
    const int head = nnl_counted_head_start(m);
    if (!m->head_ws)
        NNL_TRY(nnl_workspace_create(&m->head_ws, m->num_layers - head));
    NNL_TRY(gather_rows(m, h, h->dims[0] * h->dims[1], m->head_kept));
    /* each counted row is a sample of one position */
    const nnl_forward_ctx one_position = {.training = ctx->training, .rng = ctx->rng, .time = 1};
    return nnl_sequence_forward(m->layers + head, m->num_layers - head, m->head_ws, m->head_x, &one_position, y);
}

nnl_status nnl_counted_head_backward(nnl_model *m, const nnl_tensor *dyk, nnl_tensor **dh)
{
    const int head = nnl_counted_head_start(m);
    const nnl_layer_buffers *body_out = &m->train_ws->buffers[head - 1];
    nnl_tensor *dxk;
    NNL_TRY(nnl_sequence_backward(m->layers + head, m->num_layers - head, m->head_ws, m->head_x, (nnl_tensor *)dyk,
                                  1, &dxk));
    NNL_TRY(nnl_tensor_ensure(&m->head_dh, body_out->out->ndim, body_out->out->dims, "fit"));
    const int64_t C = m->head_x->dims[2], kept = m->head_x->dims[0];
    memset(m->head_dh->data, 0, sizeof(float) * (size_t)m->head_dh->size);
    for (int64_t k = 0; k < kept; k++)
        memcpy(m->head_dh->data + m->head_rows[k] * C, dxk->data + k * C, sizeof(float) * (size_t)C);
    *dh = m->head_dh;
    return NNL_OK;
}
