/**
 * @file nnlite/layer.h
 * @brief Layers: the building blocks of a model, usable on their own too.
 *
 * @defgroup layer Layers
 * A layer is created unbuilt (its input shape unknown). Adding it to a model
 * (nnl_model_add()) builds it for the model's current output shape and hands
 * it over to the model; or build it yourself with nnl_layer_build() and call
 * nnl_layer_forward() / nnl_layer_backward() directly.
 *
 * Shapes are per sample, without the batch dimension; images are
 * height x width x channels (NHWC, as Keras). Tensors passed to forward and
 * backward carry the batch as their first dimension.
 *
 * Thread-safety: a layer is used by one thread at a time, except that a
 * model holding it may serve nnl_model_predict() from many threads.
 * @{
 */
#ifndef NNLITE_LAYER_H
#define NNLITE_LAYER_H

#include <stdint.h>

#include "export.h"
#include "status.h"
#include "tensor.h"

NNL_BEGIN_DECLS

/** Opaque layer handle. */
typedef struct nnl_layer nnl_layer;

/** Activation applied by a layer (fused into dense/conv2d, or on its own). */
typedef enum nnl_activation {
    NNL_ACT_NONE = 0,     /**< Identity. */
    NNL_ACT_RELU = 1,     /**< max(0, x). */
    NNL_ACT_SIGMOID = 2,  /**< 1 / (1 + e^-x). */
    NNL_ACT_TANH = 3,     /**< tanh(x). */
    NNL_ACT_GELU = 4,     /**< GELU, tanh approximation (as GPT-2). */
    NNL_ACT_SOFTMAX = 5   /**< Softmax over the last dimension. */
} nnl_activation;

/** Padding of convolution and pooling windows. */
typedef enum nnl_padding {
    NNL_PAD_VALID = 0,  /**< No padding: output = floor((in - kernel) / stride) + 1. */
    NNL_PAD_SAME = 1    /**< Zero padding so that output = ceil(in / stride). */
} nnl_padding;

/**
 * @brief Fully connected layer: y = act(x W + b) over the last dimension.
 * @param out   receives the layer (caller owns it until it is added to a model).
 * @param units output features, >= 1.
 * @param activation fused activation.
 * Weights are Glorot-uniform initialised and biases zero when the layer is built.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out, units < 1 or an unknown activation.
 */
NNL_API nnl_status nnl_layer_dense(nnl_layer **out, int64_t units, nnl_activation activation);

/**
 * @brief 2-D convolution over HxWxC inputs: y = act(conv(x, W) + b).
 * @param out         receives the layer.
 * @param filters     output channels, >= 1.
 * @param kernel_h    kernel height, >= 1.
 * @param kernel_w    kernel width, >= 1.
 * @param stride      stride in both directions, >= 1.
 * @param padding     ::NNL_PAD_VALID or ::NNL_PAD_SAME.
 * @param activation  fused activation.
 * Weights are HWIO (kernel_h, kernel_w, in_channels, filters), Glorot-uniform.
 * @return ::NNL_E_INVALID_ARG for out-of-range values.
 */
NNL_API nnl_status nnl_layer_conv2d(nnl_layer **out, int64_t filters, int64_t kernel_h,
                                    int64_t kernel_w, int64_t stride, nnl_padding padding,
                                    nnl_activation activation);

/**
 * @brief Max pooling over HxWxC inputs (no padding).
 * @param out    receives the layer (caller owns it until it is added to a model).
 * @param pool_h window height, 1..1024.
 * @param pool_w window width, 1..1024.
 * @param stride stride in both directions, 0..1024; 0 means the window height (Keras default).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or out-of-range values.
 */
NNL_API nnl_status nnl_layer_maxpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride);

/**
 * @brief Average pooling over HxWxC inputs (no padding).
 * @param out    receives the layer (caller owns it until it is added to a model).
 * @param pool_h window height, 1..1024.
 * @param pool_w window width, 1..1024.
 * @param stride stride in both directions, 0..1024; 0 means the window height.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or out-of-range values.
 */
NNL_API nnl_status nnl_layer_avgpool2d(nnl_layer **out, int64_t pool_h, int64_t pool_w, int64_t stride);

