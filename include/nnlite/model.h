/**
 * @file nnlite/model.h
 * @brief Sequential models: build, compile, fit, evaluate, predict, save, load.
 *
 * @defgroup model Models
 * A model is a sequence of layers for a fixed per-sample input shape. It owns
 * the layers added to it and the optimizer given to nnl_model_compile().
 *
 * Thread-safety: nnl_model_predict() and nnl_model_predict_dataset() may be
 * called from many threads at once on the same model, as long as no thread
 * modifies it (fit, compile, add, load into it). Everything else: one thread
 * at a time.
 * @{
 */
#ifndef NNLITE_MODEL_H
#define NNLITE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "export.h"
#include "layer.h"
#include "optim.h"
#include "status.h"
#include "tensor.h"
#include "text.h"

NNL_BEGIN_DECLS

/** Opaque model handle. */
typedef struct nnl_model nnl_model;

/** Loss functions for nnl_model_compile(). */
typedef enum nnl_loss {
    /** Integer class labels against class probabilities (Keras' sparse_categorical_crossentropy).
     *  With a softmax last layer the two are fused into one numerically stable kernel. */
    NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 0,
    /** Mean squared error against float targets of the output's shape. */
    NNL_LOSS_MSE = 1,
    /** Integer labels against logits (a last layer without softmax): softmax and
     *  cross-entropy fused, at every position of the output, so that a sequence
     *  output (T, vocab) takes T labels per sample and the loss is the mean over
     *  positions (PyTorch's CrossEntropyLoss). Labels equal to ::NNL_LOSS_IGNORE_INDEX
     *  count for nothing (padding, positions a masked language model does not predict). */
    NNL_LOSS_SOFTMAX_CROSSENTROPY = 2,
    /** 0/1 targets of the output's shape (a multi-label dataset, nnl_dataset_create_multilabel())
     *  against logits: sigmoid and binary cross-entropy fused, stable for large logits (PyTorch's
     *  BCEWithLogitsLoss); for multi-label classification. The logits are the outputs of a last
     *  layer without activation, or the input of a last layer's sigmoid (its outputs are then
     *  probabilities, as nnl_model_predict_multilabel() returns). Accuracy is the subset accuracy:
     *  a sample counts when every class is right at probability 0.5; the progress reports
     *  micro-F1 and Hamming loss as well. */
    NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY = 3
} nnl_loss;

/** A label that ::NNL_LOSS_SOFTMAX_CROSSENTROPY skips (PyTorch's default ignore_index). */
#define NNL_LOSS_IGNORE_INDEX (-100)

/** Flags of nnl_model_save(). */
typedef enum nnl_save_flags {
    NNL_SAVE_WEIGHTS = 0,   /**< Architecture and weights (and batch-norm statistics). */
    NNL_SAVE_OPTIMIZER = 1  /**< Also the optimizer's state, to resume training. */
} nnl_save_flags;

/**
 * @brief Create an empty model for inputs of a per-sample shape.
 * @param out   receives the model (transferred to the caller; free with nnl_model_free()).
 * @param ndim  1..7 dimensions (images: 3, height x width x channels).
 * @param input_dims per-sample input shape, each >= 1; copied.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a bad shape; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_model_create(nnl_model **out, int ndim, const int64_t *input_dims);

/**
 * @brief Free a model with its layers and optimizer.
 * @param model the model, or NULL (a no-op). Layers and tensors borrowed from
 *              it become invalid.
 */
NNL_API void nnl_model_free(nnl_model *model);

/**
 * @brief Seed of weight initialisation for layers added from now on (default 0).
 * @param model the model.
 * @param seed  the seed; the same seed and layers give the same initial weights everywhere.
 * @return ::NNL_OK, or ::NNL_E_INVALID_ARG when @p model is NULL.
 */
NNL_API nnl_status nnl_model_set_seed(nnl_model *model, uint64_t seed);

/**
 * @brief Append a layer, building it for the current output shape.
 * @param model the model (not yet compiled).
 * @param layer transferred to the model on success; on failure the caller still owns it.
 * @return ::NNL_E_SHAPE when the layer cannot take the current output shape,
 *         ::NNL_E_STATE when the model is compiled or the layer already belongs to something.
 */
NNL_API nnl_status nnl_model_add(nnl_model *model, nnl_layer *layer);

