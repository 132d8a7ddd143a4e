/* The encoder of examples/bert and bench/bert (bert_model.h). */
#include "common/bert_model.h"

#include <stdlib.h>
#include <string.h>

/* Appends the layer *l that the constructor call giving `st` made (the
 * argument is its address, read after the call); on failure frees it. */
static nnl_status add(nnl_model *m, nnl_status st, nnl_layer **l)
{
    if (st == NNL_OK && (st = nnl_model_add(m, *l)) != NNL_OK)
        nnl_layer_free(*l);
    return st;
}

/* embedding -> positions [-> dropout] -> blocks -> layernorm, padding token [PAD]. */
static nnl_status encoder(nnl_model **out, const bert_config *c, int64_t length)
{
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    nnl_status st = nnl_model_create(&m, 1, &length);
    if (st == NNL_OK)
        st = nnl_model_set_seed(m, c->seed);
    if (st == NNL_OK)
        st = nnl_model_set_padding_token(m, NNL_TOKEN_PAD);
    if (st == NNL_OK)
        st = add(m, nnl_layer_embedding(&l, c->vocab, c->embd), &l);
    if (st == NNL_OK)
        st = add(m, nnl_layer_position_embedding(&l, c->positions), &l);
    if (st == NNL_OK && c->dropout > 0.0f)
        st = add(m, nnl_layer_dropout(&l, c->dropout), &l);
    for (int64_t i = 0; st == NNL_OK && i < c->layers; i++)
        st = add(m, nnl_layer_encoder_block(&l, c->heads, c->embd, c->dropout), &l);
    if (st == NNL_OK)
        st = add(m, nnl_layer_layernorm(&l, 1e-5f), &l);
    if (st != NNL_OK) {
        nnl_model_free(m);
        return st;
    }
    *out = m;
    return NNL_OK;
}

static nnl_status compile(nnl_model *m, nnl_loss loss, const bert_schedule *s)
{
    nnl_optimizer *o = NULL;
    nnl_status st = nnl_optimizer_adamw(&o, (float)s->lr, 0.9f, 0.999f, 1e-8f, (float)s->weight_decay);
    if (st == NNL_OK && s->warmup > 0)
        st = nnl_optimizer_set_warmup(o, s->warmup);
    if (st == NNL_OK && s->steps > 0)
        st = nnl_optimizer_schedule_cosine(o, s->steps, (float)s->min_lr);
    if (st == NNL_OK && s->clip > 0.0)
        st = nnl_optimizer_set_clip_norm(o, (float)s->clip);
    if (st == NNL_OK)
        st = nnl_model_compile(m, loss, o);
    if (st != NNL_OK)
        nnl_optimizer_free(o);
    return st;
}

/* Hands over a model whose construction ended with `st` and compiles it; on
 * failure frees it. */
static nnl_status finish(nnl_model *m, nnl_status st, nnl_loss loss, const bert_schedule *s, nnl_model **out)
{
    if (st == NNL_OK)
        st = compile(m, loss, s);
    if (st != NNL_OK) {
        nnl_model_free(m);
        return st;
    }
    *out = m;
    return NNL_OK;
}

nnl_status bert_pretraining_model(nnl_model **out, const bert_config *c, int64_t length, const bert_schedule *s)
{
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    nnl_status st = encoder(&m, c, length);
    if (st == NNL_OK)
        st = add(m, nnl_layer_tied_output(&l, 0), &l);
    return finish(m, st, NNL_LOSS_SOFTMAX_CROSSENTROPY, s, out);
}

/* Copies the encoder's parameters layer by layer (layers without parameters
 * skipped) until either model's head; the shapes must agree. */
