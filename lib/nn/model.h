/* Internal: the sequential model. */
#ifndef NNL_NN_MODEL_H
#define NNL_NN_MODEL_H

#include <pthread.h>

#include "nn/history.h"
#include "nn/loss.h"
#include "nn/workspace.h"
#include "nnlite/model.h"
#include "nnlite/text.h"
#include "optim/optimizer.h"

enum { NNL_MODEL_POOL_SIZE = 8 };

/* One parameter tensor of the model with its file name, e.g. "layers.0.kernel". */
typedef struct nnl_model_param {
    char name[96];
    nnl_param *param;
} nnl_model_param;

struct nnl_model {
    int in_ndim;
    int64_t in_dims[NNL_MAX_DIMS];
    nnl_layer **layers;
    int num_layers, cap_layers;
    uint64_t seed;
    int compiled;
    int has_loss;                   /* compiled, or loaded from a file that names its loss */
    int sealed;                     /* the model of a GPT: nnl_model_add and nnl_model_compile refuse */
    nnl_loss loss;
    int32_t padding_token;          /* with has_padding: the id that pads token sequences (padding.c) */
    nnl_tokenizer *tokenizer;       /* what reads text into its input, or NULL (model_meaning.c) */
    char *class_names;              /* num_class_names NUL-terminated names, one after the other */
    int32_t num_class_names;
    int has_padding;
    nnl_rng train_rng;              /* steps-mode batches and dropout; saved with the optimizer */
    int train_rng_seeded;
    nnl_optimizer *optimizer;
    nnl_model_param *params;        /* flattened, depth first; add appends */
    nnl_param **param_ptrs;         /* the same, as the optimizer wants them */
    int num_params, cap_params;
    nnl_workspace *train_ws;        /* fit/evaluate buffers, reused across batches */
    nnl_tensor *batch_x, *batch_y, *loss_grad;
    int32_t *batch_labels;          /* one label per prediction row of a batch */
    int64_t labels_capacity;
    /* The position-wise head on the rows the loss counts (counted_head.c):
     * head_kept > 0 when the last batch went that way. */
    int64_t head_kept;
    nnl_workspace *head_ws;         /* buffers of layers[head ..] on head_kept rows */
    nnl_tensor *head_x, *head_y;    /* the counted rows of the body's output (K, 1, C), their targets (K, 1) */
    nnl_tensor *head_grad, *head_dh;/* dL/dy of the head's output; dL/dh scattered back (B, T, C) */
    int64_t *head_rows;             /* (K) each counted row's index in the batch's B T rows */
    int64_t head_rows_capacity;
    nnl_history history;            /* rows of the last fit (history.c) */
    /* Inference workspaces kept between predict calls (any thread), so a
     * one-image prediction allocates nothing once warm. */
    pthread_mutex_t pool_lock;
    nnl_workspace *pool[NNL_MODEL_POOL_SIZE];
    int pool_count;
};

/* Take an inference workspace from the pool (or a new one) and give it back. */
nnl_status nnl_model_workspace_acquire(const nnl_model *m, nnl_workspace **ws);
void nnl_model_workspace_release(const nnl_model *m, nnl_workspace *ws);

/* *batch: x's first dim when x has one more dim than a sample, 1 when it is
 * a single sample. NNL_E_SHAPE naming both shapes when x does not fit the
 * model, or (with `one`) holds more than one sample (predict.c). */
nnl_status nnl_model_input_batch(const nnl_model *m, const nnl_tensor *x, int one, const char *who, int64_t *batch);

/* x (batch samples, with or without the batch dimension) viewed as
 * {batch, in...}, without copying: the view borrows x's data. */
nnl_tensor nnl_model_batch_view(const nnl_model *m, const nnl_tensor *x, int64_t batch);

/* NNL_E_NUMERIC when an output of y is not finite, naming the weight that
 * caused it when one is not finite either (predict.c). */
nnl_status nnl_model_check_outputs(const nnl_model *m, const nnl_tensor *y, const char *who);

/* Per-sample output shape of the last layer (the input shape when empty). */
void nnl_model_out_shape(const nnl_model *m, int *ndim, const int64_t **dims);

/* nnl_model_compile() without the check for a sealed model: the GPT
 * compiles its own model with this. */
nnl_status nnl_model_attach(nnl_model *model, nnl_loss loss, nnl_optimizer *optimizer);

/* NNL_E_SHAPE / NNL_E_INVALID_ARG when the model's output cannot take `loss`. */
nnl_status nnl_model_check_loss(const nnl_model *m, nnl_loss loss, const char *who);

/* Check a data set's sample (and, with targets, target) shape against the model. */
nnl_status nnl_model_check_data(const nnl_model *m, const nnl_dataset *data, int with_targets, const char *who);