/**
 * @brief Remove the layers from index @p num_layers on, e.g. a pretrained encoder's
 *        language-model head before adding a classifier to it (fine-tuning).
 *
 * The removed layers and their parameters are freed; layers before them, and
 * parameters they share (a tied output's table is its embedding's), stay. The model
 * forgets its loss (compile it again); the seed stays, so layers added next get their
 * initialisation from nnl_model_set_seed().
 * @param model      the model, not compiled (a file saved with ::NNL_SAVE_WEIGHTS loads
 *                   uncompiled).
 * @param num_layers layers to keep, 0 .. nnl_model_num_layers().
 * @return ::NNL_E_INVALID_ARG for NULL or a count out of range; ::NNL_E_STATE for a
 *         compiled model or a GPT's.
 */
NNL_API nnl_status nnl_model_truncate(nnl_model *model, int num_layers);

/**
 * @brief Number of layers.
 * @param model the model.
 * @return the count (0 for a new model), or -1 for NULL.
 */
NNL_API int nnl_model_num_layers(const nnl_model *model);

/**
 * @brief One of the model's layers, e.g. to read its parameters with nnl_layer_param().
 * @param model the model.
 * @param index 0 .. nnl_model_num_layers() - 1.
 * @return the layer, borrowed: owned by the model and valid until the model is
 *         freed; NULL when @p index is out of range or @p model is NULL.
 */
NNL_API nnl_layer *nnl_model_layer(nnl_model *model, int index);

/**
 * @brief Total trainable parameters.
 * @param model the model.
 * @return the count, or -1 for NULL.
 */
NNL_API int64_t nnl_model_param_count(const nnl_model *model);

/**
 * @brief Per-sample output shape (the input shape while the model has no layers).
 * @param model    the model.
 * @param dims     receives the shape.
 * @param capacity elements @p dims can hold.
 * @param ndim     receives the number of dimensions.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or when @p capacity is too small.
 */
NNL_API nnl_status nnl_model_output_shape(const nnl_model *model, int64_t *dims, int capacity, int *ndim);

/**
 * @brief Write a Keras-like summary table (layer, output shape, parameters).
 * @param model    the model.
 * @param buf      receives the NUL-terminated text, truncated to @p capacity; may be NULL when capacity is 0.
 * @param capacity bytes @p buf can hold.
 * @param length   receives the full length without the NUL (to size a buffer); may be NULL.
 * @return ::NNL_E_INVALID_ARG for a NULL model, or a NULL @p buf with a nonzero capacity;
 *         ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_model_summary(const nnl_model *model, char *buf, size_t capacity, size_t *length);

/**
 * @brief Choose the loss and optimizer; required before fit and evaluate.
 * @param model     a model with at least one layer.
 * @param loss      the loss.
 * @param optimizer transferred to the model on success (a previous one is freed);
 *                  on failure the caller keeps it.
 * @return ::NNL_E_SHAPE when the loss does not fit the output (cross-entropy needs a 1-D output).
 */
NNL_API nnl_status nnl_model_compile(nnl_model *model, nnl_loss loss, nnl_optimizer *optimizer);

/** Opaque progress report passed to an ::nnl_progress_fn; read it with nnl_progress_get(). */
typedef struct nnl_progress nnl_progress;

