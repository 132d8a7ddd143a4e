/* Layer architecture as JSON: writing a layer's {"type": ..., ...} and
 * re-creating a layer from it when a model file is loaded, through the
 * type's descriptor (from_config) found in the registry. Every value read
 * from a file is range-checked by the constructor it is passed to. */
#include "nn/layer_config.h"

#include <string.h>

#include "core/error.h"

enum { MAX_NESTING = 16 };

void nnl_layer_write_json(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, "{\"type\":\"%s\"", l->ops->type);
    l->ops->write_config(l, json);
    nnl_strbuf_puts(json, "}");
}

int64_t nnl_config_read_int(nnl_layer_config_reader *r, const char *key, int64_t fallback)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    int64_t n = fallback;
    if (r->status == NNL_OK && (!v || !nnl_json_int(v, 0, (int64_t)1 << 40, &n)))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not an integer", r->label, r->type, key);
    return n;
}

int64_t nnl_config_read_pair(nnl_layer_config_reader *r, const char *key, int index)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    int64_t n = 0;
    if (r->status == NNL_OK &&
        (!v || v->kind != NNL_JSON_ARRAY || v->count != 2 || !nnl_json_int(&v->items[index], 0, 1 << 20, &n)))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' must be [int, int]", r->label, r->type, key);
    return n;
}

float nnl_config_read_float(nnl_layer_config_reader *r, const char *key)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    if (r->status == NNL_OK && (!v || v->kind != NNL_JSON_NUMBER))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not a number", r->label, r->type, key);
    return v && v->kind == NNL_JSON_NUMBER ? (float)v->number : 0.0f;
}

float nnl_config_read_float_or(nnl_layer_config_reader *r, const char *key, float fallback)
{
    return nnl_json_get(r->object, key) ? nnl_config_read_float(r, key) : fallback;
}

const char *nnl_config_read_string(nnl_layer_config_reader *r, const char *key)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    if (r->status == NNL_OK && (!v || v->kind != NNL_JSON_STRING))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not a string", r->label, r->type, key);
    return v && v->kind == NNL_JSON_STRING ? v->string : "";
}

nnl_activation nnl_config_read_activation(nnl_layer_config_reader *r)
{
    nnl_activation act = NNL_ACT_NONE;
    const char *name = nnl_config_read_string(r, "activation");
    if (r->status == NNL_OK && !nnl_activation_parse(name, &act))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: unknown activation '%s'", r->label, r->type, name);
    return act;
}

nnl_padding nnl_config_read_padding(nnl_layer_config_reader *r)
{
    const char *name = nnl_config_read_string(r, "padding");
    if (strcmp(name, "same") == 0)
        return NNL_PAD_SAME;
    if (r->status == NNL_OK && strcmp(name, "valid") != 0)
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: unknown padding '%s'", r->label, r->type, name);
    return NNL_PAD_VALID;
}

nnl_status nnl_layer_from_config(nnl_layer **out, const nnl_json *config, const char *label, int depth)
{
    *out = NULL;
    if (depth > MAX_NESTING)
        return nnl_error(NNL_E_FORMAT, "%s: layers nested deeper than %d", label, MAX_NESTING);
    const nnl_json *type = nnl_json_get(config, "type");
    if (!type || type->kind != NNL_JSON_STRING)
        return nnl_error(NNL_E_FORMAT, "%s: a layer entry has no \"type\" string", label);
    const nnl_layer_ops *ops = nnl_layer_type_find(type->string);
    if (!ops)
        return nnl_error(NNL_E_FORMAT, "%s: unknown layer type '%s'", label, type->string);
    nnl_layer_config_reader r = {config, label, type->string, depth, NNL_OK};
    nnl_status s = ops->from_config(out, &r);
    if (s == NNL_E_INVALID_ARG) /* a constructor refused a value read from the file */
        s = nnl_error_rethrow(NNL_E_FORMAT, label);
    return s;
}
