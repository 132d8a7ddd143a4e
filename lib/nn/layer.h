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

enum { NNL_LAYER_MAX_PARAMS = 12 }; /* a bidirectional LSTM with learned initial states */

typedef struct nnl_workspace nnl_workspace;

/* Per-layer, per-workspace batch buffers. */
typedef struct nnl_layer_buffers {
    nnl_tensor *out;            /* y {B, out...} */
    nnl_tensor *pre;            /* pre-activation z {B, out...} (fused activation only) */
    nnl_tensor *dx;             /* dL/dx {B, in...} */
    nnl_tensor *scratch;        /* layer-specific (argmax, dropout mask, x-hat ...) */
    nnl_workspace *inner;       /* residual block: its inner layers' workspace */
    nnl_tensor *cache;          /* kept across generation calls (attention: keys and values) */
    const nnl_tensor *logits;   /* set by forward when the activation is softmax or sigmoid: its input */
    nnl_activation logits_act;  /* set by forward with logits: the activation applied to them */
    int dy_is_logit_grad;       /* set by the model: backward gets dL/dz, skip the softmax or sigmoid */
    int training;               /* set by the sequence: the mode of the forward that filled these buffers;
                                   backward after an inference forward (saliency) differentiates the
                                   inference function (dropout off, batch norm's running statistics) */
    int fused_with_next;        /* set by the sequence: the forward ran this layer and the next as one
                                   pass (ops->fusion), which did not write this layer's `out`; the
                                   backward runs them as one too */
} nnl_layer_buffers;

typedef struct nnl_forward_ctx {
    int training;
    nnl_rng *rng;               /* dropout draws (training only) */
    /* Generation (nnl_model_generate): when time > 0 the input holds `time`
     * new positions, pos .. pos + time - 1, of sequences whose earlier
     * positions went through before (attention keeps their keys and values
     * in buf->cache). Only NNL_LAYER_CAUSAL types run this way. */
    int64_t time, pos;
    /* Key padding (B), or NULL for none: sample b's positions from
     * lengths[b] on are padding, which a bidirectional attention layer does
     * not attend to. Set by the model from its padding token
     * (nnl_model_set_padding_token); causal layers need no mask, since
     * padding comes after every position that matters. */
    const int64_t *lengths;
    /* Trimming (lib/nn/trim.c): when trim > 0 the model cut a padded batch
     * to its first `trim` positions (the longest sequence): x and the
     * outputs of the layers up to the one that ends the time axis hold
     * {B, trim, ...} instead of {B, T, ...}. Set by nnl_model_forward; only
     * NNL_LAYER_TRIMMABLE types run this way. */
    int64_t trim;
    /* Set by a caller that reads per-position buffers after the forward
     * (attention weights, saliency): the model keeps the built length T. */
    int full_length;
} nnl_forward_ctx;

/* Capabilities of a layer type (nnl_layer_ops.flags). */
enum {
    /* Per-sample shapes start with a time axis that the layer keeps, output
     * position t depends only on input positions <= t, and forward runs on
     * a few new positions at a time (see nnl_forward_ctx.time). */
    NNL_LAYER_CAUSAL = 1,
    /* Output position t depends on input position t alone (and on nothing
     * kept from earlier calls): generation runs such layers at the end of a
     * stack on the last position only, whose logits it samples from. */
    NNL_LAYER_POSITIONWISE = 2,
    /* The input is token ids (an embedding): it has no gradient, so
     * saliency refuses a model that starts with such a layer. */
    NNL_LAYER_DISCRETE_INPUT = 4,
    /* Per-sample shapes start with a time axis that the layer keeps, and
     * its outputs at positions < L depend on inputs at positions < L only
     * (bidirectional attention: once the keys past each sample's length are
     * masked): forward and backward also run on the first L <= T positions,
     * x {B, L, ...} (nnl_forward_ctx.trim), reading the first L rows of a
     * position table, with buffers sized for T reused. */
    NNL_LAYER_TRIMMABLE = 8,
    /* Takes a trimmed time axis (as NNL_LAYER_TRIMMABLE) and gives an output
     * without one (select_position): the layers after it see their built
     * shapes. ops->positions_read says how far into the sequence it reads. */
    NNL_LAYER_ENDS_TIME = 16,
    /* The output is the input's elements in the same order under the
     * output shape (flatten): the workspace makes the output a view of the
     * input and dL/dx a view of dL/dy, so nothing is copied, and the type
     * has no forward or backward. */
    NNL_LAYER_RESHAPES = 32
};