/** Values of a progress report. */
typedef enum nnl_progress_key {
    NNL_PROGRESS_EPOCH = 0,          /**< Current epoch, from 1. */
    NNL_PROGRESS_EPOCHS = 1,         /**< Total epochs. */
    NNL_PROGRESS_BATCH = 2,          /**< Batches done in this epoch, from 1. */
    NNL_PROGRESS_BATCHES = 3,        /**< Batches per epoch. */
    NNL_PROGRESS_LOSS = 4,           /**< Mean training loss of this epoch so far. */
    NNL_PROGRESS_ACCURACY = 5,       /**< Training accuracy of this epoch so far (NaN for MSE; for
                                          ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY the subset accuracy:
                                          samples whose every class is right at threshold 0.5). */
    NNL_PROGRESS_ELAPSED = 6,        /**< Seconds since the epoch started. */
    NNL_PROGRESS_ETA = 7,            /**< Estimated seconds left in this epoch. */
    NNL_PROGRESS_EPOCH_END = 8,      /**< 1 in the report sent once after an epoch's last batch, else 0. */
    NNL_PROGRESS_VAL_LOSS = 9,       /**< Validation loss at the end of the epoch, NaN otherwise. */
    NNL_PROGRESS_VAL_ACCURACY = 10,  /**< Validation accuracy (subset accuracy for sigmoid binary
                                          cross-entropy) at the end of the epoch, NaN otherwise. */
    NNL_PROGRESS_LEARNING_RATE = 11, /**< Learning rate of the last step. */
    NNL_PROGRESS_STEP = 12,          /**< Optimizer steps since compile. */
    NNL_PROGRESS_STEP_LOSS = 13,     /**< Mean loss of the last batch alone. */
    NNL_PROGRESS_SAMPLES_PER_S = 14, /**< Training samples per second since the fit call started. */
    NNL_PROGRESS_GRAD_NORM = 15,     /**< Global gradient norm of the last step before clipping
                                          (NaN when no clipping asked for it). */
    NNL_PROGRESS_TOTAL_ELAPSED = 16, /**< Seconds since the fit call started. */
    NNL_PROGRESS_MICRO_F1 = 17,      /**< ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY: micro-averaged F1 of this
                                          epoch's training batches so far, each class decided at probability
                                          0.5 (as nnl_metrics_multilabel()); NaN for the other losses. */
    NNL_PROGRESS_HAMMING_LOSS = 18,  /**< ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY: fraction of (sample, class)
                                          decisions that are wrong in this epoch so far; NaN otherwise. */
    NNL_PROGRESS_VAL_MICRO_F1 = 19,  /**< Validation micro-F1 at the end of the epoch (sigmoid binary
                                          cross-entropy only), NaN otherwise. */
    NNL_PROGRESS_VAL_HAMMING_LOSS = 20 /**< Validation Hamming loss at the end of the epoch (sigmoid binary
                                            cross-entropy only), NaN otherwise. */
} nnl_progress_key;

/**
 * @brief One value of a progress report.
 * @param progress the report passed to the callback (valid only during the call).
 * @param key      which value.
 * @return the value, or NaN for an unknown key or NULL report.
 */
NNL_API double nnl_progress_get(const nnl_progress *progress, nnl_progress_key key);

/**
 * @brief Progress callback of nnl_model_fit(): after every batch and once at
 *        the end of each epoch. Return 0 to go on, nonzero to stop training
 *        (fit then returns ::NNL_E_CANCELLED).
 */
typedef int (*nnl_progress_fn)(const nnl_progress *progress, void *user);

/**
 * @brief Train the model.
 * @param model      a compiled model.
 * @param train      training data (borrowed for the call); its augmentation, if set, is applied per batch.
 * @param validation evaluated after each epoch, or NULL.
 * @param epochs     >= 1.
 * @param batch_size >= 1 (the last batch of an epoch may be smaller).
 * @param seed       seed of the per-epoch shuffle and of dropout (augmentation uses the
 *                   seed given to nnl_dataset_set_augmentation()).
 * @param progress   callback, or NULL.
 * @param user       passed to @p progress.
 * @return ::NNL_E_STATE when not compiled; ::NNL_E_SHAPE when the data do not fit the model;
 *         ::NNL_E_NUMERIC when the loss becomes NaN or infinite (the message names epoch and
 *         batch; weights are those after the last good step); ::NNL_E_CANCELLED when the callback stops it.
 */
NNL_API nnl_status nnl_model_fit(nnl_model *model, const nnl_dataset *train, const nnl_dataset *validation,
                                 int64_t epochs, int64_t batch_size, uint64_t seed,
                                 nnl_progress_fn progress, void *user);

