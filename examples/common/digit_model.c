#include "digit_model.h"

#include <unistd.h>

#include "digit_image.h"

#define SOURCE_TREE_MODEL "models/digits.safetensors"

const char *digit_model_default_path(void)
{
    return access(SOURCE_TREE_MODEL, R_OK) == 0 ? SOURCE_TREE_MODEL : NNL_DIGITS_MODEL_INSTALLED;
}

nnl_status digit_model_classify(const nnl_model *model, const float *image, float *probabilities, int *digit)
{
    const int64_t x_dims[4] = {1, DIGIT_SIDE, DIGIT_SIDE, 1}, y_dims[2] = {1, DIGIT_CLASSES};
    nnl_tensor *x = NULL, *y = NULL;
    nnl_status s = nnl_tensor_create_from(&x, 4, x_dims, image);
    if (s == NNL_OK)
        s = nnl_tensor_wrap(&y, 2, y_dims, probabilities);
    if (s == NNL_OK)
        s = nnl_model_predict(model, x, y);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    *digit = 0;
    for (int c = 1; s == NNL_OK && c < DIGIT_CLASSES; c++)
        if (probabilities[c] > probabilities[*digit])
            *digit = c;
    return s;
}
