/* Max and average pooling layers, NHWC.
 *
 *   x {B, H, W, C}  ->  y {B, OH, OW, C}
 *
 * Max pooling keeps the flat input index of each maximum (int32, in the
 * scratch tensor's storage) for the backward pass. */
#include <string.h>

#include "core/error.h"
#include "kernels/kernels.h"
#include "nn/layer.h"
#include "nn/layer_config.h"
#include "nn/layers/pool.h"
#include "nn/window.h"

typedef struct pool_config {
    nnl_window window;
} pool_config;

extern const nnl_layer_ops nnl_layer_ops_maxpool2d, nnl_layer_ops_avgpool2d;

static nnl_status pool_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    nnl_conv_shape s;
    NNL_TRY(nnl_window_shape(l, &((const pool_config *)l->state)->window, l->in_dims[2], &s));
    l->out_ndim = 3;
    l->out_dims[0] = s.out_h;
    l->out_dims[1] = s.out_w;
    l->out_dims[2] = s.out_c;
    return NNL_OK;
}

static nnl_conv_shape batch_shape(const nnl_layer *l, int64_t batch)
{
    nnl_conv_shape s;
    nnl_window_shape(l, &((const pool_config *)l->state)->window, l->in_dims[2], &s); /* validated at build */
    s.batch = batch;
    return s;
}

static int is_max(const nnl_layer *l) { return l->ops == &nnl_layer_ops_maxpool2d; }

int nnl_maxpool_shape(const nnl_layer *l, int64_t batch, nnl_conv_shape *s)
{
    if (!is_max(l))
        return 0;
    *s = batch_shape(l, batch);
    return 1;
}

static nnl_status pool_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                               const nnl_forward_ctx *ctx)
{
    (void)ctx;
    const nnl_kernels *k = nnl_kernels_active();
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    if (!is_max(l)) {
        k->avgpool_forward(&s, x->data, buf->out->data);
        return NNL_OK;
    }
    /* int32 argmax stored in a float tensor of the output's size (same width) */
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, buf->out->ndim, buf->out->dims, "maxpool2d"));
    k->maxpool_forward(&s, x->data, buf->out->data, (int32_t *)(void *)buf->scratch->data);
    return NNL_OK;
}

static nnl_status pool_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                                int need_dx)
{
    if (!need_dx)
        return NNL_OK;
    const nnl_kernels *k = nnl_kernels_active();
    nnl_conv_shape s = batch_shape(l, x->dims[0]);
    if (is_max(l))
        k->maxpool_backward(&s, dy->data, (const int32_t *)(const void *)buf->scratch->data, buf->dx->data);
    else
        k->avgpool_backward(&s, dy->data, buf->dx->data);
    return NNL_OK;
}

static void pool_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_window_write_config(&((const pool_config *)l->state)->window, "pool", json);
}

/* Both types read the same members; the reader's type says which. */
static nnl_status pool_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    int64_t ph = nnl_config_read_pair(r, "pool", 0), pw = nnl_config_read_pair(r, "pool", 1);
    int64_t stride = nnl_config_read_int(r, "stride", 0);
    if (r->status != NNL_OK)
        return r->status;
    return strcmp(r->type, "maxpool2d") == 0 ? nnl_layer_maxpool2d(out, ph, pw, stride)
                                             : nnl_layer_avgpool2d(out, ph, pw, stride);
}

const nnl_layer_ops nnl_layer_ops_maxpool2d = {
    .type = "maxpool2d", .from_config = pool_from_config, .build = pool_build, .forward = pool_forward,
    .backward = pool_backward, .write_config = pool_write_config, .state_size = sizeof(pool_config)};
const nnl_layer_ops nnl_layer_ops_avgpool2d = {
    .type = "avgpool2d", .from_config = pool_from_config, .build = pool_build, .forward = pool_forward,
    .backward = pool_backward, .write_config = pool_write_config, .state_size = sizeof(pool_config)};

static nnl_status make_pool(nnl_layer **out, const nnl_layer_ops *ops, const char *who, int64_t pool_h,
                            int64_t pool_w, int64_t stride)
{
    if (pool_h < 1 || pool_h > 1024 || pool_w < 1 || pool_w > 1024 || stride < 0 || stride > 1024)
        return nnl_error(NNL_E_INVALID_ARG, "%s: pool=%lldx%lld stride=%lld out of range", who, (long long)pool_h,
                         (long long)pool_w, (long long)stride);
    NNL_TRY(nnl_layer_new(out, ops, who));
    ((pool_config *)(*out)->state)->window = (nnl_window){pool_h, pool_w, stride ? stride : pool_h, NNL_PAD_VALID};
    return NNL_OK;
}

nnl_status nnl_layer_maxpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride)
{
    return make_pool(out, &nnl_layer_ops_maxpool2d, "nnl_layer_maxpool2d", pool_h, pool_w, stride);
}

nnl_status nnl_layer_avgpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride)
{
    return make_pool(out, &nnl_layer_ops_avgpool2d, "nnl_layer_avgpool2d", pool_h, pool_w, stride);
}
