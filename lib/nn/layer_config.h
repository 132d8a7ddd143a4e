/* Internal: reading a layer's JSON config when a model file is loaded.
 *
 * nnl_layer_from_config() finds the type's descriptor in the registry
 * (lib/nn/layers/registry.c) and calls its from_config with a reader over
 * the layer's JSON object. The readers below record the first error in
 * r->status (NNL_E_FORMAT, naming the file, the type and the key) and do
 * nothing after it, so a from_config reads every member and checks once:
 *
 *     int64_t units = nnl_config_read_int(r, "units", 0);
 *     nnl_activation act = nnl_config_read_activation(r);
 *     return r->status != NNL_OK ? r->status : nnl_layer_dense(out, units, act);
 *
 * Values are range-checked by the public constructor they are passed to;
 * its NNL_E_INVALID_ARG becomes NNL_E_FORMAT for the file. */
#ifndef NNL_NN_LAYER_CONFIG_H
#define NNL_NN_LAYER_CONFIG_H

#include "io/json.h"
#include "nn/layer.h"

struct nnl_layer_config_reader {
    const nnl_json *object;     /* the layer's {"type": ..., ...} */
    const char *label;          /* the file, for messages */
    const char *type;
    int depth;                  /* nesting: a composite's inner layers are read at depth + 1 */
    nnl_status status;          /* the first error, NNL_OK until then */
};

/* An integer in 0..2^40; `fallback` is returned when it is missing (an error). */
int64_t nnl_config_read_int(nnl_layer_config_reader *r, const char *key, int64_t fallback);
/* Element `index` (0 or 1) of a [int, int] pair in 0..2^20. */
int64_t nnl_config_read_pair(nnl_layer_config_reader *r, const char *key, int index);
float nnl_config_read_float(nnl_layer_config_reader *r, const char *key);
/* An optional number: `fallback` when the key is absent (files older than the key). */
float nnl_config_read_float_or(nnl_layer_config_reader *r, const char *key, float fallback);
/* Borrowed from the JSON document; "" after an error. */
const char *nnl_config_read_string(nnl_layer_config_reader *r, const char *key);
/* "activation": a name nnl_activation_name writes. */
nnl_activation nnl_config_read_activation(nnl_layer_config_reader *r);
/* "padding": "valid" or "same". */
nnl_padding nnl_config_read_padding(nnl_layer_config_reader *r);

/* The descriptor of a layer type by its name, NULL when there is none
 * (lib/nn/layers/registry.c). */
const nnl_layer_ops *nnl_layer_type_find(const char *type);

#endif