/**
 * @brief Flatten every per-sample dimension into one.
 * @param out receives the layer (caller owns it until it is added to a model).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_flatten(nnl_layer **out);

/**
 * @brief A standalone activation layer.
 * @param out        receives the layer (caller owns it until it is added to a model).
 * @param activation any ::nnl_activation but ::NNL_ACT_NONE.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or an unknown activation.
 */
NNL_API nnl_status nnl_layer_activation(nnl_layer **out, nnl_activation activation);

/**
 * @brief Inverted dropout: in training, zero each value with probability @p rate and
 *        scale the rest by 1/(1-rate); identity at inference.
 * @param out  receives the layer (caller owns it until it is added to a model).
 * @param rate in [0, 1).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a rate out of range.
 */
NNL_API nnl_status nnl_layer_dropout(nnl_layer **out, float rate);

/**
 * @brief Batch normalisation over the last (channel) dimension.
 * @param out      receives the layer (caller owns it until it is added to a model).
 * @param momentum running-statistics momentum in [0, 1) (Keras: 0.99).
 * @param epsilon  > 0, added to the variance.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or values out of range.
 */
NNL_API nnl_status nnl_layer_batchnorm(nnl_layer **out, float momentum, float epsilon);

/**
 * @brief A residual block: y = x + f(x), where f is a sequence of inner layers
 *        added with nnl_layer_residual_add(). f must keep the shape.
 * @param out receives the block (caller owns it until it is added to a model;
 *            freeing it frees its inner layers).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_residual(nnl_layer **out);

/**
 * @brief Append an inner layer to a residual block before it is built.
 * @param block a layer made by nnl_layer_residual(), not yet built.
 * @param inner transferred to @p block on success; on failure the caller keeps it.
 * @return ::NNL_E_UNSUPPORTED when @p block is not a residual block,
 *         ::NNL_E_STATE when it is already built or @p inner belongs to something.
 */
NNL_API nnl_status nnl_layer_residual_add(nnl_layer *block, nnl_layer *inner);

/**
 * @brief Free a layer that no model owns.
 * @param layer the layer, or NULL (a no-op). A layer owned by a model or a
 *              residual block is left alone: its owner frees it.
 */
NNL_API void nnl_layer_free(nnl_layer *layer);

/**
 * @brief Type name of a layer.
 * @param layer the layer.
 * @return e.g. "dense", "conv2d" (static strings, the names used in model files);
 *         "" for NULL. Thread-safe.
 */
NNL_API const char *nnl_layer_type(const nnl_layer *layer);

/**
 * @brief Build a standalone layer for a per-sample input shape and initialise its weights.
 * @param layer not yet built and not owned by a model.
 * @param ndim  dimensions of @p input_dims.
 * @param input_dims per-sample input shape (copied).
 * @param seed  seed of the weight initialisation.
 * @return ::NNL_E_SHAPE when the layer cannot take that shape, ::NNL_E_STATE when already built.
 */
NNL_API nnl_status nnl_layer_build(nnl_layer *layer, int ndim, const int64_t *input_dims, uint64_t seed);

/**
 * @brief Per-sample output shape of a built layer.
 * @param layer    a built layer.
 * @param dims     receives the shape.
 * @param capacity elements @p dims can hold.
 * @param ndim     receives the number of dimensions.
 * @return ::NNL_E_STATE when the layer is not built.
 */
NNL_API nnl_status nnl_layer_output_shape(const nnl_layer *layer, int64_t *dims, int capacity, int *ndim);

/**
 * @brief Number of parameter tensors (weights, biases, statistics), inner layers included.
 * @param layer the layer.
 * @return the count (0 before the layer is built), or -1 for NULL.
 */
NNL_API int nnl_layer_num_params(const nnl_layer *layer);

/**
 * @brief Total trainable scalars of a built layer.
 * @param layer the layer.
 * @return the count, 0 when unbuilt, -1 for NULL.
 */
NNL_API int64_t nnl_layer_param_count(const nnl_layer *layer);

/**
 * @brief Access parameter tensor @p index.
 * @param layer a built layer.
 * @param index 0 .. nnl_layer_num_params() - 1.
 * @param name  receives its name ("kernel", "bias", ...; static). May be NULL.
 * @param value receives the value tensor (borrowed; valid while the layer lives). May be NULL.
 * @param grad  receives the gradient tensor (borrowed), or NULL for non-trainable state. May be NULL.
 * @return ::NNL_E_INVALID_ARG when @p index is out of range.
 */
