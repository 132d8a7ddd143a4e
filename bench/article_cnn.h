/* The article's MNIST network as the benchmarks train it (bench/mnist.c,
 * bench/profile_cost.c; bench/torch/cnn.py is PyTorch's copy):
 *
 *   Conv2D(32, 3x3, relu) -> MaxPool 2x2 -> Flatten -> Dense(128, relu)
 *   -> Dense(10, softmax), compiled with Adam (lr 1e-3, eps 1e-7 as Keras)
 *   and sparse categorical cross-entropy.
 *
 * `check` is the program's own: it reports a failed step and exits. */
#ifndef NNL_BENCH_ARTICLE_CNN_H
#define NNL_BENCH_ARTICLE_CNN_H

#include <stdint.h>

#include "nnlite.h"

static inline nnl_model *bench_article_cnn(uint64_t seed, void (*check)(nnl_status, const char *))
{
    const int64_t input[3] = {28, 28, 1};
    nnl_model *m;
    nnl_layer *l;
    nnl_optimizer *adam;
    check(nnl_model_create(&m, 3, input), "model");
    check(nnl_model_set_seed(m, seed), "seed");
    check(nnl_layer_conv2d(&l, 32, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU), "conv2d");
    check(nnl_model_add(m, l), "add");
    check(nnl_layer_maxpool2d(&l, 2, 2, 0), "maxpool");
    check(nnl_model_add(m, l), "add");
    check(nnl_layer_flatten(&l), "flatten");
    check(nnl_model_add(m, l), "add");
    check(nnl_layer_dense(&l, 128, NNL_ACT_RELU), "dense");
    check(nnl_model_add(m, l), "add");
    check(nnl_layer_dense(&l, 10, NNL_ACT_SOFTMAX), "dense");
    check(nnl_model_add(m, l), "add");
    check(nnl_optimizer_adam(&adam, 1e-3f, 0.9f, 0.999f, 1e-7f), "adam");
    check(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam), "compile");
    return m;
}

#endif
