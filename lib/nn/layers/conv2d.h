/* Internal: what the fused convolution and pooling pass
 * (lib/nn/layers/conv_pool.c) reads of a conv2d layer. */
#ifndef NNL_NN_LAYERS_CONV2D_H
#define NNL_NN_LAYERS_CONV2D_H

#include "kernels/kernels.h"
#include "nn/layer.h"

/* The convolution's geometry for a batch of `batch`. */
nnl_conv_shape nnl_conv2d_shape(const nnl_layer *l, int64_t batch);
/* Its fused activation. */
nnl_activation nnl_conv2d_activation(const nnl_layer *l);

/* A conv2d and the max pooling after it, one image at a time. */
extern const nnl_layer_fusion nnl_conv_pool_fusion;

#endif
