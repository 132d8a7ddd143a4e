/* A convolution and the max pooling after it, run one image at a time.
 *
 *   x {B, H, W, C} -conv2d, act-> z {B, OH, OW, F} -maxpool-> y {B, PH, PW, F}
 *
 * Why: run layer by layer, the batch's z is written by the convolution,
 * read and rewritten by its activation and read by the pooling; backward,
 * the pooling's scatter writes it again, the activation's gradient reads
 * and rewrites it, and the weight gradient reads it. In the article's CNN
 * at batch 32, z is 2.8 MB, more than a core's L2 holds, so each of those
 * passes streams it from L3. Fused, each thread takes whole images and runs
 * the same kernels on one image at a time: that image's z (86 KB) stays in
 * L2, and the batch's z is never stored.
 *
 * Results: the forward runs the same kernels on each image, so y and the
 * pooling's argmax are the two layers' own, bit for bit (argmax counts from
 * the image's first element, not the batch's). The backward needs z only at
 * the maxima: for a non-decreasing activation, act(max z) = max act(z), so
 * the activation's gradient at a window's maximum is its gradient at the
 * pooled output y, applied to dL/dy before the scatter (relu: dL/dy where
 * y > 0); relu, sigmoid, tanh and none qualify (gelu is not monotonic,
 * softmax not elementwise). The weight and bias gradients are summed per
 * chunk of CHUNK images, then the chunks in order: the same for any thread
 * count at which the pair fuses, rounded differently from the unfused
 * kernel's order. The chunks' partial gradients take memory the unfused
 * layers do not; the pair fuses only where they are smaller than the
 * convolution output it saves. */
#include <string.h>

#include "core/error.h"
#include "core/pool.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/pool.h"

/* Images per partial weight gradient: a thread's share is whole chunks. */
enum { CHUNK = 4 };

typedef struct pair {
    nnl_conv_shape conv, pool;            /* of one image */
    nnl_activation act;
    int64_t batch, chunks;
    int parts;
    int64_t x_image, z_image, y_image;    /* floats of one image's x, z, y */
    int64_t kernel_size, partial;         /* floats of the kernel; of a chunk's partial (kernel, then bias) */
} pair;

static pair pair_of(const nnl_layer *l, const nnl_layer *next, int64_t batch)
{
    pair p = {.conv = nnl_conv2d_shape(l, 1), .act = nnl_conv2d_activation(l), .batch = batch};
    nnl_maxpool_shape(next, 1, &p.pool);
    p.chunks = (batch + CHUNK - 1) / CHUNK;
    int threads = nnl_threads_get();
    p.parts = p.chunks < threads ? (int)p.chunks : threads;
    p.x_image = p.conv.in_h * p.conv.in_w * p.conv.in_c;
    p.z_image = p.conv.out_h * p.conv.out_w * p.conv.out_c;
    p.y_image = p.pool.out_h * p.pool.out_w * p.pool.out_c;
    p.kernel_size = p.conv.kernel_h * p.conv.kernel_w * p.conv.in_c * p.conv.out_c;
    p.partial = p.kernel_size + p.conv.out_c;
    return p;
}

static int conv_pool_applies(const nnl_layer *l, const nnl_layer *next, int64_t batch)
{
    nnl_conv_shape pool;
    nnl_activation act = nnl_conv2d_activation(l);
    if (!nnl_maxpool_shape(next, batch, &pool) || act == NNL_ACT_GELU || act == NNL_ACT_SOFTMAX)
        return 0;
    /* Every thread gets a chunk; a smaller batch (an image to predict)
     * keeps the kernels' own split of one image over the threads. */
    if (batch < (int64_t)CHUNK * nnl_threads_get())
        return 0;
    const pair p = pair_of(l, next, batch);
    return p.chunks * p.partial <= p.batch * p.z_image;
}

/* The images [*first, *end) of a part: whole chunks, the same split in
 * forward and backward so that a thread finds its images' x in its cache. */
static void part_images(const pair *p, int part, int parts, int64_t *first, int64_t *end)
{
    int64_t c0, c1;
    nnl_parallel_share(p->chunks, 1, part, parts, &c0, &c1);
    *first = c0 * CHUNK;
    *end = c1 * CHUNK < p->batch ? c1 * CHUNK : p->batch;
}

/* Scratch, in the conv2d layer's buffers: one image's z (or dL/dz) per
 * part, and for the backward the chunks' partial gradients after them. */
static nnl_status ensure_scratch(const pair *p, nnl_layer_buffers *buf, int backward)
{
    int64_t floats = p->parts * p->z_image + (backward ? p->chunks * p->partial : 0);
    return nnl_tensor_ensure(&buf->scratch, 1, &floats, "conv2d+maxpool2d");
}

