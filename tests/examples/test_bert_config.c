/* bert_config_of (examples/common/bert_model.c), which `bert classify
 * --model` uses: the layers, heads, width, vocabulary and positions of a
 * pretrained encoder come back from its file, for encoders of 2 and 8 heads
 * (so not a default), and from a classifier's file; the file of a causal
 * stack (transformer blocks, no encoder blocks) is NNL_E_FORMAT. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/bert_model.h"

static int failures = 0;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "test_bert_config: FAILED: %s (%s)\n", what, nnl_last_error());
        failures++;
    }
}

/* Saves the model, loads it back and reads its config. */
static nnl_status config_through_file(nnl_model *m, bert_config *c)
{
    char path[] = "/tmp/nnl-bert-config-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NNL_E_IO;
    close(fd);
    nnl_model *back = NULL;
    nnl_status st = nnl_model_save(m, path, NNL_SAVE_WEIGHTS);
    if (st == NNL_OK)
        st = nnl_model_load(&back, path);
    if (st == NNL_OK)
        st = bert_config_of(back, 0.25f, 9, c);
    nnl_model_free(back);
    unlink(path);
    return st;
}

static void encoder_of_heads(int64_t heads)
{
    const bert_config made = {37, 2, heads, 16, 128, 0.1f, 3};
    const bert_schedule s = {1e-3, 1e-4, 0, 0, 0.01, 1.0};
    nnl_model *pretrained = NULL, *classifier = NULL;
    bert_config c;
    check(bert_pretraining_model(&pretrained, &made, 16, &s) == NNL_OK, "a pretraining model");
    check(pretrained && config_through_file(pretrained, &c) == NNL_OK, "its config read back");
    printf("encoder of %lld heads: read %lld layers, %lld heads, %lld dims, vocabulary %lld, %lld positions\n",
           (long long)heads, (long long)c.layers, (long long)c.heads, (long long)c.embd, (long long)c.vocab,
           (long long)c.positions);
    check(c.layers == 2 && c.heads == heads && c.embd == 16 && c.vocab == 37 && c.positions == 128,
          "the pretrained encoder's shape");
    check(c.dropout == 0.25f && c.seed == 9, "dropout and seed from the arguments");
    check(bert_classifier_model(&classifier, &made, 128, 3, pretrained, &s) == NNL_OK, "a classifier");
    check(classifier && config_through_file(classifier, &c) == NNL_OK && c.heads == heads && c.layers == 2,
          "the classifier's encoder shape");
    nnl_model_free(pretrained);
    nnl_model_free(classifier);
}

/* embedding -> positions -> transformer_block: a GPT's stack. */
static nnl_model *causal_stack(void)
{
    const int64_t T = 16;
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    check(nnl_model_create(&m, 1, &T) == NNL_OK, "a model");
    check(nnl_layer_embedding(&l, 37, 16) == NNL_OK && nnl_model_add(m, l) == NNL_OK, "an embedding");
    check(nnl_layer_position_embedding(&l, T) == NNL_OK && nnl_model_add(m, l) == NNL_OK, "positions");
    check(nnl_layer_transformer_block(&l, 2, 16) == NNL_OK && nnl_model_add(m, l) == NNL_OK, "a causal block");
    return m;
}

int main(void)
{
    encoder_of_heads(2);
    encoder_of_heads(8);
    nnl_model *causal = causal_stack();
    bert_config c;
    check(config_through_file(causal, &c) == NNL_E_FORMAT, "a causal stack is not an encoder");
    nnl_model_free(causal);
    return failures ? 1 : 0;
}