NNL_API nnl_status nnl_layer_param(nnl_layer *layer, int index, const char **name, nnl_tensor **value,
                                   nnl_tensor **grad);

/**
 * @brief Run a standalone built layer forward.
 * @param layer    a built layer not owned by a model.
 * @param x        input {batch, input shape...}; borrowed and, when @p training is
 *                 nonzero, must stay unchanged until nnl_layer_backward().
 * @param y        output {batch, output shape...}, written.
 * @param training nonzero for training behaviour (dropout, batch statistics) and to
 *                 keep what backward needs.
 * @return ::NNL_E_SHAPE when @p x or @p y does not have the expected shape.
 */
NNL_API nnl_status nnl_layer_forward(nnl_layer *layer, const nnl_tensor *x, nnl_tensor *y, int training);

/**
 * @brief Back-propagate through a standalone layer after a training forward.
 *
 * Adds the parameter gradients to the layer's gradient tensors (see
 * nnl_layer_zero_grad()) and writes the input gradient.
 * @param layer a layer whose last call was nnl_layer_forward() with training set.
 * @param dy    gradient of the loss w.r.t. the output, shape of y.
 * @param dx    receives the gradient w.r.t. the input, shape of x; may be NULL when not needed.
 * @return ::NNL_E_STATE without a preceding training forward; ::NNL_E_SHAPE on shape mismatch.
 */
NNL_API nnl_status nnl_layer_backward(nnl_layer *layer, const nnl_tensor *dy, nnl_tensor *dx);

/**
 * @brief Set every gradient tensor of the layer (and of its inner layers) to zero.
 * @param layer the layer.
 * @return ::NNL_OK, or ::NNL_E_INVALID_ARG when @p layer is NULL.
 */
NNL_API nnl_status nnl_layer_zero_grad(nnl_layer *layer);

/**
 * @brief Token embedding: ids {..., } -> rows of a learned table {..., dim}.
 *
 * Inputs are token ids stored as floats (integers in [0, vocab)); the table
 * ("embeddings", vocab x dim) starts N(0, 0.02). Ids get no gradient (dx is 0).
 * @param out   receives the layer.
 * @param vocab table rows, 1..2^24.
 * @param dim   embedding width, 1..2^20.
 * @return ::NNL_E_INVALID_ARG for out-of-range values; forward returns it for an id
 *         that is not an integer in [0, vocab) (the message gives its index and value).
 */
NNL_API nnl_status nnl_layer_embedding(nnl_layer **out, int64_t vocab, int64_t dim);

/**
 * @brief Layer normalisation over the last dimension: y = (x - mean) / sqrt(var + epsilon) * gamma + beta.
 * @param out     receives the layer (caller owns it until it is added to a model).
 * @param epsilon in (0, 1), e.g. 1e-5.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or an epsilon out of range.
 */
NNL_API nnl_status nnl_layer_layernorm(nnl_layer **out, float epsilon);

/**
 * @brief Multi-head causal self-attention over (T, C) inputs, as GPT-2: position t
 *        attends to positions 0..t only.
 *
 * Parameters: "qkv_kernel" (C x 3C), "qkv_bias", "proj_kernel" (C x C), "proj_bias".
 * Memory does not grow with T squared (the kernel uses an online softmax).
 * @param out   receives the layer (caller owns it until it is added to a model).
 * @param heads attention heads, 1..4096; C must be divisible by it when built.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a head count out of range; building
 *         it for a width that @p heads does not divide is ::NNL_E_SHAPE.
 */
NNL_API nnl_status nnl_layer_causal_self_attention(nnl_layer **out, int64_t heads);