/* x {B, in...} through the layers with a caller workspace; *y is borrowed
 * from it. A model with a padding token finds each sample's length and,
 * unless ctx->full_length, runs a batch trimmed to its longest sequence
 * (trim.c); ws->input is what the layers ran on, for the backward. */
nnl_status nnl_model_forward(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                             const nnl_forward_ctx *ctx, const nnl_tensor **y);

/* Each sample's length before its padding (x {B, T} token ids, the model
 * has a padding token), in ws (padding.c). */
nnl_status nnl_model_key_lengths(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                                 const int64_t **lengths);

/* The batch x {B, T} cut to its first L positions when the model's layers
 * can run on fewer (trim.c): *input = ws->trimmed {B, L} and *trim = L, or
 * *input = x and *trim = 0 when they cannot or the longest of `lengths` is
 * T. ws->trimmed is sized for {B, T} once and reused. */
nnl_status nnl_model_trim_batch(const nnl_model *m, nnl_workspace *ws, const nnl_tensor *x,
                                const int64_t *lengths, const nnl_tensor **input, int64_t *trim);

/* indices[0..count) uniform in [0, n) (n <= 2^32), with replacement: the
 * draw of steps-mode training and of sampled evaluation. */
void nnl_model_draw_indices(nnl_rng *rng, int64_t n, int64_t *indices, int64_t count);

/* Samples indices[0..count) of `data` (augmented from `augment` when not
 * NULL) through the layers in m->train_ws and the loss; in training mode
 * (ctx->training) dL/dy goes to m->loss_grad for nnl_model_backward(). The
 * batch buffers grow to the batch and are reused: no allocation once warm. */
nnl_status nnl_model_batch_forward(nnl_model *m, const nnl_dataset *data, const int64_t *indices, int64_t count,
                                   const nnl_forward_ctx *ctx, nnl_rng *augment, const char *who,
                                   nnl_loss_result *result);

/* Receives the outputs of nnl_model_predict_batches, batch after batch:
 * samples [first, first + count) in y {count, out_size}, and the last
 * layer's buffers (whose logits_act says whether y went through a sigmoid). */
typedef struct nnl_predict_sink {
    nnl_status (*take)(void *ctx, int64_t first, int64_t count, int64_t out_size, const float *y,
                       const nnl_layer_buffers *last);
    void *ctx;
    const char *who; /* the public function, for messages */
} nnl_predict_sink;

/* Inference over a whole data set in batches of batch_size (thread-safe as
 * nnl_model_predict): the checks and errors of nnl_model_predict_dataset. */
nnl_status nnl_model_predict_batches(const nnl_model *model, const nnl_dataset *data, int64_t batch_size,
                                     const nnl_predict_sink *sink);

/* The loss results of a data set summed (inference mode): batches 0 runs
 * all of it in order (nnl_model_evaluate), batches > 0 that many batches
 * drawn from `seed` (nnl_model_evaluate_sampled). The validation of fit
 * reads the multi-label counts from it. */
nnl_status nnl_model_evaluate_totals(nnl_model *m, const nnl_dataset *data, int64_t batches, int64_t batch_size,
                                     uint64_t seed, const char *who, nnl_loss_result *total);

/* The gradients of the last training nnl_model_batch_forward's loss,
 * replacing what the parameters' gradients held. */
nnl_status nnl_model_backward(nnl_model *m);

/* The position-wise head on the counted rows (counted_head.c).
 * nnl_counted_head_start: the first layer of the position-wise tail
 * (num_layers when there is none). nnl_counted_head_rows: how many of the
 * batch's `rows` prediction rows (targets in m->batch_y) the loss counts,
 * or -1 when the batch runs the full head. nnl_counted_head_forward: h (B,
 * T, C), the body's output, gathered at those m->head_kept rows and run
 * through the head into *y (K, 1, V). nnl_counted_head_backward: the head's
 * backward from dyk (K, 1, V), its input gradient scattered into *dh (B, T,
 * C, zero at the other rows) for the body's backward. */
int nnl_counted_head_start(const nnl_model *m);
int64_t nnl_counted_head_rows(const nnl_model *m, int64_t rows);
nnl_status nnl_counted_head_forward(nnl_model *m, const nnl_tensor *h, const nnl_forward_ctx *ctx,
                                    const nnl_tensor **y);
nnl_status nnl_counted_head_backward(nnl_model *m, const nnl_tensor *dyk, nnl_tensor **dh);

/* Zero every trainable parameter's gradient (before a backward pass, which adds). */
void nnl_model_zero_grads(nnl_model *m);

#endif
