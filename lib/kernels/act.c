/* Elementwise activations, scalar reference (the oracle of act_simd.h).
 *
 *   forward:  y[n]  = act(x[n])             x == y allowed
 *   backward: dx[n] = dy[n] * act'(x[n])    dx == dy allowed
 *
 * The backward reads whichever of x (the input) and y (the output) gives the
 * derivative most cheaply, and only that one: relu, sigmoid and tanh read y,
 * gelu reads x; the other pointer may be NULL.
 * gelu is GPT-2's tanh approximation 0.5 x (1 + tanh(u)), u = k (x + c x^3),
 * k = sqrt(2/pi), c = 0.044715, evaluated through the exact identity
 * 0.5 (1 + tanh(u)) = sigmoid(2u): for negative x, 1 + tanhf(u) cancels and
 * loses most digits (the gradient at x = -5 would be off by 1e-3
 * relative), sigmoid(2u) does not. */
#include <math.h>

#include "kernels/isa.h"

#define GELU_K 0.7978845608028654f
#define GELU_C 0.044715f

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* sigmoid(2u) = 0.5 (1 + tanh(u)). */
static float gelu_gate(float x) { return sigmoid(2.0f * GELU_K * (x + GELU_C * x * x * x)); }

static float gelu(float x) { return x * gelu_gate(x); }

/* d/dx [x s] with s = sigmoid(2u): s + x * 2 s (1 - s) du/dx. */
static float gelu_grad(float x)
{
    float s = gelu_gate(x);
    float du_dx = GELU_K * (1.0f + 3.0f * GELU_C * x * x);
    return s + 2.0f * x * s * (1.0f - s) * du_dx;
}

void nnl_act_forward_scalar(nnl_act_kind kind, int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++) {
        switch (kind) {
        case NNL_ACT_KIND_RELU: y[i] = x[i] > 0.0f ? x[i] : 0.0f; break;
        case NNL_ACT_KIND_SIGMOID: y[i] = sigmoid(x[i]); break;
        case NNL_ACT_KIND_TANH: y[i] = tanhf(x[i]); break;
        case NNL_ACT_KIND_GELU: y[i] = gelu(x[i]); break;
        }
    }
}

void nnl_act_backward_scalar(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                             const float *dy, float *dx)
{
    for (int64_t i = 0; i < n; i++) {
        switch (kind) {
        case NNL_ACT_KIND_RELU: dx[i] = y[i] > 0.0f ? dy[i] : 0.0f; break;
        case NNL_ACT_KIND_SIGMOID: dx[i] = dy[i] * y[i] * (1.0f - y[i]); break;
        case NNL_ACT_KIND_TANH: dx[i] = dy[i] * (1.0f - y[i] * y[i]); break;
        case NNL_ACT_KIND_GELU: dx[i] = dy[i] * gelu_grad(x[i]); break;
        }
    }
}
