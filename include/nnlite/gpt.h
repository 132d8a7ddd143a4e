/**
 * @file nnlite/gpt.h
 * @brief A character-level GPT: create, train, generate, save and load.
 *
 * @defgroup gpt GPT language model
 * GPT-2's architecture at small scale: token and position embeddings; N
 * pre-LayerNorm blocks of causal multi-head self-attention and a 4x GELU MLP,
 * each around a residual connection; a final LayerNorm; and a language-model
 * head tied to the token embedding. The vocabulary is an ::nnl_tokenizer of
 * Unicode code points, copied into the model and saved with it.
 *
 * Training is AdamW with linear warmup and cosine decay, gradient-norm
 * clipping, periodic validation and checkpoints; a run resumed from a
 * checkpoint continues the same loss curve. Generation streams one UTF-8
 * piece per token through a callback and keeps a key/value cache.
 *
 * Threads: the compute uses nnl_get_num_threads() threads. A model is used by
 * one thread at a time (training and generation both keep state in it).
 *
 * @anchor struct_size_rules
 * Sized structs (::nnl_gpt_config, ::nnl_gpt_train_options,
 * ::nnl_gpt_generate_options) start with `struct_size`, which their `_INIT`
 * macro sets to the struct's size in the headers the program was compiled
 * with (docs/versioning.md). The library accepts any struct_size from the
 * struct's size in its first release (0.1.0; today's size) up to today's
 * size, and reads the members an older program does not have as their
 * documented defaults. A larger struct_size (a program built against a newer
 * nnlite) is accepted when every byte past today's size is zero, up to 4096
 * bytes. Anything else is ::NNL_E_INVALID_ARG with a message naming the
 * struct. An output struct (nnl_gpt_get_config()) gets at most struct_size
 * bytes written, and none past today's size.
 * @{
 */
#ifndef NNLITE_GPT_H
#define NNLITE_GPT_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"
#include "text.h"

NNL_BEGIN_DECLS

/** Opaque GPT model handle. */
typedef struct nnl_gpt nnl_gpt;

/** Architecture of a GPT. Initialise with ::NNL_GPT_CONFIG_INIT, then set fields. */
typedef struct nnl_gpt_config {
    size_t struct_size;   /**< sizeof(nnl_gpt_config) (set by ::NNL_GPT_CONFIG_INIT), so that the struct can grow:
                               see @ref struct_size_rules "sized structs". */
    int64_t n_layer;      /**< Transformer blocks, >= 1 (default 4). */
    int64_t n_head;       /**< Attention heads, >= 1, dividing n_embd (default 4). */
    int64_t n_embd;       /**< Embedding width, >= 1 (default 128). */
    int64_t block_size;   /**< Longest context in tokens, >= 1 (default 64). */
    float dropout;        /**< Dropout rate in [0, 1) on the embeddings and on each residual branch during training (default 0). */
    uint64_t seed;        /**< Seed of the weight initialisation, batch sampling and dropout (default 1337). */
} nnl_gpt_config;

/** Default ::nnl_gpt_config: nanoGPT's "baby" model. */
#define NNL_GPT_CONFIG_INIT { sizeof(nnl_gpt_config), 4, 4, 128, 64, 0.0f, 1337u }

/**
 * @brief Create a GPT with weights drawn from N(0, 0.02) (residual projections
 *        scaled by 1/sqrt(2 n_layer), as GPT-2), biases 0 and LayerNorms 1/0.
 * @param out       receives the model (caller owns it; free with nnl_gpt_free()).
 * @param config    the architecture (copied).
 * @param tokenizer the vocabulary (copied); its size sets the embedding's rows.
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a bad struct_size or out-of-range
 *         values (the message names them); ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_gpt_create(nnl_gpt **out, const nnl_gpt_config *config,
                                  const nnl_tokenizer *tokenizer);

/**
 * @brief Free a model.
 * @param gpt the model, or NULL (a no-op). Its tokenizer (nnl_gpt_tokenizer()) goes with it.
 */
NNL_API void nnl_gpt_free(nnl_gpt *gpt);

/**
 * @brief Copy the model's architecture into @p config.
 * @param gpt    the model.
 * @param config receives the values; its struct_size must be set by the caller
 *               (initialise it with ::NNL_GPT_CONFIG_INIT).
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a struct_size below the first release's size
 *         (or above 4096 bytes); members this library does not know are left as they are.
 */
