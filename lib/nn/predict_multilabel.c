/* Multi-label prediction: per-class probabilities (the outputs of a sigmoid
 * last layer, or the sigmoid of the logits of a model trained with sigmoid
 * binary cross-entropy) and the label sets they give at per-class
 * thresholds. */
#include <math.h>

#include "core/error.h"
#include "nn/model.h"

static const float DEFAULT_THRESHOLD = 0.5f;

typedef struct multilabel_sink {
    const nnl_model *model;
    const float *thresholds; /* num_classes, or NULL for 0.5 each */
    float *probabilities;    /* size x classes, or NULL */
    uint8_t *labels;         /* size x classes, or NULL */
} multilabel_sink;

static nnl_status take_probabilities(void *ctx, int64_t first, int64_t count, int64_t classes, const float *y,
                                     const nnl_layer_buffers *last)
{
    const multilabel_sink *s = ctx;
    const int already = last->logits_act == NNL_ACT_SIGMOID;
    if (!already && !(s->model->has_loss && s->model->loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY))
        return nnl_error(NNL_E_STATE, "nnl_model_predict_multilabel: the model's outputs are not class "
                         "probabilities: its last layer has no sigmoid, and its loss is not "
                         "NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY (whose outputs are logits)");
    for (int64_t i = 0; i < count * classes; i++) {
        float p = already ? y[i] : 1.0f / (1.0f + expf(-y[i]));
        int64_t at = first * classes + i;
        if (s->probabilities)
            s->probabilities[at] = p;
        if (s->labels)
            s->labels[at] = p >= (s->thresholds ? s->thresholds[i % classes] : DEFAULT_THRESHOLD);
    }
    return NNL_OK;
}

static nnl_status check_thresholds(const float *thresholds, int64_t classes, const char *who)
{
    for (int64_t c = 0; thresholds && c < classes; c++)
        if (!(thresholds[c] >= 0.0f && thresholds[c] <= 1.0f))
            return nnl_error(NNL_E_INVALID_ARG, "%s: thresholds[%lld]=%g, expected [0, 1]", who, (long long)c,
                             (double)thresholds[c]);
    return NNL_OK;
}

nnl_status nnl_model_predict_multilabel(const nnl_model *model, const nnl_dataset *data, int64_t batch_size,
                                        const float *thresholds, float *probabilities, uint8_t *labels)
{
    static const char who[] = "nnl_model_predict_multilabel";
    NNL_CHECK_PTR(who, model);
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(model, &out_ndim, &out_dims);
    if (model->num_layers == 0 || out_ndim != 1) {
        char shape[128];
        return nnl_error(NNL_E_SHAPE, "%s: the model outputs %s per sample, expected one value per class", who,
                         nnl_shape_str(shape, sizeof shape, out_ndim, out_dims));
    }
    NNL_TRY(check_thresholds(thresholds, out_dims[0], who));
    multilabel_sink s = {model, thresholds, probabilities, labels};
    const nnl_predict_sink sink = {take_probabilities, &s, who};
    return nnl_model_predict_batches(model, data, batch_size, &sink);
}
