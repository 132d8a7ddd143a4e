/* Layer architecture as JSON: writing a layer's {"type": ..., ...} and
 * re-creating a layer from it when a model file is loaded. Every value read
 * from a file is range-checked by the constructor it is passed to. */
#include <string.h>

#include "core/error.h"
#include "nn/layer.h"

enum { MAX_NESTING = 16 };

void nnl_layer_write_json(const nnl_layer *l, nnl_strbuf *json)
{
    nnl_strbuf_printf(json, "{\"type\":\"%s\"", l->ops->type);
    l->ops->write_config(l, json);
    nnl_strbuf_puts(json, "}");
}

typedef struct config_reader {
    const nnl_json *object;
    const char *label;
    const char *type;
    nnl_status status;
} config_reader;

static int64_t read_int(config_reader *r, const char *key, int64_t fallback)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    int64_t n = fallback;
    if (r->status == NNL_OK && (!v || !nnl_json_int(v, 0, (int64_t)1 << 40, &n)))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not an integer", r->label, r->type, key);
    return n;
}

static int64_t read_pair(config_reader *r, const char *key, int index)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    int64_t n = 0;
    if (r->status == NNL_OK &&
        (!v || v->kind != NNL_JSON_ARRAY || v->count != 2 || !nnl_json_int(&v->items[index], 0, 1 << 20, &n)))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' must be [int, int]", r->label, r->type, key);
    return n;
}

static float read_float(config_reader *r, const char *key)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    if (r->status == NNL_OK && (!v || v->kind != NNL_JSON_NUMBER))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not a number", r->label, r->type, key);
    return v && v->kind == NNL_JSON_NUMBER ? (float)v->number : 0.0f;
}

/* An optional number: `fallback` when the key is absent (files older than the key). */
static float read_float_or(config_reader *r, const char *key, float fallback)
{
    return nnl_json_get(r->object, key) ? read_float(r, key) : fallback;
}

static const char *read_string(config_reader *r, const char *key)
{
    const nnl_json *v = nnl_json_get(r->object, key);
    if (r->status == NNL_OK && (!v || v->kind != NNL_JSON_STRING))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: '%s' is missing or not a string", r->label, r->type, key);
    return v && v->kind == NNL_JSON_STRING ? v->string : "";
}

static nnl_activation read_activation(config_reader *r)
{
    nnl_activation act = NNL_ACT_NONE;
    const char *name = read_string(r, "activation");
    if (r->status == NNL_OK && !nnl_activation_parse(name, &act))
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: unknown activation '%s'", r->label, r->type, name);
    return act;
}

static nnl_padding read_padding(config_reader *r)
{
    const char *name = read_string(r, "padding");
    if (strcmp(name, "same") == 0)
        return NNL_PAD_SAME;
    if (r->status == NNL_OK && strcmp(name, "valid") != 0)
        r->status = nnl_error(NNL_E_FORMAT, "%s: %s layer: unknown padding '%s'", r->label, r->type, name);
    return NNL_PAD_VALID;
}

static nnl_status residual_from_config(nnl_layer **out, config_reader *r, int depth)
{
    const nnl_json *inner = nnl_json_get(r->object, "layers");
    if (!inner || inner->kind != NNL_JSON_ARRAY)
        return nnl_error(NNL_E_FORMAT, "%s: residual layer: 'layers' must be an array", r->label);
    NNL_TRY(nnl_layer_residual(out));
    for (size_t i = 0; i < inner->count; i++) {
        nnl_layer *child = NULL;
        nnl_status s = nnl_layer_from_config(&child, &inner->items[i], r->label, depth + 1);
        if (s == NNL_OK)
            s = nnl_layer_residual_add(*out, child);
        if (s != NNL_OK) {
            nnl_layer_free(child);
            nnl_layer_free(*out);
            *out = NULL;
            return s == NNL_E_FORMAT || s == NNL_E_NOMEM ? s : nnl_error_rethrow(NNL_E_FORMAT, r->label);
        }
    }
    return NNL_OK;
}