NNL_API nnl_status nnl_gpt_get_config(const nnl_gpt *gpt, nnl_gpt_config *config);

/**
 * @brief The model's vocabulary.
 * @param gpt the model.
 * @return the tokenizer, borrowed: valid while the model lives; NULL for NULL.
 */
NNL_API const nnl_tokenizer *nnl_gpt_tokenizer(const nnl_gpt *gpt);

/**
 * @brief The ::nnl_model the GPT is: its layers, summary, files, fit and generation.
 *
 * The GPT is an ordinary model: token embedding, position embedding, the
 * transformer blocks, a final layernorm and an output layer tied to the
 * token embedding (nnl_layer_tied_output()), with the loss
 * ::NNL_LOSS_SOFTMAX_CROSSENTROPY. Everything nnl_gpt_* does goes through it,
 * so nnl_model_generate(), nnl_model_predict() or nnl_model_summary() on it
 * give what the GPT calls give.
 * @param gpt the GPT.
 * @return the model, borrowed: owned by the GPT, valid until nnl_gpt_free(); do not free it.
 *         nnl_model_add() and nnl_model_compile() on it return ::NNL_E_STATE (its layers
 *         are the GPT's, and nnl_gpt_train() compiles it). NULL for NULL.
 */
NNL_API nnl_model *nnl_gpt_model(nnl_gpt *gpt);

/**
 * @brief Trainable scalars (the tied head counted once).
 * @param gpt the model.
 * @return the count, or -1 for NULL.
 */
NNL_API int64_t nnl_gpt_param_count(const nnl_gpt *gpt);

/**
 * @brief Optimizer steps taken so far (restored by nnl_gpt_load()).
 * @param gpt the model.
 * @return the count, or -1 for NULL.
 */
NNL_API int64_t nnl_gpt_step(const nnl_gpt *gpt);

/**
 * @brief Write a Keras-like summary (layer, output shape, parameters).
 * @param gpt      the model.
 * @param buf      receives the NUL-terminated text, truncated to @p capacity; may be NULL when capacity is 0.
 * @param capacity bytes @p buf can hold.
 * @param length   receives the full length without the NUL (to size a buffer); may be NULL.
 * @return ::NNL_E_INVALID_ARG for a NULL model, or a NULL @p buf with a nonzero capacity;
 *         ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_gpt_summary(const nnl_gpt *gpt, char *buf, size_t capacity, size_t *length);

/** Opaque progress report passed to an ::nnl_gpt_progress_fn; read it with nnl_gpt_progress_get(). */
typedef struct nnl_gpt_progress nnl_gpt_progress;

/** Values of a training progress report. */
typedef enum nnl_gpt_progress_key {
    NNL_GPT_PROGRESS_STEP = 0,          /**< Steps done, from 1 (counts the steps before a resume). */
    NNL_GPT_PROGRESS_STEPS = 1,         /**< Total steps of the run (the options' iters). */
    NNL_GPT_PROGRESS_LOSS = 2,          /**< Training loss of this step (mean over its tokens). */
    NNL_GPT_PROGRESS_VAL_LOSS = 3,      /**< Validation loss when evaluated at this step, else NaN. */
    NNL_GPT_PROGRESS_TOKENS_PER_S = 4,  /**< Training tokens per second since this call started. */
    NNL_GPT_PROGRESS_ELAPSED = 5,       /**< Seconds since this call started. */
    NNL_GPT_PROGRESS_ETA = 6,           /**< Estimated seconds left. */
    NNL_GPT_PROGRESS_LEARNING_RATE = 7, /**< Learning rate of this step. */
    NNL_GPT_PROGRESS_GRAD_NORM = 8      /**< Gradient norm before clipping. */
} nnl_gpt_progress_key;

/**
 * @brief One value of a progress report.
 * @param progress the report passed to the callback (valid only during the call).
 * @param key      which value.
 * @return the value, or NaN for a NULL report or an unknown key.
 */
NNL_API double nnl_gpt_progress_get(const nnl_gpt_progress *progress, nnl_gpt_progress_key key);

/**
 * @brief Progress callback of nnl_gpt_train(), called after every step with a
 *        report valid only during the call. Return 0 to go on, nonzero to stop
 *        (nnl_gpt_train() then returns ::NNL_E_CANCELLED; the step is kept).
 */
typedef int (*nnl_gpt_progress_fn)(const nnl_gpt_progress *progress, void *user);