/**
 * @brief Multi-head bidirectional self-attention over (T, C) inputs, as BERT: every
 *        position attends to every position of its sequence that is not padding.
 *
 * The same layer as nnl_layer_causal_self_attention() (parameters, kernels, memory)
 * without the causal mask. When the model has a padding token
 * (nnl_model_set_padding_token()), the run of padding tokens that ends a sample is
 * masked out as keys: padded positions change no other position's output, whatever
 * the batch's padding. The layer is not causal, so nnl_model_generate() refuses a
 * model with it.
 * @param out   receives the layer (caller owns it until it is added to a model).
 * @param heads attention heads, 1..4096; C must be divisible by it when built.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a head count out of range; building
 *         it for a width that @p heads does not divide is ::NNL_E_SHAPE.
 */
NNL_API nnl_status nnl_layer_self_attention(nnl_layer **out, int64_t heads);

/**
 * @brief GPT-2 transformer block over (T, dim) inputs: x + attention(layernorm(x)), then
 *        h + MLP(layernorm(h)) with a 4 * dim GELU hidden layer.
 *
 * Its parameters are those of its inner layers (two layernorms, the attention and two
 * dense layers), in that order.
 * @param out   receives the layer (caller owns it until it is added to a model).
 * @param heads attention heads, dividing @p dim.
 * @param dim   the width C, 1..2^20.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or values out of range; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_transformer_block(nnl_layer **out, int64_t heads, int64_t dim);

/**
 * @brief nnl_layer_transformer_block() with dropout at the end of both residual
 *        branches (GPT-2's residual dropout), active in training only.
 * @param out     receives the layer (caller owns it until it is added to a model).
 * @param heads   attention heads, dividing @p dim.
 * @param dim     the width C, 1..2^20.
 * @param dropout rate in [0, 1); 0 gives exactly nnl_layer_transformer_block().
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or values out of range; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_transformer_block_dropout(nnl_layer **out, int64_t heads, int64_t dim,
                                                       float dropout);

/**
 * @brief Encoder block over (T, dim) inputs: nnl_layer_transformer_block_dropout() with
 *        bidirectional attention (nnl_layer_self_attention()), the block of a BERT-style
 *        encoder in GPT-2's pre-LayerNorm layout.
 *
 * x + attention(layernorm(x)), then h + MLP(layernorm(h)) with a 4 * dim GELU hidden
 * layer, each branch ending in dropout when @p dropout > 0 (training only). Its
 * parameters are those of its inner layers (two layernorms, the attention and two dense
 * layers), in that order. Padding is masked as nnl_layer_self_attention() says.
 * @param out     receives the layer (caller owns it until it is added to a model).
 * @param heads   attention heads, dividing @p dim.
 * @param dim     the width C, 1..2^20.
 * @param dropout rate in [0, 1).
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or values out of range; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_encoder_block(nnl_layer **out, int64_t heads, int64_t dim, float dropout);

/**
 * @brief Learned position embedding over (T, C) inputs: y[t] = x[t] + table[t].
 *
 * The table ("embeddings", positions x C) starts N(0, 0.02). In
 * nnl_model_generate() the new positions take the table rows at their
 * place in the sequence.
 * @param out       receives the layer (caller owns it until it is added to a model).
 * @param positions table rows, 1..2^20: the longest sequence; building it for
 *                  inputs of more than @p positions steps is ::NNL_E_SHAPE.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a count out of range.
 */
NNL_API nnl_status nnl_layer_position_embedding(nnl_layer **out, int64_t positions);

/**
 * @brief Output projection tied to an embedding: logits = x table^T over the
 *        embedding's vocabulary (GPT-2's language-model head), no bias.
 *
 * The layer shares the table of the embedding layer at index
 * @p embedding_layer of the same model: the model counts, saves and updates
 * that weight once, and both layers add to its gradient. (..., C) inputs give
 * (..., vocab) outputs. The layer works only inside a model.
 * @param out             receives the layer (caller owns it until it is added to a model).
 * @param embedding_layer index in the model of an ::nnl_layer_embedding layer added
 *                        before this one; adding the layer fails with ::NNL_E_STATE when
 *                        it is not, ::NNL_E_SHAPE when the widths differ.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a negative index; ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_layer_tied_output(nnl_layer **out, int64_t embedding_layer);

/**
 * @brief One position of a sequence: (T, C) inputs give (C) outputs, the features at
 *        @p position; position 0 is the `[CLS]` token a sequence classifier reads.
 *
 * No parameters. Its gradient goes to that position only.
 * @param out      receives the layer (caller owns it until it is added to a model).
 * @param position 0 .. 2^20 - 1; building it for sequences of @p position steps or fewer
 *                 is ::NNL_E_SHAPE.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out or a position out of range.
 */
