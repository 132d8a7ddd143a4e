/* Internal: the losses of nnl_model, pure functions of a batch's outputs and
 * targets (they know nothing of layers; the model hands them the logits of a
 * fused softmax).
 *
 * Shapes: the model's output per sample is (..., cols); rows = batch * the
 * product of the leading dims, one prediction per row. Cross-entropy targets
 * are one label per row (stored as floats); MSE and binary cross-entropy
 * targets have the output's shape. A loss is a mean over units (a sample, or
 * a position of a sequence for cross-entropy); `dy` receives the gradient of
 * that mean over the batch's units. */
#ifndef NNL_NN_LOSS_H
#define NNL_NN_LOSS_H

#include <stdint.h>

#include "nnlite/model.h"

typedef struct nnl_loss_input {
    const float *y;        /* outputs {rows, cols}: probabilities, logits or values */
    const float *logits;   /* the logits of a softmax output (fused cross-entropy) or of a sigmoid
                              output (fused binary cross-entropy), or NULL */
    const float *targets;  /* labels {rows} or values {rows, cols} */
    int64_t batch, rows, cols;
    float *dy;             /* receives dL/dy (dL/dlogits when fused), or NULL */
    int32_t *labels;       /* scratch of `rows` ints */
    const char *who;       /* names the caller in errors */
} nnl_loss_input;

typedef struct nnl_loss_result {
    double sum;            /* loss summed over the counted units */
    int64_t count;         /* units counted (positions not ignored) */
    int64_t correct;       /* units predicted right (argmax, or every label for BCE) */
    /* Sigmoid binary cross-entropy only (0 otherwise): each sample's classes
     * decided at probability 0.5 against their targets, and how many there were. */
    int64_t true_positives, false_positives, false_negatives, labels;
} nnl_loss_result;

/* NNL_E_INVALID_ARG for a label that is not a class index (nor, for
 * NNL_LOSS_SOFTMAX_CROSSENTROPY, the ignore index). */
nnl_status nnl_loss_compute(nnl_loss loss, const nnl_loss_input *in, nnl_loss_result *out);

/* The output activation a loss fuses with when the last layer has it
 * (softmax for sparse categorical cross-entropy, sigmoid for binary
 * cross-entropy): it then takes that layer's logits and its gradient is
 * dL/dlogits. NNL_ACT_NONE for the others. */
nnl_activation nnl_loss_fused_activation(nnl_loss loss);

/* total += r, every count. */
void nnl_loss_result_add(nnl_loss_result *total, const nnl_loss_result *r);

/* Whether a loss reports an accuracy (MSE does not). */
int nnl_loss_has_accuracy(nnl_loss loss);

/* NNL_E_SHAPE when a per-sample output of `out_count` values ending in `cols`
 * cannot take targets of `target_size` values under this loss. */
nnl_status nnl_loss_check_shapes(nnl_loss loss, int64_t out_count, int64_t cols, int64_t target_size,
                                 const char *who);

/* The loss's name in model files ("sparse_categorical_crossentropy" ...) and back. */
const char *nnl_loss_name(nnl_loss loss);
int nnl_loss_parse(const char *name, nnl_loss *loss);

#endif
