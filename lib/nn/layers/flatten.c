/* Flatten: x {B, d1, d2, ...} -> y {B, d1*d2*...}, the same elements in the
 * same order: the workspace makes y a view of x and dx a view of dy
 * (NNL_LAYER_RESHAPES), so the layer copies nothing. */
#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_config.h"

static nnl_status flatten_build(nnl_layer *l, nnl_rng *init)
{
    (void)init;
    l->out_ndim = 1;
    l->out_dims[0] = nnl_dims_count(l->in_ndim, l->in_dims);
    return NNL_OK;
}

static void flatten_write_config(const nnl_layer *l, nnl_strbuf *json)
{
    (void)l;
    (void)json;
}

static nnl_status flatten_from_config(nnl_layer **out, nnl_layer_config_reader *r)
{
    (void)r;
    return nnl_layer_flatten(out);
}

const nnl_layer_ops nnl_layer_ops_flatten = {
    .type = "flatten", .from_config = flatten_from_config, .build = flatten_build,
    .write_config = flatten_write_config, .flags = NNL_LAYER_RESHAPES};

nnl_status nnl_layer_flatten(nnl_layer **out)
{
    return nnl_layer_new(out, &nnl_layer_ops_flatten, "nnl_layer_flatten");
}
