/* Every layer type, one line each. A type's descriptor,
 * `const nnl_layer_ops nnl_layer_ops_<name>`, is defined in its file in this
 * folder; nnl_layer_from_config() finds it here by the name a model file
 * gives ("type"), which is the descriptor's own type string. Adding a layer
 * type: its file, a line here, its constructor in include/nnlite/layer.h
 * (docs/architecture.md, "Adding a layer"). */
#include <string.h>

#include "nn/layer_config.h"

#define NNL_LAYER_TYPES(X)      \
    X(dense)                    \
    X(conv2d)                   \
    X(maxpool2d)                \
    X(avgpool2d)                \
    X(flatten)                  \
    X(activation)               \
    X(dropout)                  \
    X(batchnorm)                \
    X(residual)                 \
    X(embedding)                \
    X(position_embedding)       \
    X(layernorm)                \
    X(causal_self_attention)    \
    X(self_attention)           \
    X(transformer_block)        \
    X(encoder_block)            \
    X(tied_output)              \
    X(select_position)          \
    X(rnn)                      \
    X(lstm)                     \
    X(gru)

#define DECLARE(name) extern const nnl_layer_ops nnl_layer_ops_##name;
NNL_LAYER_TYPES(DECLARE)

#define ENTRY(name) &nnl_layer_ops_##name,
static const nnl_layer_ops *const registry[] = {NNL_LAYER_TYPES(ENTRY)};

const nnl_layer_ops *nnl_layer_type_find(const char *type)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i]->type, type) == 0)
            return registry[i];
    return NULL;
}
