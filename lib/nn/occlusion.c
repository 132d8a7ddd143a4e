/* nnl_model_occlusion(): the drop of a class's output when square patches of
 * the image are hidden, averaged per pixel over the patches covering it.
 *
 *   x {H, W, rest...}   (rest = channels; hidden together)
 *   patch positions: rows 0, s, 2s, ... and H - p last (likewise columns),
 *   so that every pixel is covered: ny * nx positions
 *   batch {n, H, W, rest...}: n occluded copies per forward pass
 *   map {H, W} = sum over covering patches of (y0[c] - y_patch[c]) / count
 *
 * Inference only, with a workspace from the model's pool: thread-safe as
 * nnl_model_predict(). */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/options.h"
#include "nn/model.h"
#include "nnlite/saliency.h"

static const char who[] = "nnl_model_occlusion";

/* The image as occlusion sees it, and where the patches go. */
typedef struct occlusion_plan {
    int64_t height, width, pixel;  /* pixel: values per (row, column), e.g. channels */
    int64_t ny, nx;                /* patch positions per column and per row */
    int64_t out_size;              /* model outputs per sample */
    nnl_occlusion_options o;
} occlusion_plan;

/* Number of positions p, p + stride, ... that cover [0, n) with the last
 * one at n - patch. */
static int64_t positions(int64_t n, int64_t patch, int64_t stride)
{
    return (n - patch + stride - 1) / stride + 1;
}

static int64_t position(int64_t i, int64_t n, int64_t patch, int64_t stride)
{
    int64_t p = i * stride;
    return p < n - patch ? p : n - patch;
}

static nnl_status plan_occlusion(const nnl_model *m, const nnl_tensor *x, const nnl_tensor *map,
                                 const nnl_occlusion_options *options, occlusion_plan *plan)
{
    nnl_occlusion_options o = NNL_OCCLUSION_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_occlusion_options, NNL_OCCLUSION_OPTIONS_INIT, NNL_OCCLUSION_OPTIONS_MIN_SIZE,
                                 &o, options, who));
    if (m->in_ndim < 2)
        return nnl_error(NNL_E_SHAPE, "%s: the model's input has %d dimension(s); occlusion needs an image "
                         "(height, width, ...)", who, m->in_ndim);
    int64_t one;
    NNL_TRY(nnl_model_input_batch(m, x, 1, who, &one));
    int64_t h = m->in_dims[0], w = m->in_dims[1];
    if (map->size != h * w)
        return nnl_error(NNL_E_SHAPE, "%s: map has %lld elements, the image %lld x %lld", who,
                         (long long)map->size, (long long)h, (long long)w);
    int64_t side = h < w ? h : w;
    if (o.patch < 1 || o.patch > side || o.stride < 1 || o.stride > side || !isfinite(o.baseline) ||
        o.batch_size < 1 || o.batch_size > 4096)
        return nnl_error(NNL_E_INVALID_ARG, "%s: patch=%lld stride=%lld baseline=%g batch_size=%lld: need patch "
                         "and stride in 1..%lld (the image is %lld x %lld), a finite baseline and batch_size in "
                         "1..4096", who, (long long)o.patch, (long long)o.stride, (double)o.baseline,
                         (long long)o.batch_size, (long long)side, (long long)h, (long long)w);
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(m, &out_ndim, &out_dims);
    *plan = (occlusion_plan){h, w, x->size / (h * w), positions(h, o.patch, o.stride),
                             positions(w, o.patch, o.stride), nnl_dims_count(out_ndim, out_dims), o};
    return NNL_OK;
}

/* Copy k of the batch: x with patch number `index` set to the baseline. */
static void occlude(const occlusion_plan *p, const float *x, int64_t index, float *copy)
{
    const int64_t row_size = p->width * p->pixel, patch = p->o.patch;
    memcpy(copy, x, (size_t)(p->height * row_size) * sizeof(float));
    int64_t y0 = position(index / p->nx, p->height, patch, p->o.stride);
    int64_t x0 = position(index % p->nx, p->width, patch, p->o.stride);
    for (int64_t y = y0; y < y0 + patch; y++) {
        float *run = copy + y * row_size + x0 * p->pixel;
        for (int64_t i = 0; i < patch * p->pixel; i++)
            run[i] = p->o.baseline;
    }
}