/** Options of nnl_model_fit_with(). Initialise with ::NNL_FIT_OPTIONS_INIT, then set fields. */
typedef struct nnl_fit_options {
    size_t struct_size;             /**< sizeof(nnl_fit_options) (docs/versioning.md: older sizes are accepted). */
    int64_t epochs;                 /**< Passes over the shuffled training data (default 1); unused when @ref steps > 0. */
    int64_t steps;                  /**< When > 0, train for this many optimizer steps instead of epochs, each on a
                                         batch drawn uniformly at random (with replacement) by the model's own
                                         generator, which files saved with ::NNL_SAVE_OPTIMIZER keep: a resumed run
                                         draws the batches the uninterrupted one would have (default 0). */
    int64_t batch_size;             /**< Samples per step, 1..2^20 (default 32). */
    const nnl_dataset *validation;  /**< Evaluated after each epoch, or in steps mode every
                                         @ref validation_interval steps and after the last; NULL for none. */
    int64_t validation_interval;    /**< Steps mode: validate when the optimizer's step count (nnl_optimizer_steps(),
                                         which a resumed model keeps) is a multiple of this, and after the last
                                         step; 0 = after the last only (default 0). */
    int64_t validation_batches;     /**< 0: all of the validation data in order (default); n > 0: n batches drawn at
                                         random from a generator seeded with @ref seed, the same ones every time. */
    const char *checkpoint_path;    /**< Where checkpoints go (borrowed for the call), or NULL. */
    int64_t checkpoint_interval;    /**< Steps mode: save with ::NNL_SAVE_OPTIMIZER when the optimizer's step count
                                         is a multiple of this, and after the last step; 0 never (default). Needs
                                         @ref checkpoint_path. */
    nnl_progress_fn progress;       /**< Called after each step and after each epoch (or the last step), or NULL. */
    void *user;                     /**< Passed to @ref progress. */
    float clip_norm;                /**< > 0: clip the global gradient norm to this in this call, overriding
                                         nnl_optimizer_set_clip_norm(); 0 keeps the optimizer's setting (default). */
    uint64_t seed;                  /**< Seed of the shuffle, dropout and validation batches; in steps mode it
                                         seeds the model's generator the first time only (default 42). */
    int threads;                    /**< Threads for this call (on the calling thread's work only); 0 =
                                         nnl_get_num_threads() (default). */
    int64_t history_interval;       /**< The history (nnlite/history.h) records a step row when the optimizer's
                                         step count is a multiple of this: 0 (default) and 1 = every step, n > 1 =
                                         every n-th, negative = no step rows (epoch and validation rows are always
                                         recorded). New after multi-label classification; a smaller struct_size,
                                         or a struct initialised without it, means 0. */
} nnl_fit_options;

/** Default ::nnl_fit_options: one epoch, batches of 32, seed 42, every step in the history. */
#define NNL_FIT_OPTIONS_INIT { sizeof(nnl_fit_options), 1, 0, 32, NULL, 0, 0, NULL, 0, NULL, NULL, 0.0f, 42u, 0, 0 }

/**
 * @brief Train the model, by epochs or by steps, with the options of @p options.
 *
 * nnl_model_fit() is this function with epochs, batch size, validation, seed
 * and progress set. The steps themselves do not allocate. Both record the
 * call's training history (nnl_model_history(), nnlite/history.h).
 * @param model   a compiled model.
 * @param train   training data (borrowed for the call); its augmentation, if set, is applied per batch.
 * @param options the options (borrowed for the call), or NULL for ::NNL_FIT_OPTIONS_INIT.
 * @return ::NNL_E_STATE when not compiled; ::NNL_E_INVALID_ARG for bad options (named in the
 *         message, including a struct_size this library does not know); ::NNL_E_SHAPE when the
 *         data do not fit the model; ::NNL_E_NUMERIC when the loss or the gradient norm becomes
 *         NaN or infinite (the message names the step); ::NNL_E_IO from a checkpoint;
 *         ::NNL_E_CANCELLED when the callback stops it (the steps taken are kept).
 */
NNL_API nnl_status nnl_model_fit_with(nnl_model *model, const nnl_dataset *train, const nnl_fit_options *options);

/**
 * @brief Loss and accuracy on a data set (inference mode).
 *
 * Uses the model's training buffers, so it is not one of the calls that may
 * run concurrently with nnl_model_predict(). A model loaded from a file
 * evaluates without nnl_model_compile(): its loss is in the file.
 * @param model      a compiled model, or one loaded from a file.
 * @param data       the data (borrowed for the call).
 * @param batch_size samples per forward pass, 1..2^20 (affects speed and memory, not the result).
 * @param loss       receives the mean loss per unit (a sample, or a position of a sequence for
 *                   cross-entropy); may be NULL.
 * @param accuracy   receives the accuracy (NaN for MSE); may be NULL.
 * @return ::NNL_E_STATE when the model has no loss (neither compiled nor loaded); ::NNL_E_SHAPE when the data do not fit the model;
 *         ::NNL_E_INVALID_ARG for a bad batch size or a label that is not a class index.
 */
