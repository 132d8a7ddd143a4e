/* Activations: the fused helpers used by dense/conv2d and the standalone
 * activation layer. Elementwise ones go through the SIMD kernel table;
 * softmax is row-wise over the last dimension. */
#include <string.h>

#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/layer.h"

static const char *const activation_names[] = {"linear", "relu", "sigmoid", "tanh", "gelu", "softmax"};

const char *nnl_activation_name(nnl_activation act)
{
    return nnl_activation_valid(act) ? activation_names[act] : "unknown";
}

static int has_logits(nnl_activation act) { return act == NNL_ACT_SOFTMAX || act == NNL_ACT_SIGMOID; }

int nnl_activation_keeps_input(nnl_activation act) { return act == NNL_ACT_GELU || has_logits(act); }

void nnl_activation_note_logits(nnl_layer_buffers *buf, nnl_activation act, const nnl_tensor *z)
{
    buf->logits = has_logits(act) ? z : NULL;
    buf->logits_act = act;
}

int nnl_activation_valid(nnl_activation act) { return (unsigned)act <= NNL_ACT_SOFTMAX; }

int nnl_activation_parse(const char *name, nnl_activation *act)
{
    for (int i = 0; i <= NNL_ACT_SOFTMAX; i++)
        if (strcmp(name, activation_names[i]) == 0) {
            *act = (nnl_activation)i;
            return 1;
        }
    return 0;
}

static nnl_act_kind kernel_kind(nnl_activation act)
{
    switch (act) {
    case NNL_ACT_SIGMOID: return NNL_ACT_KIND_SIGMOID;
    case NNL_ACT_TANH: return NNL_ACT_KIND_TANH;
    case NNL_ACT_GELU: return NNL_ACT_KIND_GELU;
    default: return NNL_ACT_KIND_RELU;
    }
}

/* z, y: rows x cols. */
void nnl_activation_apply(nnl_activation act, int64_t rows, int64_t cols, const float *z, float *y)
{
    const nnl_kernels *k = nnl_kernels_active();
    if (act == NNL_ACT_NONE) {
        if (y != z)
            memcpy(y, z, (size_t)(rows * cols) * sizeof(float));
    } else if (act == NNL_ACT_SOFTMAX) {
        k->softmax(rows, cols, z, y);
    } else {
        k->act_forward(kernel_kind(act), rows * cols, z, y);
    }
}

/* Softmax Jacobian-vector product per row: dz = y * (dy - sum(dy * y)). */
static void softmax_grad(int64_t rows, int64_t cols, const float *y, float *dy)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols;
        float *dr = dy + r * cols;
        double dot = 0;
        for (int64_t c = 0; c < cols; c++)
            dot += (double)dr[c] * yr[c];
        for (int64_t c = 0; c < cols; c++)
            dr[c] = yr[c] * (dr[c] - (float)dot);
    }
}

/* dy (rows x cols) becomes dL/dz in place. */
void nnl_activation_grad(nnl_activation act, int64_t rows, int64_t cols, const float *z, const float *y,
                         float *dy)
{
    if (act == NNL_ACT_NONE)
        return;
    if (act == NNL_ACT_SOFTMAX)
        softmax_grad(rows, cols, y, dy);
    else
        nnl_kernels_active()->act_backward(kernel_kind(act), rows * cols, z, y, dy, dy);
}
