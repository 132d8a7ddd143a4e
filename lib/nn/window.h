/* Internal: output size and padding of a sliding window (conv, pooling),
 * with TensorFlow's convention for SAME (extra padding goes after). */
#ifndef NNL_NN_WINDOW_H
#define NNL_NN_WINDOW_H

#include "kernels/kernels.h"
#include "nn/layer.h"

/* Fill s from an HxWxC input of layer l (kernel/stride/padding from its
 * config) and out_c; NNL_E_SHAPE when the window does not fit. */
nnl_status nnl_window_shape(const nnl_layer *l, int64_t out_c, nnl_conv_shape *s);

#endif
