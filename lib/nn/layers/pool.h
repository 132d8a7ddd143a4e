/* Internal: what other layers' fused passes read of a pooling layer
 * (lib/nn/layers/conv_pool.c). */
#ifndef NNL_NN_LAYERS_POOL_H
#define NNL_NN_LAYERS_POOL_H

#include "kernels/kernels.h"
#include "nn/layer.h"

/* 1, with the window's geometry for a batch of `batch` in *s, when l is a
 * max pooling layer (its argmax, int32 in a float tensor of the output's
 * shape, lives in its buffers' `scratch`); 0 for any other layer. */
int nnl_maxpool_shape(const nnl_layer *l, int64_t batch, nnl_conv_shape *s);

#endif