NNL_API nnl_status nnl_layer_select_position(nnl_layer **out, int64_t position);

/** Options of the recurrent layers. Initialise with ::NNL_RNN_OPTIONS_INIT, then set fields. */
typedef struct nnl_rnn_options {
    size_t struct_size;       /**< sizeof(nnl_rnn_options) (docs/versioning.md). */
    int64_t hidden;           /**< Hidden size H, 1..2^16 (default 128). */
    int return_sequences;     /**< Nonzero: the output at every step, (T, H); 0: the final state only, (H)
                                   (default 1). */
    int bidirectional;        /**< Nonzero: a second pass from the last step to the first; outputs are
                                   [forward | backward], 2H wide, and the final state of the backward pass
                                   is its state after step 0 (PyTorch's h_n) (default 0). */
    int learn_initial_state;  /**< Nonzero: the state before the first step (h0, and c0 for an LSTM) is a
                                   learned parameter per direction ("h0", "c0"), shared by the batch;
                                   0: zeros (default 0). */
} nnl_rnn_options;

/** Default ::nnl_rnn_options: hidden 128, every step's output, one direction, zero initial state. */
#define NNL_RNN_OPTIONS_INIT { sizeof(nnl_rnn_options), 128, 1, 0, 0 }

/**
 * @brief Elman recurrent layer over (T, I) inputs: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
 *
 * The input size I is the last dimension of the input, known when the layer is
 * built. Parameters are PyTorch's, with the same names and layouts, so weights
 * map one to one: "weight_ih" (H, I), "weight_hh" (H, H), "bias_ih" (H),
 * "bias_hh" (H), and with bidirectional the same with "_reverse"; all drawn
 * U(-1/sqrt(H), 1/sqrt(H)) as PyTorch does. The projection of every step's
 * input is one GEMM; each step adds the recurrent projection (a GEMM of
 * batch rows) and the nonlinearity. In nnl_model_generate() the state of the
 * steps so far is the layer's cache, so each new token costs one step
 * (a bidirectional layer cannot generate).
 * @param out     receives the layer (caller owns it until it is added to a model).
 * @param options the options (borrowed for the call), or NULL for ::NNL_RNN_OPTIONS_INIT.
 * @return ::NNL_E_INVALID_ARG for a NULL @p out, a struct_size this library does not know or a
 *         hidden size out of range; building it for an input that is not (T, I) is ::NNL_E_SHAPE.
 */
NNL_API nnl_status nnl_layer_rnn(nnl_layer **out, const nnl_rnn_options *options);

/**
 * @brief LSTM layer over (T, I) inputs, PyTorch's cell: gates i, f, g, o in that order,
 *        c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
 *
 * As nnl_layer_rnn(), with 4H rows in "weight_ih" (4H, I), "weight_hh" (4H, H),
 * "bias_ih" and "bias_hh" (4H), the gate blocks in the order i, f, g, o; the
 * gate nonlinearities and the cell update are one fused kernel.
 * @param out     receives the layer.
 * @param options the options (borrowed), or NULL for ::NNL_RNN_OPTIONS_INIT.
 * @return as nnl_layer_rnn().
 */
NNL_API nnl_status nnl_layer_lstm(nnl_layer **out, const nnl_rnn_options *options);

/**
 * @brief GRU layer over (T, I) inputs, PyTorch's cell: gates r, z, n in that order,
 *        n = tanh(x W_in + b_in + r (h W_hn + b_hn)), h_t = (1 - z) n + z h_{t-1}.
 *
 * As nnl_layer_rnn(), with 3H rows in "weight_ih" (3H, I), "weight_hh" (3H, H),
 * "bias_ih" and "bias_hh" (3H), the gate blocks in the order r, z, n.
 * @param out     receives the layer.
 * @param options the options (borrowed), or NULL for ::NNL_RNN_OPTIONS_INIT.
 * @return as nnl_layer_rnn().
 */
NNL_API nnl_status nnl_layer_gru(nnl_layer **out, const nnl_rnn_options *options);

NNL_END_DECLS

#endif
/** @} */