typedef struct forward_job {
    const pair *p;
    const float *x, *w, *b;
    float *z, *y;
    int32_t *argmax;
} forward_job;

static void forward_part(void *arg, int part, int parts)
{
    const forward_job *j = arg;
    const pair *p = j->p;
    const nnl_kernels *k = nnl_kernels_active();
    float *z = j->z + part * p->z_image;
    int64_t n, end;
    part_images(p, part, parts, &n, &end);
    for (; n < end; n++) {
        k->conv2d_forward(&p->conv, j->x + n * p->x_image, j->w, j->b, z, 1);
        if (p->act != NNL_ACT_NONE)
            nnl_activation_apply(p->act, p->z_image / p->conv.out_c, p->conv.out_c, z, z);
        k->maxpool_forward(&p->pool, z, j->y + n * p->y_image, j->argmax + n * p->y_image);
    }
}

static nnl_status conv_pool_forward(const nnl_layer *l, const nnl_layer *next, const nnl_tensor *x,
                                    nnl_layer_buffers *buf, nnl_layer_buffers *next_buf)
{
    pair p = pair_of(l, next, x->dims[0]);
    NNL_TRY(ensure_scratch(&p, buf, 0));
    /* the pooling's int32 argmax, in a float tensor of its output's size, as its own forward keeps it */
    NNL_TRY(nnl_tensor_ensure(&next_buf->scratch, next_buf->out->ndim, next_buf->out->dims, "maxpool2d"));
    forward_job j = {&p, x->data, l->params[0].value->data, l->params[1].value->data, buf->scratch->data,
                     next_buf->out->data, (int32_t *)(void *)next_buf->scratch->data};
    nnl_parallel_run(p.parts, forward_part, &j);
    nnl_activation_note_logits(buf, p.act, NULL);
    return NNL_OK;
}

typedef struct backward_job {
    const pair *p;
    const float *x, *w, *dy;
    const int32_t *argmax;
    float *dz, *partials;
    float *dx; /* NULL: not wanted */
} backward_job;

static void backward_part(void *arg, int part, int parts)
{
    const backward_job *j = arg;
    const pair *p = j->p;
    const nnl_kernels *k = nnl_kernels_active();
    float *dz = j->dz + part * p->z_image;
    int64_t n, end;
    part_images(p, part, parts, &n, &end);
    for (; n < end; n++) {
        float *dw = j->partials + n / CHUNK * p->partial;
        if (n % CHUNK == 0)
            memset(dw, 0, sizeof(float) * (size_t)p->partial);
        k->maxpool_backward(&p->pool, j->dy + n * p->y_image, j->argmax + n * p->y_image, dz);
        k->conv2d_backward_weights(&p->conv, j->x + n * p->x_image, dz, dw, dw + p->kernel_size, 1);
        if (j->dx)
            k->conv2d_backward_input(&p->conv, dz, j->w, j->dx + n * p->x_image, 1);
    }
}

/* The kernel's and bias's gradients += the chunks' partials, in chunk order. */
static void add_partials(const pair *p, const float *partials, float *dw, float *db)
{
    for (int64_t c = 0; c < p->chunks; c++) {
        const float *part = partials + c * p->partial;
        for (int64_t i = 0; i < p->kernel_size; i++)
            dw[i] += part[i];
        for (int64_t i = 0; i < p->conv.out_c; i++)
            db[i] += part[p->kernel_size + i];
    }
}

static nnl_status conv_pool_backward(nnl_layer *l, const nnl_layer *next, const nnl_tensor *x, nnl_tensor *dy,
                                     nnl_layer_buffers *buf, nnl_layer_buffers *next_buf, int need_dx)
{
    pair p = pair_of(l, next, x->dims[0]);
    NNL_TRY(ensure_scratch(&p, buf, 1));
    nnl_activation_grad(p.act, dy->size / p.conv.out_c, p.conv.out_c, NULL, next_buf->out->data, dy->data);
    float *partials = buf->scratch->data + p.parts * p.z_image;
    backward_job j = {&p, x->data, l->params[0].value->data, dy->data,
                      (const int32_t *)(const void *)next_buf->scratch->data, buf->scratch->data, partials,
                      need_dx ? buf->dx->data : NULL};
    nnl_parallel_run(p.parts, backward_part, &j);
    add_partials(&p, partials, l->params[0].grad->data, l->params[1].grad->data);
    return NNL_OK;
}

const nnl_layer_fusion nnl_conv_pool_fusion = {.name = "conv2d+maxpool2d",
                                               .applies = conv_pool_applies,
                                               .forward = conv_pool_forward,
                                               .backward = conv_pool_backward};