NNL_API nnl_status nnl_model_evaluate(nnl_model *model, const nnl_dataset *data, int64_t batch_size,
                                      double *loss, double *accuracy);

/**
 * @brief Loss and accuracy on random batches of a data set (inference mode), e.g.
 *        windows of a long text.
 * @param model      a model with a loss (compiled, or loaded from a file).
 * @param data       the data (borrowed for the call).
 * @param batches    batches, >= 1.
 * @param batch_size samples per batch, 1..2^20, drawn uniformly with replacement.
 * @param seed       seed of the draw: the same seed, the same batches.
 * @param loss       receives the mean loss per unit (sample, or position of a sequence); may be NULL.
 * @param accuracy   receives the accuracy (NaN for MSE); may be NULL.
 * @return as nnl_model_evaluate().
 */
NNL_API nnl_status nnl_model_evaluate_sampled(nnl_model *model, const nnl_dataset *data, int64_t batches,
                                              int64_t batch_size, uint64_t seed, double *loss, double *accuracy);

/**
 * @brief What each position of a token sequence attended to: the softmax
 *        weights of every attention layer and head of the model.
 *
 * Runs the model on @p tokens (inference: no dropout) and reads, in each
 * attention layer (causal or bidirectional, in the order of the stack,
 * depth first through transformer and residual blocks) and each of its
 * heads, the (length x length) matrix of attention weights: row t is query
 * position t, column j key position j, each row sums to 1. Causal layers
 * have zeros above the diagonal (position t sees 0..t). For a GPT, pass the
 * prompt and the tokens nnl_model_generate() produced: the weights are those
 * the generation computed, as long as the text fits the context (beyond it,
 * generation slides its window: pass the last T tokens). Positions after
 * @p length do not exist for the model: a bidirectional layer attends to
 * the @p length tokens only (they must not end with the model's padding
 * token, which would shorten them).
 *
 * Call it with @p weights NULL to learn the sizes.
 * @param model    a built model that maps (T,) token ids through at least one attention layer, all
 *                 of them with the same number of heads (the GPT and the BERT encoder do); only read,
 *                 so it may run beside nnl_model_predict() on other threads.
 * @param tokens   token ids (borrowed for the call), each in [0, vocab).
 * @param length   1..T tokens.
 * @param weights  receives layers x heads x length x length floats (row-major in that order), or NULL.
 * @param capacity floats @p weights holds (ignored when it is NULL).
 * @param layers   receives the number of attention layers; may be NULL.
 * @param heads    receives the heads per attention layer; may be NULL.
 * @return ::NNL_E_UNSUPPORTED when the model takes no token ids, has no attention layer or layers with
 *         different head counts; ::NNL_E_INVALID_ARG for a length out of range, a bad token or
 *         @p capacity too small (the message says how many floats are needed); ::NNL_E_NUMERIC
 *         when the outputs are not finite.
 */
NNL_API nnl_status nnl_model_attention_weights(const nnl_model *model, const int32_t *tokens, int64_t length,
                                               float *weights, int64_t capacity, int64_t *layers,
                                               int64_t *heads);

/** Options of nnl_model_generate(). Initialise with ::NNL_GENERATE_OPTIONS_INIT. */
typedef struct nnl_generate_options {
    size_t struct_size;   /**< sizeof(nnl_generate_options) (docs/versioning.md). */
    int64_t max_tokens;   /**< Tokens to generate, >= 0 (default 200). */
    float temperature;    /**< Divides the logits; 0 picks the most likely token (default 0.8). */
    int64_t top_k;        /**< Sample among the k most likely tokens; 0 disables (default 200). */
    float top_p;          /**< Sample within the smallest set of probability >= top_p; 1 disables (default 1). */
    uint64_t seed;        /**< Seed of the sampler: same seed, same tokens (default 1). */
} nnl_generate_options;

/** Default ::nnl_generate_options. */
#define NNL_GENERATE_OPTIONS_INIT { sizeof(nnl_generate_options), 200, 0.8f, 200, 1.0f, 1u }

/**
 * @brief Receives each generated token of nnl_model_generate().
 * @param token the token id.
 * @param user  the pointer given to nnl_model_generate().
 * @return 0 to go on, nonzero to stop (nnl_model_generate() then returns ::NNL_OK).
 */
typedef int (*nnl_token_fn)(int32_t token, void *user);

