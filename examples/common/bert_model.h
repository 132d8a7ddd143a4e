/* The BERT-style encoder of examples/bert and bench/bert, one definition for
 * both: token embedding (V, C) -> position embedding (positions) [-> dropout]
 * -> encoder_block x layers -> layernorm, then
 *   pretraining: a tied output (the masked-LM head, logits over V), softmax
 *                cross-entropy on the masked positions (the ignore index
 *                skips the rest), AdamW with warmup and cosine decay;
 *   classifier:  the [CLS] position -> dense(classes, softmax), sparse
 *                categorical cross-entropy, AdamW at a constant rate.
 * The model's padding token is [PAD], so padded positions change nothing. */
#ifndef NNL_EXAMPLES_BERT_MODEL_H
#define NNL_EXAMPLES_BERT_MODEL_H

#include <stdint.h>

#include <nnlite.h>

typedef struct bert_config {
    int64_t vocab;               /* the tokenizer's size, special tokens included */
    int64_t layers, heads, embd; /* the encoder */
    int64_t positions;           /* rows of the position table: the longest sequence (128) */
    float dropout;               /* of the embeddings and each block's branches */
    uint64_t seed;
} bert_config;

typedef struct bert_schedule {
    double lr, min_lr;           /* min_lr: the end of the cosine decay (pretraining only) */
    int64_t warmup, steps;       /* steps: the schedule's length; 0 = a constant rate */
    double weight_decay, clip;   /* AdamW's decay; global-norm clipping, 0 = none */
} bert_schedule;

/* The encoder for sequences of `length` tokens (length <= positions), with
 * the masked-LM head, compiled for pretraining (transferred to the caller). */
nnl_status bert_pretraining_model(nnl_model **out, const bert_config *c, int64_t length, const bert_schedule *s);

/* The classifier for sequences of `length` tokens over `classes` classes,
 * compiled; its encoder starts from `pretrained`'s (a pretraining model of
 * the same config, any length) when not NULL, else from the seed. */
nnl_status bert_classifier_model(nnl_model **out, const bert_config *c, int64_t length, int32_t classes,
                                 const nnl_model *pretrained, const bert_schedule *s);

/* A classifier on a labelled test set: the confusion matrix (k x k, k its
 * classes), per-class precision, recall and F1 (per_class[0..3k), or NULL),
 * the macro-F1 and the accuracy. */
nnl_status bert_score(const nnl_model *m, const nnl_dataset *test, int64_t *matrix, double *per_class,
                      double *macro_f1, double *accuracy);

/* The config of a pretraining model (or a classifier) read from the model
 * as loaded from its file: vocab, embd and positions from its parameters'
 * shapes, layers from its encoder blocks, heads from their attention layers
 * (nnl_model_attention_weights() reports them); dropout and seed, which a
 * file does not keep, come from the arguments. NNL_E_FORMAT when the model
 * is not such an encoder (no embedding, position embedding or
 * encoder_block, as a GPT's file). */
nnl_status bert_config_of(const nnl_model *pretrained, float dropout, uint64_t seed, bert_config *c);

#endif