typedef struct nnl_layer_config_reader nnl_layer_config_reader; /* nn/layer_config.h */

/* A pass that runs a layer and the next one of its sequence together, so
 * that the first one's output, which only the second reads, need not be
 * stored (a convolution and its max pooling: lib/nn/layers/conv_pool.c).
 * The sequence asks `applies` before each forward (never in generation or
 * on a trimmed batch); the results are the two layers' own, up to the
 * rounding of parameter gradients summed in another order. */
typedef struct nnl_layer_fusion {
    const char *name;           /* the pair in profiles: "conv2d+maxpool2d" */
    /* Whether l and next run fused on a batch of `batch` samples. */
    int (*applies)(const nnl_layer *l, const nnl_layer *next, int64_t batch);
    /* x {B, l's in...} -> next_buf->out {B, next's out...} (shaped by the
     * caller); l's buf->out is left unwritten. */
    nnl_status (*forward)(const nnl_layer *l, const nnl_layer *next, const nnl_tensor *x, nnl_layer_buffers *buf,
                          nnl_layer_buffers *next_buf);
    /* dy {B, next's out...} (may be overwritten) -> l's param grads (+=)
     * and, when need_dx, buf->dx {B, l's in...} (shaped by the caller). */
    nnl_status (*backward)(nnl_layer *l, const nnl_layer *next, const nnl_tensor *x, nnl_tensor *dy,
                           nnl_layer_buffers *buf, nnl_layer_buffers *next_buf, int need_dx);
} nnl_layer_fusion;

/* A layer type: the one descriptor its file in lib/nn/layers/ defines
 * (`const nnl_layer_ops nnl_layer_ops_<type>`) and lib/nn/layers/registry.c
 * lists. What configures a layer of the type (units, kernel, rate ...) is
 * the type's own: a private struct of state_size bytes in l->state that only
 * its file reads. Parameters are declared by build (nnl_layer_add_param) into
 * l->params, in the order the model file and the optimizer see them; a layer
 * may use another's instead (tied_output finds it through l->siblings). */
typedef struct nnl_layer_ops {
    const char *type;           /* the name in model files: "dense", "conv2d" ... */
    /* Make a layer from its JSON config (model loading): read the members
     * write_config writes with the nn/layer_config.h readers and pass them
     * to the public constructor, so that a file gets the callers' checks. */
    nnl_status (*from_config)(nnl_layer **out, nnl_layer_config_reader *r);
    /* Check l->in_dims, set l->out_dims, allocate and initialise params. */
    nnl_status (*build)(nnl_layer *l, nnl_rng *init);
    /* x {B, in...} -> buf->out {B, out...} (already shaped by the caller).
     * NULL, with backward, for NNL_LAYER_RESHAPES types. */
    nnl_status (*forward)(const nnl_layer *l, const nnl_tensor *x, nnl_layer_buffers *buf,
                          const nnl_forward_ctx *ctx);
    /* dy {B, out...} (may be overwritten) -> param grads (+=) and, when
     * need_dx, buf->dx {B, in...} (shaped by the caller). */
    nnl_status (*backward)(nnl_layer *l, const nnl_tensor *x, nnl_tensor *dy, nnl_layer_buffers *buf,
                           int need_dx);
    /* Append the layer's configuration members to a JSON object ("type" is written by the caller). */
    void (*write_config)(const nnl_layer *l, nnl_strbuf *json);
    /* Free what the type owns beyond its params and l->state (NULL when nothing). */
    void (*destroy)(nnl_layer *l);
    size_t state_size;          /* bytes of l->state: allocated zeroed by nnl_layer_new, freed with the layer */
    int flags;                  /* NNL_LAYER_CAUSAL ... */
    /* When the type's flags do not settle it for every instance: whether
     * this one is causal (a recurrent layer is, unless bidirectional).
     * NULL: NNL_LAYER_CAUSAL in flags decides. */
    int (*is_causal)(const nnl_layer *l);
    /* Attention layers: the softmax weights of sample 0 of the last forward
     * (not a generation step) that ran in buf, heads x T x T (T its time
     * axis; 0 where a query sees no key), into out when out is not NULL.
     * Returns the head count. NULL for types without attention. */
    int64_t (*attention_weights)(const nnl_layer *l, const nnl_layer_buffers *buf, float *out);
    /* NNL_LAYER_ENDS_TIME types: the leading positions the output depends
     * on (select_position: its position + 1); a batch is trimmed no shorter. */
    int64_t (*positions_read)(const nnl_layer *l);
    /* The pass this type fuses with the layer after it, or NULL. */
    const nnl_layer_fusion *fusion;
} nnl_layer_ops;

