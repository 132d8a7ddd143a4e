/**
 * @file nnlite/saliency.h
 * @brief Why a model answered what it did: saliency (the gradient of a class
 *        score with respect to the input) and occlusion maps.
 *
 * @defgroup saliency Saliency and occlusion
 * Two views of which parts of an input a prediction rests on.
 *
 * - **Saliency** (Simonyan et al., 2014): d score_c / d x, one value per
 *   input value, from one backward pass. The score is the class's **logit**,
 *   the input of the model's softmax, not its probability: the probability
 *   p_c = softmax(z)_c also moves when the *other* classes' logits move, and
 *   once the model is sure (p_c near 1) its gradient p_c (1 - p_c) dz_c
 *   vanishes, so a confident prediction would show an empty map. The logit's
 *   gradient says what raises the evidence for the class itself.
 * - **Occlusion** (Zeiler and Fergus, 2014): a square patch filled with a
 *   baseline value slides over the image; each pixel gets the drop of the
 *   class's output when the patches that cover it are hidden, averaged over
 *   them. It needs no gradient (any model, many forward passes) and measures
 *   what removing a region does rather than what an infinitesimal change does.
 *
 * docs/seeing-inside.md shows both on a digit.
 * @{
 */
#ifndef NNLITE_SALIENCY_H
#define NNLITE_SALIENCY_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"
#include "tensor.h"

NNL_BEGIN_DECLS

/** For nnl_model_saliency()'s classes: the class the model predicts for the sample (its largest output). */
#define NNL_SALIENCY_PREDICTED_CLASS (-1)

/**
 * @brief The gradient of a class score with respect to the input, per sample.
 *
 * The score of sample b is the model's output for class classes[b] before a
 * final softmax or sigmoid: when the last layer ends in one (e.g.
 * nnl_layer_dense() with ::NNL_ACT_SOFTMAX, or an activation layer), its
 * input, the logit; otherwise the output itself. A class indexes the
 * per-sample output as a flat array (for a classifier, its output {classes}).
 * Layers run in inference mode (dropout off, batch normalisation with its
 * running statistics), so the map explains the prediction nnl_model_predict()
 * makes, and samples of a batch do not affect each other.
 *
 * The map is signed: positive where more of the input raises the score.
 * A heat map usually shows its absolute value (the largest over an image's
 * channels).
 * @param model    the model; its input must be float values, not token ids
 *                 (a first embedding layer is refused).
 * @param x        {batch, input shape...}, or the input shape for one sample; borrowed.
 * @param classes  batch class indices, each in [0, output size) or
 *                 ::NNL_SALIENCY_PREDICTED_CLASS; NULL means the predicted class
 *                 of every sample. Borrowed.
 * @param saliency receives d score / d x, of @p x's element count (e.g. @p x's shape).
 * @return ::NNL_E_INVALID_ARG for NULL pointers or a class out of range (its sample in the
 *         message); ::NNL_E_SHAPE when @p x or @p saliency does not fit the model;
 *         ::NNL_E_UNSUPPORTED when the model takes token ids or has no layers;
 *         ::NNL_E_NUMERIC when an input is NaN or infinite; ::NNL_E_NOMEM.
 *
 * Thread-safety: the backward pass adds into the parameters' gradient tensors
 * (nnl_layer_param()), which hold the gradients of the scores afterwards,
 * until the next training step replaces them. So, as for training, one thread
 * at a time: not concurrently with any other call on the model, predict
 * included.
 */
NNL_API nnl_status nnl_model_saliency(nnl_model *model, const nnl_tensor *x, const int32_t *classes,
                                      nnl_tensor *saliency);

/** Options of nnl_model_occlusion(). Initialise with ::NNL_OCCLUSION_OPTIONS_INIT, then set fields. */
typedef struct nnl_occlusion_options {
    size_t struct_size; /**< sizeof(nnl_occlusion_options) (docs/versioning.md). */
    int64_t patch;      /**< Side of the square patch, in pixels, 1 .. the image's height and width
                             (default 6: about a stroke's width and a half on a 28x28 digit). */
    int64_t stride;     /**< Step between patch positions, 1 .. the image's height and width (default 2). The last patch of a row or
                             column is placed against the image's edge, so every pixel is covered. */
    float baseline;     /**< Value the patch is filled with, finite (default 0: the background of digits
                             whose ink is 1). */
    int64_t batch_size; /**< Occluded copies per forward pass, 1..4096 (default 64: speed and memory only). */
} nnl_occlusion_options;

/** Default ::nnl_occlusion_options: 6x6 patches every 2 pixels, filled with 0, 64 per pass. */
#define NNL_OCCLUSION_OPTIONS_INIT { sizeof(nnl_occlusion_options), 6, 2, 0.0f, 64 }

/**
 * @brief Occlusion map of one image for a class.
 *
 * The input's first two dimensions are the image's height and width; what
 * follows (channels) is hidden together. For every patch position the
 * occluded image goes through the model, and the drop of the class's output
 * (the unoccluded output minus the occluded one) is added to each pixel the
 * patch covers; each pixel's value is the mean over the patches covering it.
 * The output is what the model outputs: for a classifier ending in softmax
 * (every image classifier of the examples) the class probability, so the map
 * is in probability units; a model that outputs logits gives drops of logits.
 * A region that already equals the baseline changes nothing there: its drops
 * come only from the parts of the patches that lie outside it.
 * @param model   the model (not modified); its per-sample input has >= 2 dimensions.
 * @param x       one sample: the input shape, or {1, input shape...}; borrowed.
 * @param class_index the class, in [0, output size), or ::NNL_SALIENCY_PREDICTED_CLASS.
 * @param options the options (borrowed), or NULL for ::NNL_OCCLUSION_OPTIONS_INIT.
 * @param map     receives height x width values, row after row (any shape of that many elements).
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a class out of range or bad options (named in
 *         the message); ::NNL_E_SHAPE when @p x or @p map does not fit; ::NNL_E_NUMERIC when an
 *         input is NaN or infinite; ::NNL_E_NOMEM.
 *
 * Thread-safety: as nnl_model_predict(): many threads may run it (and predict) on one model at once.
 */
NNL_API nnl_status nnl_model_occlusion(const nnl_model *model, const nnl_tensor *x, int32_t class_index,
                                       const nnl_occlusion_options *options, nnl_tensor *map);

NNL_END_DECLS

#endif
/** @} */