/**
 * @brief Continue a token sequence with a causal model, one sampled token at a time.
 *
 * The model takes (T,) token ids and outputs (T, vocab) logits, and every
 * layer is causal (embeddings, position embedding, layernorm, dense, dropout,
 * causal attention, transformer blocks, residual blocks of these, a tied
 * output): the GPT of nnl_gpt_create() is one. Each attention layer keeps the
 * keys and values of the positions so far, so a new token costs one
 * position's work. When the sequence reaches T tokens, the older half is
 * dropped and the caches rebuilt from the newer half (a sliding window), so
 * generation never stops at the context limit.
 * @param model    the model (not modified: the caches live in buffers of the call's own, so
 *                 generations and nnl_model_predict() may run on it from several threads at once,
 *                 but not while nnl_model_fit() changes its weights).
 * @param prompt   token ids (borrowed for the call), each in [0, vocab).
 * @param length   number of prompt tokens, >= 1.
 * @param options  the options (borrowed), or NULL for the defaults.
 * @param on_token called with each new token (required).
 * @param user     passed to @p on_token.
 * @return ::NNL_E_UNSUPPORTED (naming the layer) when the model is not a causal stack over token
 *         ids; ::NNL_E_INVALID_ARG for bad options, an empty prompt or a token out of range.
 */
NNL_API nnl_status nnl_model_generate(const nnl_model *model, const int32_t *prompt, int64_t length,
                                      const nnl_generate_options *options, nnl_token_fn on_token, void *user);

/**
 * @brief Inference on a batch: the model's outputs (probabilities after a softmax).
 * @param model  the model (compiled or not). Thread-safe, see the group description.
 * @param x      {batch, input shape...}, or just the input shape for one sample.
 * @param y      {batch, output shape...} (or the output shape for one sample), written.
 * @return ::NNL_E_SHAPE when the shapes do not fit; ::NNL_E_NUMERIC when an input is NaN or infinite.
 */
NNL_API nnl_status nnl_model_predict(const nnl_model *model, const nnl_tensor *x, nnl_tensor *y);

/**
 * @brief Inference over a whole data set.
 * @param model      the model. Thread-safe.
 * @param data       the inputs (targets unused; borrowed for the call).
 * @param batch_size samples per forward pass, 1..2^20.
 * @param outputs    receives size * output-size floats, or NULL.
 * @param classes    receives size argmax class indices, or NULL.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a bad batch size; ::NNL_E_SHAPE when
 *         the samples do not fit the model; ::NNL_E_NUMERIC when an input is NaN or infinite.
 */
NNL_API nnl_status nnl_model_predict_dataset(const nnl_model *model, const nnl_dataset *data,
                                             int64_t batch_size, float *outputs, int32_t *classes);

/**
 * @brief Give a model of token sequences a padding token: the run of it that ends a
 *        sample is padding, which bidirectional attention (nnl_layer_self_attention(),
 *        nnl_layer_encoder_block()) does not attend to.
 *
 * With it, sequences of different lengths share a batch padded to the model's input
 * length (as nnl_dataset_load_tsv() pads with ::NNL_TOKEN_PAD) and each position's
 * output is what it would be without the padding. Every forward pass (fit, evaluate,
 * predict) finds each sample's length from its ids; at least one position always
 * counts. The token is saved in the model file. Causal layers need no mask: padding
 * comes after every position they read.
 * @param model the model; its input must be (T,) token ids.
 * @param token the padding id, 0 .. 2^24 - 1, or -1 for none (the default).
 * @return ::NNL_E_INVALID_ARG for NULL or a token out of range; ::NNL_E_SHAPE when the
 *         model's input is not one-dimensional.
 */
NNL_API nnl_status nnl_model_set_padding_token(nnl_model *model, int32_t token);

/**
 * @brief The model's padding token (nnl_model_set_padding_token()).
 * @param model the model.
 * @return the token id, or -1 when it has none or @p model is NULL.
 */
NNL_API int32_t nnl_model_padding_token(const nnl_model *model);