static nnl_status copy_encoder(nnl_model *dst, const nnl_model *src)
{
    nnl_model *from = (nnl_model *)src; /* nnl_model_layer takes a non-const model; nothing is changed */
    int i = 0, j = 0;
    for (;;) {
        nnl_layer *a = nnl_model_layer(from, i), *b = nnl_model_layer(dst, j);
        while (a && nnl_layer_num_params(a) == 0)
            a = nnl_model_layer(from, ++i);
        while (b && nnl_layer_num_params(b) == 0)
            b = nnl_model_layer(dst, ++j);
        if (!a || !b || strcmp(nnl_layer_type(b), "dense") == 0)
            return NNL_OK;
        if (strcmp(nnl_layer_type(a), nnl_layer_type(b)) != 0 || nnl_layer_num_params(a) != nnl_layer_num_params(b))
            return NNL_E_SHAPE;
        for (int p = 0; p < nnl_layer_num_params(a); p++) {
            nnl_tensor *va, *vb;
            nnl_status st = nnl_layer_param(a, p, NULL, &va, NULL);
            if (st == NNL_OK)
                st = nnl_layer_param(b, p, NULL, &vb, NULL);
            if (st != NNL_OK)
                return st;
            if (nnl_tensor_size(va) != nnl_tensor_size(vb))
                return NNL_E_SHAPE;
            memcpy(nnl_tensor_data(vb), nnl_tensor_data_const(va), sizeof(float) * (size_t)nnl_tensor_size(va));
        }
        i++, j++;
    }
}

nnl_status bert_classifier_model(nnl_model **out, const bert_config *c, int64_t length, int32_t classes,
                                 const nnl_model *pretrained, const bert_schedule *s)
{
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    nnl_status st = encoder(&m, c, length);
    if (st == NNL_OK)
        st = add(m, nnl_layer_select_position(&l, 0), &l);
    if (st == NNL_OK)
        st = add(m, nnl_layer_dense(&l, classes, NNL_ACT_SOFTMAX), &l);
    if (st == NNL_OK && pretrained)
        st = copy_encoder(m, pretrained);
    return finish(m, st, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, s, out);
}

nnl_status bert_score(const nnl_model *m, const nnl_dataset *test, int64_t *matrix, double *per_class,
                      double *macro_f1, double *accuracy)
{
    const int64_t n = nnl_dataset_size(test);
    const int32_t k = nnl_dataset_num_classes(test);
    int32_t *truth = malloc(sizeof(int32_t) * (size_t)n), *predicted = malloc(sizeof(int32_t) * (size_t)n);
    double macro[3];
    nnl_status st = truth && predicted ? NNL_OK : NNL_E_NOMEM;
    if (st == NNL_OK)
        st = nnl_dataset_get_labels(test, 0, n, truth);
    if (st == NNL_OK)
        st = nnl_model_predict_dataset(m, test, 64, NULL, predicted);
    if (st == NNL_OK)
        st = nnl_metrics_confusion(truth, predicted, n, k, matrix);
    if (st == NNL_OK)
        st = nnl_metrics_report(matrix, k, per_class, per_class ? per_class + k : NULL,
                                per_class ? per_class + 2 * k : NULL, macro, accuracy);
    if (st == NNL_OK)
        *macro_f1 = macro[2];
    free(truth);
    free(predicted);
    return st;
}

nnl_status bert_config_of(const nnl_model *pretrained, float dropout, uint64_t seed, bert_config *c)
{
    nnl_model *m = (nnl_model *)pretrained;
    memset(c, 0, sizeof *c);
    c->dropout = dropout;
    c->seed = seed;
    for (int i = 0; i < nnl_model_num_layers(m); i++) {
        nnl_layer *l = nnl_model_layer(m, i);
        const char *type = nnl_layer_type(l);
        nnl_tensor *table;
        if (strcmp(type, "embedding") == 0 && nnl_layer_param(l, 0, NULL, &table, NULL) == NNL_OK) {
            c->vocab = nnl_tensor_dim(table, 0);
            c->embd = nnl_tensor_dim(table, 1);
        } else if (strcmp(type, "position_embedding") == 0 && nnl_layer_param(l, 0, NULL, &table, NULL) == NNL_OK) {
            c->positions = nnl_tensor_dim(table, 0);
        } else if (strcmp(type, "encoder_block") == 0) {
            c->layers++;
        }
    }
    if (c->vocab < 1 || c->positions < 1 || c->layers < 1)
        return NNL_E_FORMAT;
    /* The heads are in each layer's config in the file, which the library
     * reads back; the attention-weights call without a buffer reports them. */
    const int32_t cls = NNL_TOKEN_CLS;
    int64_t attention_layers = 0;
    if (nnl_model_attention_weights(pretrained, &cls, 1, NULL, 0, &attention_layers, &c->heads) != NNL_OK ||
        attention_layers != c->layers)
        return NNL_E_FORMAT;
    return NNL_OK;
}
