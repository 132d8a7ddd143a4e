/* The character-level recurrent language model of examples/char_rnn and
 * bench/char_rnn: embedding -> `layers` recurrent layers (every step) ->
 * dense logits over the vocabulary, compiled with softmax cross-entropy and
 * Adam (linear warmup, cosine decay to min_lr at the last step, clipping
 * 1.0), the embedding and output layer initialised as PyTorch's. */
#ifndef NNL_EXAMPLES_CHAR_MODEL_H
#define NNL_EXAMPLES_CHAR_MODEL_H

#include <stdint.h>

#include <nnlite.h>

typedef nnl_status (*char_model_cell_fn)(nnl_layer **out, const nnl_rnn_options *options);

typedef struct char_model_config {
    char_model_cell_fn cell;     /* nnl_layer_lstm, nnl_layer_gru or nnl_layer_rnn */
    int64_t seq, embd, hidden, layers;
    int64_t iters, warmup;       /* the schedule's length and its warmup */
    double lr, min_lr;
    uint64_t seed;
} char_model_config;

/* The layer constructor of "lstm", "gru" or "rnn"; NULL for another name. */
char_model_cell_fn char_model_cell(const char *name);

/* The compiled model for a vocabulary of `vocab` tokens (transferred to the caller). */
nnl_status char_model_create(nnl_model **out, const char_model_config *c, int64_t vocab);

#endif