/**
 * @brief Keep the tokenizer that turns text into the model's input ids with the model,
 *        and in its file (e.g. an encoder's vocabulary with its special tokens).
 * @param model     the model.
 * @param tokenizer copied; NULL removes the model's tokenizer.
 * @return ::NNL_E_INVALID_ARG for a NULL @p model; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_model_set_tokenizer(nnl_model *model, const nnl_tokenizer *tokenizer);

/**
 * @brief The model's tokenizer (nnl_model_set_tokenizer(), or the model file's).
 * @param model the model.
 * @return the tokenizer, borrowed: valid until the model is freed or its tokenizer
 *         replaced; NULL when it has none or @p model is NULL.
 */
NNL_API const nnl_tokenizer *nnl_model_tokenizer(const nnl_model *model);

/**
 * @brief Name the model's output classes (e.g. a text classifier's labels, from
 *        nnl_dataset_class_name()); kept in the model file.
 * @param model the model.
 * @param names @p count NUL-terminated UTF-8 names of at most 1024 bytes each, class 0
 *              first (copied); may be NULL when @p count is 0, which removes the names.
 * @param count 0 .. 65536.
 * @return ::NNL_E_INVALID_ARG for a NULL @p model, a count out of range or a NULL or too
 *         long name; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_model_set_class_names(nnl_model *model, const char *const *names, int32_t count);

/**
 * @brief The name of one of the model's classes (nnl_model_set_class_names()).
 * @param model the model.
 * @param id    the class, 0 .. the number of names - 1.
 * @return the name, borrowed: valid until the model is freed or its names replaced;
 *         NULL for an id out of range, a model without names or NULL.
 */
NNL_API const char *nnl_model_class_name(const nnl_model *model, int32_t id);

/**
 * @brief Multi-label inference over a data set: per-class probabilities and
 *        the predicted label sets.
 *
 * The model outputs one value per class (shape {classes}). The
 * probabilities are its outputs when its last layer ends in a sigmoid
 * (e.g. nnl_layer_dense() with ::NNL_ACT_SIGMOID, the multi-label head), or
 * the sigmoid of its outputs when it has no sigmoid there but its loss is
 * ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY (its outputs are then logits).
 * Sample i is predicted to have class c when its probability is >= the
 * class's threshold.
 * @param model         the model. Thread-safe.
 * @param data          the inputs (targets unused; borrowed for the call).
 * @param batch_size    samples per forward pass, 1..2^20.
 * @param thresholds    one threshold per class in [0, 1] (e.g. from
 *                      nnl_metrics_tune_thresholds()), or NULL for 0.5 each; borrowed.
 * @param probabilities receives size * classes probabilities, row after row, or NULL.
 * @param labels        receives size * classes bytes, 1 for a predicted class and 0
 *                      otherwise (for nnl_metrics_multilabel()), or NULL.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a bad batch size or a threshold outside [0, 1];
 *         ::NNL_E_SHAPE when the samples do not fit the model or its output is not one value per
 *         class; ::NNL_E_STATE when its outputs are not probabilities (no sigmoid last, and another
 *         loss); ::NNL_E_NUMERIC when an input is NaN or infinite.
 */
NNL_API nnl_status nnl_model_predict_multilabel(const nnl_model *model, const nnl_dataset *data,
                                                int64_t batch_size, const float *thresholds,
                                                float *probabilities, uint8_t *labels);

/**
 * @brief Save architecture and weights as a safetensors file, atomically.
 *
 * Writes a temporary file in the same directory and renames it over @p path,
 * so an existing file is replaced whole or not at all.
 * @param model the model.
 * @param path  destination.
 * @param flags ::NNL_SAVE_WEIGHTS or ::NNL_SAVE_OPTIMIZER.
 * @return ::NNL_E_IO with the path on failure (the old file is intact).
 */
NNL_API nnl_status nnl_model_save(const nnl_model *model, const char *path, int flags);

/**
 * @brief Load a model saved by nnl_model_save().
 *
 * Everything is validated before use: header size and JSON, dtypes, shapes,
 * offsets, the architecture and that every weight fits it. A file saved with
 * optimizer state comes back compiled, ready to resume training.
 * @param out  receives the model (transferred; free with nnl_model_free()); NULL on failure.
 * @param path the file (format: docs/file-format.md).
 * @return ::NNL_E_IO when it cannot be read; ::NNL_E_FORMAT (with the reason) when malformed;
 *         ::NNL_E_NUMERIC when a weight is NaN or infinite.
 */
NNL_API nnl_status nnl_model_load(nnl_model **out, const char *path);

NNL_END_DECLS

#endif
/** @} */
