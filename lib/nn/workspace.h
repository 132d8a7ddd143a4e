/* Internal: batch buffers for a sequence of layers, and the sequence's
 * forward and backward passes (used by the model and the residual block). */
#ifndef NNL_NN_WORKSPACE_H
#define NNL_NN_WORKSPACE_H

#include "nn/layer.h"

struct nnl_workspace {
    int num_layers;
    nnl_layer_buffers *buffers;  /* one per layer */
    int64_t *lengths;            /* key padding of the batch (nnl_forward_ctx.lengths), grown as needed */
    int64_t lengths_capacity;
    nnl_tensor *trimmed;         /* the batch cut to its longest sequence (trim.c), grown as needed */
    const nnl_tensor *input;     /* what the last nnl_model_forward ran the layers on: its x or trimmed */
};

nnl_status nnl_workspace_create(nnl_workspace **out, int num_layers);
void nnl_workspace_free(nnl_workspace *ws);

/* Free one layer's buffers (and its inner workspace). */
void nnl_layer_buffers_release(nnl_layer_buffers *buf);

/* x {B, in...} through layers[0..n) -> *y (borrowed from ws). With
 * ctx->trim > 0, x and the outputs up to an NNL_LAYER_ENDS_TIME layer have
 * trim positions on their time axis (dimension 1). */
nnl_status nnl_sequence_forward(nnl_layer *const *layers, int n, nnl_workspace *ws, const nnl_tensor *x,
                                const nnl_forward_ctx *ctx, const nnl_tensor **y);

/* dy {B, out...} (overwritten) back through the layers; accumulates param
 * grads; when need_dx, *dx (borrowed from ws) is dL/dx of the first layer.
 * Each dL/dx has the shape of the input the forward gave that layer. */
nnl_status nnl_sequence_backward(nnl_layer *const *layers, int n, nnl_workspace *ws, const nnl_tensor *x,
                                 nnl_tensor *dy, int need_dx, nnl_tensor **dx);

#endif
