#include "multilabel_model.h"

enum { LAYERS = 7 };

static nnl_status make_layers(nnl_layer **layers, int64_t classes)
{
    nnl_status s = nnl_layer_conv2d(&layers[0], 32, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_maxpool2d(&layers[1], 2, 2, 0);
    if (s == NNL_OK) s = nnl_layer_conv2d(&layers[2], 64, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_maxpool2d(&layers[3], 2, 2, 0);
    if (s == NNL_OK) s = nnl_layer_flatten(&layers[4]);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[5], 128, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_layer_dense(&layers[6], classes, NNL_ACT_SIGMOID);
    return s;
}

nnl_status multilabel_model_build(nnl_model **out, int64_t rows, int64_t cols, int64_t classes, uint64_t seed)
{
    const int64_t input[3] = {rows, cols, 1};
    nnl_layer *layers[LAYERS] = {NULL};
    nnl_model *model = NULL;
    nnl_optimizer *adam = NULL;
    nnl_status s = nnl_model_create(&model, 3, input);
    if (s == NNL_OK) s = nnl_model_set_seed(model, seed);
    if (s == NNL_OK) s = make_layers(layers, classes);
    for (int i = 0; i < LAYERS; i++) {
        if (s == NNL_OK)
            s = nnl_model_add(model, layers[i]);
        if (s != NNL_OK)
            nnl_layer_free(layers[i]); /* not handed over: still ours */
    }
    if (s == NNL_OK) s = nnl_optimizer_adam(&adam, 1e-3f, 0.9f, 0.999f, 1e-7f);
    if (s == NNL_OK) s = nnl_model_compile(model, NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY, adam);
    if (s != NNL_OK) {
        nnl_optimizer_free(adam);
        nnl_model_free(model);
        model = NULL;
    }
    *out = model;
    return s;
}