/** Options of nnl_gpt_train(). Initialise with ::NNL_GPT_TRAIN_OPTIONS_INIT, then set fields. */
typedef struct nnl_gpt_train_options {
    size_t struct_size;          /**< sizeof(nnl_gpt_train_options), set by ::NNL_GPT_TRAIN_OPTIONS_INIT
                                      (@ref struct_size_rules "sized structs"). */
    int64_t iters;               /**< Train until the model has taken this many steps (default 2000). */
    int64_t batch_size;          /**< Windows per step (default 12). */
    float learning_rate;         /**< Peak learning rate (default 1e-3). */
    float min_lr;                /**< Learning rate at the end of the cosine decay (default 1e-4). */
    int64_t warmup_iters;        /**< Linear warmup steps (default 100). */
    int64_t lr_decay_iters;      /**< Step where the decay reaches min_lr; 0 means iters (default 0). */
    float weight_decay;          /**< AdamW decay of matrices and embeddings, not of biases and norms (default 0.1). */
    float beta1;                 /**< Adam beta1 (default 0.9). */
    float beta2;                 /**< Adam beta2 (default 0.99). */
    float grad_clip;             /**< Clip the global gradient norm to this; 0 disables (default 1.0). */
    int64_t eval_interval;       /**< Validate every this many steps and at the last; 0 only at the last (default 250). */
    int64_t eval_batches;        /**< Validation batches per evaluation, the same ones each time (default 20). */
    int64_t checkpoint_interval; /**< Save every this many steps and at the last; 0 disables (default 0). */
    const char *checkpoint_path; /**< Where to save (borrowed for the call), or NULL. */
    nnl_gpt_progress_fn progress;/**< Callback after each step, or NULL. */
    void *user;                  /**< Passed to @ref progress. */
} nnl_gpt_train_options;

/** Default ::nnl_gpt_train_options: nanoGPT's settings for a small character model. */
#define NNL_GPT_TRAIN_OPTIONS_INIT \
    { sizeof(nnl_gpt_train_options), 2000, 12, 1e-3f, 1e-4f, 100, 0, 0.1f, 0.9f, 0.99f, 1.0f, 250, 20, 0, NULL, NULL, NULL }

/**
 * @brief Train on random windows of a text data set's training split.
 *
 * Continues from nnl_gpt_step() (0 for a new model, the saved step after
 * nnl_gpt_load()) up to options->iters. Batches and dropout come from the
 * model's own generator, which checkpoints save, so that a resumed run draws
 * the same batches as an uninterrupted one. Allocates its buffers once; the
 * steps themselves do not allocate. The call's training history (a row per
 * step and per evaluation, nnlite/history.h) is nnl_model_history() of
 * nnl_gpt_model().
 * @param gpt     the model.
 * @param data    the corpus (borrowed for the call); its tokenizer must have the model's vocabulary size.
 * @param options the options (borrowed for the call).
 * @return ::NNL_E_INVALID_ARG for bad options (named in the message); ::NNL_E_SHAPE when the
 *         vocabularies differ or a split is shorter than block_size + 1; ::NNL_E_NUMERIC when the
 *         loss becomes NaN or infinite (the message names the step); ::NNL_E_IO from a
 *         checkpoint; ::NNL_E_CANCELLED when the callback stops it.
 */
NNL_API nnl_status nnl_gpt_train(nnl_gpt *gpt, const nnl_text_dataset *data,
                                 const nnl_gpt_train_options *options);

/**
 * @brief Mean cross-entropy loss (nats per token) over random windows of a split.
 * @param gpt        the model (its activation buffers are reused; one thread at a time).
 * @param data       the corpus (borrowed for the call).
 * @param split      which split.
 * @param batches    number of batches, >= 1.
 * @param batch_size windows per batch, 1..2^20; each window is block_size + 1 tokens.
 * @param seed       seed of the windows (the model's generator is not touched).
 * @param loss       receives the mean loss.
 * @return ::NNL_E_INVALID_ARG for NULL pointers or out-of-range values; ::NNL_E_SHAPE when
 *         the vocabularies differ or the split is shorter than block_size + 1; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_gpt_evaluate(nnl_gpt *gpt, const nnl_text_dataset *data, nnl_text_split split,
                                    int64_t batches, int64_t batch_size, uint64_t seed, double *loss);

/** Options of nnl_gpt_generate(). Initialise with ::NNL_GPT_GENERATE_OPTIONS_INIT. */
typedef struct nnl_gpt_generate_options {
    size_t struct_size;   /**< sizeof(nnl_gpt_generate_options), set by ::NNL_GPT_GENERATE_OPTIONS_INIT
                               (@ref struct_size_rules "sized structs"). */
    int64_t max_tokens;   /**< Tokens to generate, >= 0 (default 200). */
    float temperature;    /**< Divides the logits; 0 picks the most likely token (default 0.8). */
    int64_t top_k;        /**< Sample among the k most likely tokens; 0 disables (default 200). */
    float top_p;          /**< Sample within the smallest set of probability >= top_p; 1 disables (default 1). */
    uint64_t seed;        /**< Seed of the sampler: same seed, same text (default 1). */
} nnl_gpt_generate_options;

