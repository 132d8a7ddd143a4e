/* Batch normalisation over the last (channel) dimension.
 *
 *   x {B, ..., C}: rows = B * prod(leading dims), statistics per channel.
 *   training:  y = gamma * (x - mean_b) / sqrt(var_b + eps) + beta, and the
 *              running statistics move towards the batch's (unbiased variance,
 *              as PyTorch);
 *   inference: the running statistics replace the batch's.
 * Scratch holds x-hat {rows, C}, then inv_std {C}, then mean {C}. */
#include <math.h>

#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

enum { GAMMA, BETA, MOVING_MEAN, MOVING_VAR };

typedef struct bn_config {
    float momentum, epsilon;
} bn_config;

static nnl_status bn_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    int64_t c = l->in_dims[l->in_ndim - 1];
    nnl_layer_keep_shape(l);
    NNL_TRY(nnl_layer_add_param(l, "gamma", 1, &c, 1, 0));
    NNL_TRY(nnl_layer_add_param(l, "beta", 1, &c, 1, 0));
    NNL_TRY(nnl_layer_add_param(l, "moving_mean", 1, &c, 0, 0));
    NNL_TRY(nnl_layer_add_param(l, "moving_variance", 1, &c, 0, 0));
    nnl_tensor_fill(l->params[GAMMA].value, 1.0f);
    nnl_tensor_fill(l->params[MOVING_VAR].value, 1.0f);
    return NNL_OK;
}

/* Mean and biased variance of channel j, in double. */
static void channel_statistics(int64_t rows, int64_t c, int64_t j, const float *x, double *mean, double *var)
{
    double sum = 0, sq = 0;
    for (int64_t r = 0; r < rows; r++)
        sum += x[r * c + j];
    *mean = sum / (double)rows;
    for (int64_t r = 0; r < rows; r++) {
        double d = x[r * c + j] - *mean;
        sq += d * d;
    }
    *var = sq / (double)rows;
}

static void normalise(const nnl_layer *l, int64_t rows, int64_t c, const float *x, const float *mean,
                      const float *inv_std, float *xhat, float *y)
{
    const float *gamma = l->params[GAMMA].value->data, *beta = l->params[BETA].value->data;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < c; j++) {
            float h = (x[r * c + j] - mean[j]) * inv_std[j];
            xhat[r * c + j] = h;
            y[r * c + j] = gamma[j] * h + beta[j];
        }
}

static nnl_status bn_forward(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                             const nnl_forward_ctx *ctx)
{
    int64_t c = l->in_dims[l->in_ndim - 1], rows = x->size / c;
    float *moving_mean = l->params[MOVING_MEAN].value->data, *moving_var = l->params[MOVING_VAR].value->data;
    int64_t scratch_dims[1] = {x->size + 2 * c};
    NNL_TRY(nnl_tensor_ensure(&buf->scratch, 1, scratch_dims, "batchnorm"));
    float *xhat = buf->scratch->data, *inv_std = xhat + x->size, *mean = inv_std + c;
    const bn_config *cfg = l->state;
    float eps = cfg->epsilon, m = cfg->momentum;
    int batch_stats = ctx->training && rows > 1;
    for (int64_t j = 0; j < c; j++) {
        if (!batch_stats) {
            mean[j] = moving_mean[j];
            inv_std[j] = 1.0f / sqrtf(moving_var[j] + eps);
            continue;
        }
        double bmean, bvar;
        channel_statistics(rows, c, j, x->data, &bmean, &bvar);
        mean[j] = (float)bmean;
        inv_std[j] = (float)(1.0 / sqrt(bvar + eps));
        /* running statistics are layer state: training is single-threaded by contract */
        moving_mean[j] = m * moving_mean[j] + (1 - m) * (float)bmean;
        moving_var[j] = m * moving_var[j] + (1 - m) * (float)(bvar * (double)rows / (double)(rows - 1));
    }
    normalise(l, rows, c, x->data, mean, inv_std, xhat, buf->out->data);
    return NNL_OK;
}

/* dgamma += sum(dy * xhat); dbeta += sum(dy);
 * with batch statistics (they depend on x):
 *   dx = gamma * inv_std / N * (N * dy - sum(dy) - xhat * sum(dy * xhat));
 * with the running ones (an inference forward, as saliency differentiates,
 * or a training batch of one row), constants: dx = gamma * inv_std * dy. */
static nnl_status bn_backward(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                              int need_dx)
{
    int64_t c = l->in_dims[l->in_ndim - 1], rows = x->size / c;
    const float *xhat = buf->scratch->data, *inv_std = xhat + x->size;
    const float *gamma = l->params[GAMMA].value->data;
    float *dgamma = l->params[GAMMA].grad->data, *dbeta = l->params[BETA].grad->data;
    const int batch_stats = buf->training && rows > 1; /* as bn_forward decided */
    for (int64_t j = 0; j < c; j++) {
        double sum_dy = 0, sum_dy_xhat = 0;
        for (int64_t r = 0; r < rows; r++) {
            sum_dy += dy->data[r * c + j];
            sum_dy_xhat += (double)dy->data[r * c + j] * xhat[r * c + j];
        }
        dgamma[j] += (float)sum_dy_xhat;
        dbeta[j] += (float)sum_dy;
        if (!need_dx)
            continue;
        if (!batch_stats) {
            for (int64_t r = 0; r < rows; r++)
                buf->dx->data[r * c + j] = gamma[j] * inv_std[j] * dy->data[r * c + j];
            continue;
        }
        double n = (double)rows, scale = gamma[j] * inv_std[j] / n;
        for (int64_t r = 0; r < rows; r++) {
            size_t i = (size_t)(r * c + j);
            buf->dx->data[i] = (float)(scale * (n * dy->data[i] - sum_dy - xhat[i] * sum_dy_xhat));
        }
    }
    return NNL_OK;
}

static void bn_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    const bn_config *c = l->state;
    nnl_strbuf_printf(json, ",\"momentum\":%.9g,\"epsilon\":%.9g", (double)c->momentum, (double)c->epsilon);
}

static nnl_status bn_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    float momentum = nnl_config_read_float(r, "momentum"), eps = nnl_config_read_float(r, "epsilon");
    return r->status != NNL_OK ? r->status : nnl_layer_batchnorm(out, momentum, eps);
}

const nnl_layer_ops nnl_layer_ops_batchnorm = {
    .type = "batchnorm", .from_config = bn_from_config, .build = bn_build, .forward = bn_forward,
    .backward = bn_backward, .write_config = bn_write_config, .state_size = sizeof(bn_config)};

nnl_status nnl_layer_batchnorm(nnl_layer **out, float momentum, float epsilon)
{
    if (!(momentum >= 0.0f && momentum < 1.0f) || !(epsilon > 0.0f) || !isfinite(epsilon))
        return nnl_error(NNL_E_INVALID_ARG, "nnl_layer_batchnorm: momentum=%g epsilon=%g, expected [0,1) and > 0",
                         (double)momentum, (double)epsilon);
    NNL_TRY(nnl_layer_new(out, &nnl_layer_ops_batchnorm, "nnl_layer_batchnorm"));
    bn_config *c = (*out)->state;
    c->momentum = momentum;
    c->epsilon = epsilon;
    return NNL_OK;
}