/* The layer object. Nothing in it belongs to one type: configuration lives
 * in l->state. The fused activation too: dense, conv2d and the activation
 * layer keep their nnl_activation in their own state and share only the
 * helpers below (nnl_activation_apply ...), which take it as an argument. */
struct nnl_layer {
    const nnl_layer_ops *ops;
    int built;
    int owned;                      /* belongs to a model or a residual block */
    int in_ndim, out_ndim;
    int64_t in_dims[NNL_MAX_DIMS], out_dims[NNL_MAX_DIMS];
    nnl_param params[NNL_LAYER_MAX_PARAMS];
    int num_params;
    nnl_layer **children;           /* composite layers (residual, transformer block) */
    int num_children;
    nnl_workspace *standalone;      /* buffers for the public forward/backward */
    const nnl_tensor *standalone_x; /* input of the last standalone training forward */
    void *state;                    /* the type's configuration and data (ops->state_size bytes) */
    nnl_layer *const *siblings;     /* the layers before it in its model (set for build only):
                                       a layer that shares another's parameter finds it here */
    int num_siblings;
    int64_t param_budget;           /* parameter floats build may still allocate, -1 = no limit:
                                       the model loader sets it from the file's size so that an
                                       architecture cannot claim more memory than its weights */
};

/* Allocate an unbuilt layer of a type, with its zeroed state (ops->state_size). */
nnl_status nnl_layer_new(nnl_layer **out, const nnl_layer_ops *ops, const char *who);

/* Hand `child` to the composite `parent` (appended to its children, marked
 * owned). On failure the child is left to the caller. */
nnl_status nnl_layer_add_child(nnl_layer *parent, nnl_layer *child, const char *who);

/* Output shape = input shape (layers that keep it). */
void nnl_layer_keep_shape(nnl_layer *l);
/* The build of a type without parameters that keeps the shape (activation, dropout). */
nnl_status nnl_layer_build_same_shape(nnl_layer *l, nnl_rng *init);

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
/* Whether the pre-activation must be kept (GELU's derivative; the logits of
 * softmax and sigmoid for the fused losses, which take them rather than
 * probabilities that round to 0 or 1); ReLU and tanh need only y, so they
 * are applied in place and save a buffer. */
int nnl_activation_keeps_input(nnl_activation act);
/* Forward's note for the fused losses: buf->logits = z (the kept
 * pre-activation) for softmax and sigmoid, NULL otherwise; buf->logits_act = act. */
void nnl_activation_note_logits(nnl_layer_buffers *buf, nnl_activation act, const nnl_tensor *z);
int nnl_activation_parse(const char *name, nnl_activation *act);
int nnl_activation_valid(nnl_activation act);

/* A layer from its JSON config {"type": ..., ...} (model loading): the type
 * is looked up in the registry (lib/nn/layers/registry.c) and its
 * from_config called. depth counts the nesting of composite layers. */
nnl_status nnl_layer_from_config(nnl_layer **out, const nnl_json *config, const char *label, int depth);

/* Write {"type": ..., config...} of a layer (and its children). */
void nnl_layer_write_json(const nnl_layer *l, nnl_strbuf *json);

#endif
