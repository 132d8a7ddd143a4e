/* One position of a sequence: x {B, T, C} -> y {B, C} = x[:, p, :]; with
 * p = 0 the [CLS] position a sequence classifier reads (BERT's pooling).
 * Backward: dx is dy at position p and 0 elsewhere. T is x's time axis:
 * the built length, or p + 1 .. of a batch trimmed to its longest sequence,
 * whose time axis ends here (NNL_LAYER_ENDS_TIME). */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

typedef struct select_config {
    int64_t position;
} select_config;

static int64_t position_of(const nnl_layer *l) { return ((const select_config *)l->state)->position; }

/* A trimmed batch keeps positions 0 .. p. */
static int64_t select_positions_read(const nnl_layer *l) { return position_of(l) + 1; }

static nnl_status select_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    if (l->in_ndim != 2)
        return nnl_error(NNL_E_SHAPE, "select_position: input must be (T, C) per sample, got %d dims", l->in_ndim);
    if (position_of(l) >= l->in_dims[0])
        return nnl_error(NNL_E_SHAPE, "select_position: position %lld of a sequence of %lld",
                         (long long)position_of(l), (long long)l->in_dims[0]);
    l->out_ndim = 1;
    l->out_dims[0] = l->in_dims[1];
    return NNL_OK;
}

/* x {B, T, C} -> y {B, C} */
static nnl_status select_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                                 const nnl_forward_ctx *ctx)
{
    (void)ctx;
    const int64_t B = x->dims[0], T = x->dims[1], C = l->in_dims[1], p = position_of(l);
    for (int64_t b = 0; b < B; b++)
        memcpy(buf->out->data + b * C, x->data + (b * T + p) * C, sizeof(float) * (size_t)C);
    return NNL_OK;
}

/* dy {B, C} -> dx {B, T, C} */
static nnl_status select_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                  int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    const int64_t B = x->dims[0], T = x->dims[1], C = l->in_dims[1], p = position_of(l);
    memset(buf->dx->data, 0, sizeof(float) * (size_t)x->size);
    for (int64_t b = 0; b < B; b++)
        memcpy(buf->dx->data + (b * T + p) * C, dy->data + b * C, sizeof(float) * (size_t)C);
    return NNL_OK;
}

static void select_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, ",\"position\":%lld", (long long)position_of(l));
}

static nnl_status select_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t position = nnl_config_read_int(r, "position", 0);
    return r->status != NNL_OK ? r->status : nnl_layer_select_position(out, position);
}

const nnl_layer_ops nnl_layer_ops_select_position = {
    .type = "select_position", .from_config = select_from_config, .build = select_build,
    .forward = select_forward, .backward = select_backward, .write_config = select_write_config,
    .state_size = sizeof(select_config), .flags = NNL_LAYER_ENDS_TIME, .positions_read = select_positions_read};

nnl_status nnl_layer_select_position(nnl_layer **out, int64_t position)
{
    NNL_CHECK_PTR("nnl_layer_select_position", out);
    *out = NULL;
    if (position < 0 || position >= ((int64_t)1 << 20))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_select_position: position=%lld, expected 0..2^20 - 1",
                         (long long)position);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_select_position, "nnl_layer_select_position"));
    ((select_config *)(*out)->state)->position = position;
    return NNL_OK;
}
