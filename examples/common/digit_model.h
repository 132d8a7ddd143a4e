/* The digits model as the examples use it: where the default one is, and
 * classifying one 28x28 image (digit_image.h) with it. */
#ifndef NNL_EXAMPLES_DIGIT_MODEL_H
#define NNL_EXAMPLES_DIGIT_MODEL_H

#include "nnlite.h"

enum { DIGIT_CLASSES = 10 };

/* models/digits.safetensors when it exists (running from the source tree),
 * else the copy that `meson install` put in <datadir>/nnlite. Static string. */
const char *digit_model_default_path(void);

/* Runs the model on image (DIGIT_SIDE x DIGIT_SIDE values, ink = 1) with
 * the library's abnormal-input check (default thresholds): writes the
 * DIGIT_CLASSES probabilities and the most likely digit, and in
 * report->reason NNL_INPUT_OK or why the digit should not be trusted
 * (blank, too much ink, low confidence); report's struct_size must be set.
 * Returns the status of nnl_model_predict_checked (NNL_E_SHAPE for a model
 * whose input is not 28x28x1 or whose output is not 10 classes). */
nnl_status digit_model_classify(const nnl_model *model, const float *image, float *probabilities, int *digit,
                                nnl_input_report *report);

/* What the prediction of `digit` rests on: saliency receives |d logit / d
 * pixel| and occlusion the drop of the digit's probability when 6x6 patches
 * are hidden (NULL: not computed), each DIGIT_SIDE x DIGIT_SIDE values.
 * Writes the model's gradients (nnl_model_saliency): one thread at a time. */
nnl_status digit_model_explain(nnl_model *model, const float *image, int digit, float *saliency, float *occlusion);

#endif
