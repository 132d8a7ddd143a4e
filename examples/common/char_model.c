/* The character-level recurrent language model shared by examples/char_rnn.c
 * and bench/char_rnn.c (the benchmark must train what users run). */
#include "common/char_model.h"

#include <math.h>
#include <string.h>

char_model_cell_fn char_model_cell(const char *name)
{
    if (strcmp(name, "lstm") == 0)
        return nnl_layer_lstm;
    if (strcmp(name, "gru") == 0)
        return nnl_layer_gru;
    if (strcmp(name, "rnn") == 0)
        return nnl_layer_rnn;
    return NULL;
}

/* Add the layer *layer that `made` reports on; the model owns it on
 * success, else it is freed. */
static nnl_status add(nnl_model *m, nnl_status made, nnl_layer **layer)
{
    nnl_status st = made == NNL_OK ? nnl_model_add(m, *layer) : made;
    if (st != NNL_OK && made == NNL_OK)
        nnl_layer_free(*layer);
    *layer = NULL;
    return st;
}

/* PyTorch's initialisation of the embedding and the output layer, as the
 * benchmark's PyTorch peer (bench/torch/char_rnn.py) has them: nn.Embedding
 * draws N(0, 1), nn.Linear U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
 * The library's embedding starts at N(0, 0.02) (GPT-2's, made for a
 * transformer's residual stream) and its dense layer Glorot-uniform with a
 * zero bias; with those this model learned little from its input in a short
 * run (validation loss after 200 LSTM steps 6.90 against PyTorch's 5.98; 5.81
 * with this initialisation). The recurrent layers already start as PyTorch's. */
static nnl_status init_like_pytorch(nnl_model *m, uint64_t seed)
{
    nnl_tensor *table, *kernel, *bias;
    nnl_layer *output = nnl_model_layer(m, nnl_model_num_layers(m) - 1);
    nnl_status st = nnl_layer_param(nnl_model_layer(m, 0), 0, NULL, &table, NULL);
    if (st == NNL_OK)
        st = nnl_layer_param(output, 0, NULL, &kernel, NULL);
    if (st == NNL_OK)
        st = nnl_layer_param(output, 1, NULL, &bias, NULL);
    if (st != NNL_OK)
        return st;
    const float bound = 1.0f / sqrtf((float)nnl_tensor_dim(kernel, 0)); /* kernel (in, units) */
    st = nnl_tensor_init_normal(table, 0.0f, 1.0f, seed);
    if (st == NNL_OK)
        st = nnl_tensor_init_uniform(kernel, -bound, bound, seed + 1);
    if (st == NNL_OK)
        st = nnl_tensor_init_uniform(bias, -bound, bound, seed + 2);
    return st;
}

static nnl_status compile(nnl_model *m, const char_model_config *c)
{
    nnl_optimizer *adam = NULL;
    nnl_status st = nnl_optimizer_adam(&adam, (float)c->lr, 0.9f, 0.999f, 1e-8f);
    if (st == NNL_OK)
        st = nnl_optimizer_set_warmup(adam, c->warmup);
    if (st == NNL_OK)
        st = nnl_optimizer_schedule_cosine(adam, c->iters - c->warmup > 1 ? c->iters - c->warmup : 1,
                                           (float)c->min_lr);
    if (st == NNL_OK)
        st = nnl_optimizer_set_clip_norm(adam, 1.0f);
    if (st == NNL_OK)
        st = nnl_model_compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, adam);
    if (st != NNL_OK)
        nnl_optimizer_free(adam);
    return st;
}

nnl_status char_model_create(nnl_model **out, const char_model_config *c, int64_t vocab)
{
    const int64_t input = c->seq;
    nnl_model *m;
    nnl_status st = nnl_model_create(&m, 1, &input);
    if (st != NNL_OK)
        return st;
    nnl_layer *l = NULL;
    st = nnl_model_set_seed(m, c->seed);
    if (st == NNL_OK)
        st = add(m, nnl_layer_embedding(&l, vocab, c->embd), &l);
    nnl_rnn_options rnn = NNL_RNN_OPTIONS_INIT;
    rnn.hidden = c->hidden;
    for (int64_t i = 0; st == NNL_OK && i < c->layers; i++)
        st = add(m, c->cell(&l, &rnn), &l);
    if (st == NNL_OK)
        st = add(m, nnl_layer_dense(&l, vocab, NNL_ACT_NONE), &l);
    if (st == NNL_OK)
        st = init_like_pytorch(m, c->seed);
    if (st == NNL_OK)
        st = compile(m, c);
    if (st != NNL_OK) {
        nnl_model_free(m);
        return st;
    }
    *out = m;
    return NNL_OK;
}
