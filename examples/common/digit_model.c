#include "digit_model.h"

#include <unistd.h>

#include "digit_image.h"

#define SOURCE_TREE_MODEL "models/digits.safetensors"

const char *digit_model_default_path(void)
{
    return access(SOURCE_TREE_MODEL, R_OK) == 0 ? SOURCE_TREE_MODEL : NNL_DIGITS_MODEL_INSTALLED;
}

nnl_status digit_model_classify(const nnl_model *model, const float *image, float *probabilities, int *digit,
                                nnl_input_report *report)
{
    const int64_t x_dims[4] = {1, DIGIT_SIDE, DIGIT_SIDE, 1}, y_dims[2] = {1, DIGIT_CLASSES};
    nnl_tensor *x = NULL, *y = NULL;
    nnl_status s = nnl_tensor_create_from(&x, 4, x_dims, image);
    if (s == NNL_OK)
        s = nnl_tensor_wrap(&y, 2, y_dims, probabilities);
    if (s == NNL_OK)
        s = nnl_model_predict_checked(model, x, y, NULL, report);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    *digit = s == NNL_OK ? report->top_class : 0;
    return s;
}

nnl_status digit_model_explain(nnl_model *model, const float *image, int digit, float *saliency, float *occlusion)
{
    const int64_t x_dims[3] = {DIGIT_SIDE, DIGIT_SIDE, 1}, map_dims[2] = {DIGIT_SIDE, DIGIT_SIDE};
    const int32_t classes[1] = {digit};
    nnl_tensor *x = NULL, *g = NULL, *o = NULL;
    nnl_status s = nnl_tensor_create_from(&x, 3, x_dims, image);
    if (s == NNL_OK)
        s = nnl_tensor_wrap(&g, 3, x_dims, saliency);
    if (s == NNL_OK && occlusion)
        s = nnl_tensor_wrap(&o, 2, map_dims, occlusion);
    if (s == NNL_OK)
        s = nnl_model_saliency(model, x, classes, g);
    if (s == NNL_OK && occlusion)
        s = nnl_model_occlusion(model, x, digit, NULL, o);
    for (int i = 0; s == NNL_OK && i < DIGIT_SIDE * DIGIT_SIDE; i++)
        saliency[i] = saliency[i] < 0 ? -saliency[i] : saliency[i];
    nnl_tensor_free(x);
    nnl_tensor_free(g);
    nnl_tensor_free(o);
    return s;
}
