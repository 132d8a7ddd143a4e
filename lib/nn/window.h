/* Internal: output size and padding of a sliding window (conv, pooling),
 * with TensorFlow's convention for SAME (extra padding goes after). */
#ifndef NNL_NN_WINDOW_H
#define NNL_NN_WINDOW_H

#include "kernels/kernels.h"
#include "nn/layer.h"

/* The window of a conv2d or pooling layer (part of its private config). */
typedef struct nnl_window {
    int64_t kernel_h, kernel_w, stride;
    nnl_padding padding;
} nnl_window;

/* Fill s from an HxWxC input of layer l, its window w and out_c;
 * NNL_E_SHAPE when the window does not fit. */
nnl_status nnl_window_shape(const nnl_layer *l, const nnl_window *w, int64_t out_c, nnl_conv_shape *s);

/* Append ,"<key>":[kh,kw],"stride":s,"padding":"valid|same" to a layer's config. */
void nnl_window_write_config(const nnl_window *w, const char *key, nnl_strbuf *json);

#endif