/* Call the public constructor for `type`; its argument checks reject hostile values. */
static nnl_status construct(nnl_layer **out, config_reader *r, int depth)
{
    const char *t = r->type;
    if (strcmp(t, "dense") == 0) {
        int64_t units = read_int(r, "units", 0);
        nnl_activation act = read_activation(r);
        return r->status != NNL_OK ? r->status : nnl_layer_dense(out, units, act);
    }
    if (strcmp(t, "conv2d") == 0) {
        int64_t filters = read_int(r, "filters", 0), kh = read_pair(r, "kernel", 0), kw = read_pair(r, "kernel", 1);
        int64_t stride = read_int(r, "stride", 1);
        nnl_padding pad = read_padding(r);
        nnl_activation act = read_activation(r);
        return r->status != NNL_OK ? r->status : nnl_layer_conv2d(out, filters, kh, kw, stride, pad, act);
    }
    if (strcmp(t, "maxpool2d") == 0 || strcmp(t, "avgpool2d") == 0) {
        int64_t ph = read_pair(r, "pool", 0), pw = read_pair(r, "pool", 1), stride = read_int(r, "stride", 0);
        if (r->status != NNL_OK)
            return r->status;
        return t[0] == 'm' ? nnl_layer_maxpool2d(out, ph, pw, stride) : nnl_layer_avgpool2d(out, ph, pw, stride);
    }
    if (strcmp(t, "flatten") == 0)
        return nnl_layer_flatten(out);
    if (strcmp(t, "activation") == 0) {
        nnl_activation act = read_activation(r);
        return r->status != NNL_OK ? r->status : nnl_layer_activation(out, act);
    }
    if (strcmp(t, "dropout") == 0) {
        float rate = read_float(r, "rate");
        return r->status != NNL_OK ? r->status : nnl_layer_dropout(out, rate);
    }
    if (strcmp(t, "batchnorm") == 0) {
        float momentum = read_float(r, "momentum"), eps = read_float(r, "epsilon");
        return r->status != NNL_OK ? r->status : nnl_layer_batchnorm(out, momentum, eps);
    }
    if (strcmp(t, "residual") == 0)
        return residual_from_config(out, r, depth);
    if (strcmp(t, "embedding") == 0) {
        int64_t vocab = read_int(r, "vocab", 0), dim = read_int(r, "dim", 0);
        return r->status != NNL_OK ? r->status : nnl_layer_embedding(out, vocab, dim);
    }
    if (strcmp(t, "layernorm") == 0) {
        float eps = read_float(r, "epsilon");
        return r->status != NNL_OK ? r->status : nnl_layer_layernorm(out, eps);
    }
    if (strcmp(t, "causal_self_attention") == 0) {
        int64_t heads = read_int(r, "heads", 0);
        return r->status != NNL_OK ? r->status : nnl_layer_causal_self_attention(out, heads);
    }
    if (strcmp(t, "transformer_block") == 0) {
        int64_t heads = read_int(r, "heads", 0), dim = read_int(r, "dim", 0);
        float dropout = read_float_or(r, "dropout", 0.0f);
        return r->status != NNL_OK ? r->status : nnl_layer_transformer_block_dropout(out, heads, dim, dropout);
    }
    if (strcmp(t, "position_embedding") == 0) {
        int64_t positions = read_int(r, "positions", 0);
        return r->status != NNL_OK ? r->status : nnl_layer_position_embedding(out, positions);
    }
    if (strcmp(t, "tied_output") == 0) {
        int64_t source = read_int(r, "source", 0);
        return r->status != NNL_OK ? r->status : nnl_layer_tied_output(out, source);
    }
    return nnl_error(NNL_E_FORMAT, "%s: unknown layer type '%s'", r->label, t);
}

nnl_status nnl_layer_from_config(nnl_layer **out, const nnl_json *config, const char *label, int depth)
{
    *out = NULL;
    if (depth > MAX_NESTING)
        return nnl_error(NNL_E_FORMAT, "%s: layers nested deeper than %d", label, MAX_NESTING);
    const nnl_json *type = nnl_json_get(config, "type");
    if (!type || type->kind != NNL_JSON_STRING)
        return nnl_error(NNL_E_FORMAT, "%s: a layer entry has no \"type\" string", label);
    config_reader r = {config, label, type->string, NNL_OK};
    nnl_status s = construct(out, &r, depth);
    if (s == NNL_E_INVALID_ARG) /* a constructor refused a value read from the file */
        s = nnl_error_rethrow(NNL_E_FORMAT, label);
    return s;
}