/** Default ::nnl_gpt_generate_options. */
#define NNL_GPT_GENERATE_OPTIONS_INIT { sizeof(nnl_gpt_generate_options), 200, 0.8f, 200, 1.0f, 1u }

/**
 * @brief Receives each generated token.
 * @param piece the token's UTF-8 text, NUL-terminated, borrowed for the call.
 * @param token the token id.
 * @param user  the pointer given to nnl_gpt_generate().
 * @return 0 to go on, nonzero to stop (nnl_gpt_generate() then returns ::NNL_OK).
 */
typedef int (*nnl_gpt_token_fn)(const char *piece, int32_t token, void *user);

/**
 * @brief Generate text after a prompt, streaming each token to a callback.
 *
 * The prompt is encoded with the model's tokenizer (characters outside the
 * vocabulary become the unknown token; an empty prompt starts from a newline
 * when the vocabulary has one). A key/value cache makes each new token cost
 * one position's work. When the context reaches block_size tokens, the oldest
 * half is dropped and the cache rebuilt from the newer half (a sliding window),
 * so generation never stops at the context limit.
 * @param gpt      the model.
 * @param prompt   NUL-terminated UTF-8 (borrowed for the call).
 * @param options  the options (borrowed), or NULL for the defaults.
 * @param on_token the callback (required).
 * @param user     passed to @p on_token.
 * @return ::NNL_E_FORMAT for a prompt that is not valid UTF-8; ::NNL_E_INVALID_ARG for bad options.
 */
NNL_API nnl_status nnl_gpt_generate(nnl_gpt *gpt, const char *prompt,
                                    const nnl_gpt_generate_options *options,
                                    nnl_gpt_token_fn on_token, void *user);

/** Flags of nnl_gpt_save(). */
typedef enum nnl_gpt_save_flags {
    NNL_GPT_SAVE_WEIGHTS = 0,  /**< Architecture, vocabulary and weights: enough to generate. */
    NNL_GPT_SAVE_TRAINING = 1  /**< Also AdamW's moments, the step and the generator: enough to resume training. */
} nnl_gpt_save_flags;

/**
 * @brief Save the model as a safetensors file, atomically.
 *
 * The architecture, vocabulary and training state go in the header's
 * metadata; tensors use nanoGPT's names (transformer.h.0.attn.c_attn.weight ...).
 * A temporary file in the same directory is renamed over @p path, so an
 * existing file is replaced whole or not at all.
 * @param gpt   the model.
 * @param path  destination.
 * @param flags ::nnl_gpt_save_flags. ::NNL_GPT_SAVE_TRAINING before any training
 *              saves zero moments.
 * @return ::NNL_E_IO with the path on failure (an old file is intact).
 */
NNL_API nnl_status nnl_gpt_save(const nnl_gpt *gpt, const char *path, int flags);

/**
 * @brief Load a model saved by nnl_gpt_save().
 *
 * Nothing in the file is trusted: the safetensors layout, every metadata
 * value (numbers, ranges, the vocabulary) and every tensor's shape are checked
 * before use, and a file with training state restores it so that
 * nnl_gpt_train() resumes where the saved run stopped.
 * @param out  receives the model (transferred; free with nnl_gpt_free()); NULL on failure.
 * @param path the file (format: docs/file-format.md).
 * @return ::NNL_E_IO when it cannot be read; ::NNL_E_FORMAT (with the reason) when malformed;
 *         ::NNL_E_NUMERIC when a weight is NaN or infinite.
 */
NNL_API nnl_status nnl_gpt_load(nnl_gpt **out, const char *path);

NNL_END_DECLS

#endif
/** @} */
