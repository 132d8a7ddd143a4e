/* Internal: the layer object and its table of operations.
 *
 * A layer holds its configuration and parameters; everything that depends
 * on a batch (outputs, pre-activations, input gradients, scratch) lives in
 * an nnl_layer_buffers owned by a workspace, so that one model can run
 * inference on many threads at once, each with its own workspace.
 *
 * Shapes: in_dims/out_dims are per sample; tensors in buffers carry the
 * batch as dimension 0. */
#ifndef NNL_NN_LAYER_H
#define NNL_NN_LAYER_H

#include "core/rng.h"
#include "core/tensor.h"
#include "io/json.h"
#include "io/strbuf.h"
#include "nnlite/layer.h"
#include "optim/param.h" /* nnl_param */

enum { NNL_LAYER_MAX_PARAMS = 4 };

typedef struct nnl_workspace nnl_workspace;

/* Per-layer, per-workspace batch buffers. */
typedef struct nnl_layer_buffers {
    nnl_tensor *out;            /* y {B, out...} */
    nnl_tensor *pre;            /* pre-activation z {B, out...} (fused activation only) */
    nnl_tensor *dx;             /* dL/dx {B, in...} */
    nnl_tensor *scratch;        /* layer-specific (argmax, dropout mask, x-hat ...) */
    nnl_workspace *inner;       /* residual block: its inner layers' workspace */
    nnl_tensor *cache;          /* kept across generation calls (attention: keys and values) */
    const nnl_tensor *logits;   /* set by forward when the activation is softmax: its input */
    int dy_is_logit_grad;       /* set by the model: backward gets dL/dz, skip the softmax */
} nnl_layer_buffers;

typedef struct nnl_forward_ctx {
    int training;
    nnl_rng *rng;               /* dropout draws (training only) */
    /* Generation (nnl_model_generate): when time > 0 the input holds `time`
     * new positions, pos .. pos + time - 1, of sequences whose earlier
     * positions went through before (attention keeps their keys and values
     * in buf->cache). Only NNL_LAYER_CAUSAL types run this way. */
    int64_t time, pos;
} nnl_forward_ctx;

/* Capabilities of a layer type (nnl_layer_ops.flags). */
enum {
    /* Per-sample shapes start with a time axis that the layer keeps, output
     * position t depends only on input positions <= t, and forward runs on
     * a few new positions at a time (see nnl_forward_ctx.time). */
    NNL_LAYER_CAUSAL = 1
};

/* Layer-specific configuration; each type uses the fields it documents. */
typedef struct nnl_layer_config {
    int64_t units;              /* dense: output features; conv2d: filters */
    int64_t kernel_h, kernel_w; /* conv2d, pooling */
    int64_t stride;             /* conv2d, pooling */
    nnl_padding padding;        /* conv2d, pooling */
    float rate;                 /* dropout */
    float momentum, epsilon;    /* batchnorm; layernorm's epsilon */
    int64_t vocab;              /* embedding: table rows (units is its width) */
    int64_t heads;              /* causal_self_attention, transformer_block (units is its width) */
} nnl_layer_config;

typedef struct nnl_layer_ops {
    const char *type;
    /* Check l->in_dims, set l->out_dims, allocate and initialise params. */
    nnl_status (*build)(nnl_layer *l, nnl_rng *init);
    /* x {B, in...} -> buf->out {B, out...} (already shaped by the caller). */
    nnl_status (*forward)(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                          const nnl_forward_ctx *ctx);
    /* dy {B, out...} (may be overwritten) -> param grads (+=) and, when
     * need_dx, buf->dx {B, in...} (shaped by the caller). */
    nnl_status (*backward)(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                           int need_dx);
    /* Append the layer's configuration members to a JSON object ("type" is written by the caller). */
    void (*write_config)(const nnl_layer *l, nnl_strbuf *json);
    /* Free what the type owns beyond params (NULL when nothing). */
    void (*destroy)(nnl_layer *l);
    int flags;                  /* NNL_LAYER_CAUSAL ... */
} nnl_layer_ops;

struct nnl_layer {
    const nnl_layer_ops *ops;
    nnl_layer_config config;
    nnl_activation activation;      /* fused activation (dense, conv2d, activation layer) */
    int built;
    int owned;                      /* belongs to a model or a residual block */
    int in_ndim, out_ndim;
    int64_t in_dims[NNL_MAX_DIMS], out_dims[NNL_MAX_DIMS];
    nnl_param params[NNL_LAYER_MAX_PARAMS];
    int num_params;
    nnl_layer **children;           /* residual block */
    int num_children;
    nnl_workspace *standalone;      /* buffers for the public forward/backward */
    const nnl_tensor *standalone_x; /* input of the last standalone training forward */
    void *state;                    /* type-private data, freed by ops->destroy */
    nnl_layer *const *siblings;     /* the layers before it in its model (set for build only):
                                       a layer that shares another's parameter finds it here */
    int num_siblings;
    int64_t param_budget;           /* parameter floats build may still allocate, -1 = no limit:
                                       the model loader sets it from the file's size so that an
                                       architecture cannot claim more memory than its weights */
};

/* Allocate a layer of a type with its config (unbuilt). */
nnl_status nnl_layer_new(nnl_layer **out, const nnl_layer_ops *ops, const char *who);

/* Free a layer whatever its ownership (for its owner: model or residual block). */
void nnl_layer_free_owned(nnl_layer *layer);

/* Free the parameters of a layer and its children and mark them unbuilt. */
void nnl_layer_unbuild(nnl_layer *l);

/* Build for a per-sample input shape; seeds the initialisers from `init`. */
nnl_status nnl_layer_build_internal(nnl_layer *l, int ndim, const int64_t *in_dims, nnl_rng *init);

/* Add a parameter tensor of a shape (zeroed), with a gradient when trainable.
 * NNL_E_FORMAT, before allocating, when it exceeds l->param_budget. */
nnl_status nnl_layer_add_param(nnl_layer *l, const char *name, int ndim, const int64_t *dims, int trainable,
                               int decay);

/* Product of per-sample dims. */
int64_t nnl_dims_count(int ndim, const int64_t *dims);

/* Shape {batch, dims...} into out (ndim + 1 dims). */
void nnl_batch_shape(int64_t batch, int ndim, const int64_t *dims, int64_t *out);

/* Fused activation helpers shared by dense, conv2d and the activation layer.
 * Forward: y = act(z) (row-wise softmax over `cols`). Backward: dz = dy *
 * act'(z) in place of dy, unless buf->dy_is_logit_grad. */
void nnl_activation_apply(nnl_activation act, int64_t rows, int64_t cols, const float *z, float *y);
void nnl_activation_grad(nnl_activation act, int64_t rows, int64_t cols, const float *z, const float *y,
                         float *dy);
const char *nnl_activation_name(nnl_activation act);
/* Whether the pre-activation must be kept for backward (GELU's derivative,
 * softmax's logits for the fused loss); ReLU, sigmoid and tanh need only y,
 * so they are applied in place and save a buffer. */
int nnl_activation_keeps_input(nnl_activation act);
int nnl_activation_parse(const char *name, nnl_activation *act);
int nnl_activation_valid(nnl_activation act);

/* Layer constructors by type name from a JSON config (model loading). */
nnl_status nnl_layer_from_config(nnl_layer **out, const nnl_json *config, const char *label, int depth);

/* Write {"type": ..., config...} of a layer (and its children). */
void nnl_layer_write_json(const nnl_layer *l, nnl_strbuf *json);

#endif