/* Add `drop` to the sum of every pixel patch `index` covers, and count it. */
static void credit(const occlusion_plan *p, int64_t index, double drop, double *sum, int32_t *count)
{
    int64_t y0 = position(index / p->nx, p->height, p->o.patch, p->o.stride);
    int64_t x0 = position(index % p->nx, p->width, p->o.patch, p->o.stride);
    for (int64_t y = y0; y < y0 + p->o.patch; y++)
        for (int64_t x = x0; x < x0 + p->o.patch; x++) {
            sum[y * p->width + x] += drop;
            count[y * p->width + x]++;
        }
}

static nnl_status forward_batch(const nnl_model *m, nnl_workspace *ws, nnl_tensor *batch, int64_t n,
                                const nnl_tensor **y)
{
    nnl_tensor view = *batch;
    view.owns_data = 0;
    view.dims[0] = n;
    view.size = batch->size / batch->dims[0] * n;
    NNL_TRY(nnl_model_forward(m, ws, &view, &(const nnl_forward_ctx){.training = 0}, y));
    return nnl_model_check_outputs(m, *y, who);
}

/* The unoccluded output of the class (choosing it when asked), then every
 * patch position, batch_size at a time. */
static nnl_status run_occlusion(const nnl_model *m, nnl_workspace *ws, const occlusion_plan *p, const float *x,
                                int32_t class_index, nnl_tensor *batch, double *sum, int32_t *count)
{
    const nnl_tensor *y;
    memcpy(batch->data, x, (size_t)(batch->size / batch->dims[0]) * sizeof(float));
    NNL_TRY(forward_batch(m, ws, batch, 1, &y));
    int32_t c = class_index;
    if (c == NNL_SALIENCY_PREDICTED_CLASS) {
        c = 0;
        for (int64_t j = 1; j < p->out_size; j++)
            c = y->data[j] > y->data[c] ? (int32_t)j : c;
    }
    const double base = y->data[c];
    const int64_t total = p->ny * p->nx, in_size = batch->size / batch->dims[0];
    for (int64_t first = 0; first < total; first += p->o.batch_size) {
        int64_t n = total - first < p->o.batch_size ? total - first : p->o.batch_size;
        for (int64_t k = 0; k < n; k++)
            occlude(p, x, first + k, batch->data + k * in_size);
        NNL_TRY(forward_batch(m, ws, batch, n, &y));
        for (int64_t k = 0; k < n; k++)
            credit(p, first + k, base - y->data[k * p->out_size + c], sum, count);
    }
    return NNL_OK;
}

nnl_status nnl_model_occlusion(const nnl_model *model, const nnl_tensor *x, int32_t class_index,
                               const nnl_occlusion_options *options, nnl_tensor *map)
{
    NNL_CHECK_PTR(who, model);
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, map);
    occlusion_plan p = {0}; /* set by plan_occlusion (GCC cannot see it through NNL_TRY) */
    NNL_TRY(plan_occlusion(model, x, map, options, &p));
    if (class_index != NNL_SALIENCY_PREDICTED_CLASS && (class_index < 0 || class_index >= p.out_size))
        return nnl_error(NNL_E_INVALID_ARG, "%s: class_index=%d, expected 0..%lld or NNL_SALIENCY_PREDICTED_CLASS",
                         who, (int)class_index, (long long)p.out_size - 1);
    NNL_TRY(nnl_check_finite(x->data, x->size, who, "input"));
    const int64_t pixels = p.height * p.width, rows = p.ny * p.nx < p.o.batch_size ? p.ny * p.nx : p.o.batch_size;
    int64_t dims[NNL_MAX_DIMS];
    nnl_batch_shape(rows, model->in_ndim, model->in_dims, dims);
    double *sum = nnl_alloc_zeroed((size_t)pixels * sizeof *sum);
    int32_t *count = nnl_alloc_zeroed((size_t)pixels * sizeof *count);
    nnl_tensor *batch = NULL;
    nnl_workspace *ws = NULL;
    nnl_status s = sum && count ? nnl_tensor_create(&batch, model->in_ndim + 1, dims)
                                : nnl_error(NNL_E_NOMEM, "%s: out of memory for a %lld-pixel map", who,
                                            (long long)pixels);
    if (s == NNL_OK)
        s = nnl_model_workspace_acquire(model, &ws);
    if (s == NNL_OK)
        s = run_occlusion(model, ws, &p, x->data, class_index, batch, sum, count);
    for (int64_t i = 0; s == NNL_OK && i < pixels; i++)
        map->data[i] = (float)(sum[i] / count[i]);
    if (ws)
        nnl_model_workspace_release(model, ws);
    nnl_tensor_free(batch);
    nnl_dealloc(sum);
    nnl_dealloc(count);
    return nnl_error_in(s, who);
}
