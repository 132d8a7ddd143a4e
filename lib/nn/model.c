/* Sequential model: construction, layers, parameters, summary, compile. */
#include "nn/model.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"

nnl_status nnl_model_create(nnl_model **out, int ndim, const int64_t *input_dims)
{
    NNL_CHECK_PTR("nnl_model_create", out);
    *out = NULL;
    int64_t count;
    if (ndim < 1 || ndim >= NNL_MAX_DIMS)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_create: ndim=%d, expected 1..%d", ndim, NNL_MAX_DIMS - 1);
    NNL_TRY(nnl_shape_check("nnl_model_create", ndim, input_dims, &count));
    nnl_model *m = nnl_alloc_zeroed(sizeof *m);
    if (!m)
        return nnl_error(NNL_E_NOMEM, "nnl_model_create: out of memory");
    m->in_ndim = ndim;
    memcpy(m->in_dims, input_dims, (size_t)ndim * sizeof input_dims[0]);
    pthread_mutex_init(&m->pool_lock, NULL);
    *out = m;
    return NNL_OK;
}

static void release_training_buffers(nnl_model *m)
{
    nnl_workspace_free(m->train_ws);
    nnl_tensor_free(m->batch_x);
    nnl_tensor_free(m->batch_y);
    nnl_tensor_free(m->loss_grad);
    nnl_dealloc(m->batch_labels);
    m->train_ws = NULL;
    m->batch_x = m->batch_y = m->loss_grad = NULL;
    m->batch_labels = NULL;
    m->labels_capacity = 0;
    nnl_workspace_free(m->head_ws);
    nnl_tensor_free(m->head_x);
    nnl_tensor_free(m->head_y);
    nnl_tensor_free(m->head_grad);
    nnl_tensor_free(m->head_dh);
    nnl_dealloc(m->head_rows);
    m->head_ws = NULL;
    m->head_x = m->head_y = m->head_grad = m->head_dh = NULL;
    m->head_rows = NULL;
    m->head_rows_capacity = m->head_kept = 0;
    for (int i = 0; i < m->pool_count; i++)
        nnl_workspace_free(m->pool[i]);
    m->pool_count = 0;
}

nnl_status nnl_model_workspace_acquire(const nnl_model *m, nnl_workspace **ws)
{
    nnl_model *pool_owner = (nnl_model *)m; /* the pool is internally synchronised */
    pthread_mutex_lock(&pool_owner->pool_lock);
    *ws = pool_owner->pool_count > 0 ? pool_owner->pool[--pool_owner->pool_count] : NULL;
    pthread_mutex_unlock(&pool_owner->pool_lock);
    return *ws ? NNL_OK : nnl_workspace_create(ws, m->num_layers);
}

void nnl_model_workspace_release(const nnl_model *m, nnl_workspace *ws)
{
    nnl_model *pool_owner = (nnl_model *)m;
    pthread_mutex_lock(&pool_owner->pool_lock);
    if (pool_owner->pool_count < NNL_MODEL_POOL_SIZE && ws->num_layers == m->num_layers) {
        pool_owner->pool[pool_owner->pool_count++] = ws;
        ws = NULL;
    }
    pthread_mutex_unlock(&pool_owner->pool_lock);
    nnl_workspace_free(ws);
}

void nnl_model_free(nnl_model *model)
{
    if (!model)
        return;
    for (int i = 0; i < model->num_layers; i++)
        nnl_layer_free_owned(model->layers[i]);
    nnl_dealloc(model->layers);
    nnl_optimizer_free_owned(model->optimizer);
    nnl_dealloc(model->params);
    nnl_dealloc(model->param_ptrs);
    nnl_tokenizer_free(model->tokenizer);
    nnl_dealloc(model->class_names);
    release_training_buffers(model);
    nnl_history_release(&model->history);
    pthread_mutex_destroy(&model->pool_lock);
    nnl_dealloc(model);
}

nnl_status nnl_model_set_seed(nnl_model *model, uint64_t seed)
{
    NNL_CHECK_PTR("nnl_model_set_seed", model);
    model->seed = seed;
    return NNL_OK;
}

void nnl_model_out_shape(const nnl_model *m, int *ndim, const int64_t **dims)
{
    if (m->num_layers == 0) {
        *ndim = m->in_ndim;
        *dims = m->in_dims;
    } else {
        const nnl_layer *last = m->layers[m->num_layers - 1];
        *ndim = last->out_ndim;
        *dims = last->out_dims;
    }
}

static int count_params(const nnl_layer *l)
{
    int n = l->num_params;
    for (int i = 0; i < l->num_children; i++)
        n += count_params(l->children[i]);
    return n;
}

static void collect_params(nnl_layer *l, const char *prefix, nnl_model_param *out, int *n)
{
    for (int i = 0; i < l->num_params; i++) {
        snprintf(out[*n].name, sizeof out[*n].name, "%s.%s", prefix, l->params[i].name);
        out[*n].param = &l->params[i];
        (*n)++;
    }
    for (int i = 0; i < l->num_children; i++) {
        char child[96];
        snprintf(child, sizeof child, "%s.inner.%d", prefix, i);
        collect_params(l->children[i], child, out, n);
    }
}

/* Append the parameters of the layer just added (the last one) to the flat
 * list. The arrays grow by doubling, so adding n layers costs time linear in
 * the parameters: rebuilding the list at every add made a model file of 4,096
 * small layers (900 kB) take 5 s to load. Fails before changing anything. */
static nnl_status index_new_layer(nnl_model *m)
{
    nnl_layer *l = m->layers[m->num_layers - 1];
    int needed = m->num_params + count_params(l);
    if (needed > m->cap_params) {
        int cap = needed > 2 * m->cap_params ? needed : 2 * m->cap_params;
        nnl_model_param *params = nnl_alloc_zeroed((size_t)cap * sizeof *params);
        nnl_param **ptrs = nnl_alloc_zeroed((size_t)cap * sizeof *ptrs);
        if (!params || !ptrs) {
            nnl_dealloc(params);
            nnl_dealloc(ptrs);
            return nnl_error(NNL_E_NOMEM, "nnl_model_add: out of memory indexing %d parameters", needed);
        }
        if (m->num_params) {
            memcpy(params, m->params, (size_t)m->num_params * sizeof *params);
            memcpy(ptrs, m->param_ptrs, (size_t)m->num_params * sizeof *ptrs);
        }
        nnl_dealloc(m->params);
        nnl_dealloc(m->param_ptrs);
        m->params = params;
        m->param_ptrs = ptrs;
        m->cap_params = cap;
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "layers.%d", m->num_layers - 1);
    int n = m->num_params;
    collect_params(l, prefix, m->params, &n);
    for (int i = m->num_params; i < n; i++)
        m->param_ptrs[i] = m->params[i].param;
    m->num_params = n;
    return NNL_OK;
}

nnl_status nnl_model_add(nnl_model *model, nnl_layer *layer)
{
    NNL_CHECK_PTR("nnl_model_add", model);
    NNL_CHECK_PTR("nnl_model_add", layer);
    if (model->compiled)
        return nnl_error(NNL_E_STATE, "nnl_model_add: the model is compiled; add layers before nnl_model_compile");
    if (model->sealed)
        return nnl_error(NNL_E_STATE, "nnl_model_add: the model belongs to a GPT (nnl_gpt_model), whose layers "
                         "are fixed");
    if (layer->owned || layer->built)
        return nnl_error(NNL_E_STATE, "nnl_model_add: the %s layer is built or belongs to a model already",
                         layer->ops->type);
    if (model->num_layers >= 4096)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_add: more than 4096 layers");
    if (model->num_layers == model->cap_layers) {
        int cap = model->cap_layers ? model->cap_layers * 2 : 8;
        nnl_layer **layers = nnl_alloc((size_t)cap * sizeof *layers);
        if (!layers)
            return nnl_error(NNL_E_NOMEM, "nnl_model_add: out of memory");
        if (model->num_layers)
            memcpy(layers, model->layers, (size_t)model->num_layers * sizeof *layers);
        nnl_dealloc(model->layers);
        model->layers = layers;
        model->cap_layers = cap;
    }
    int ndim;
    const int64_t *dims;
    nnl_model_out_shape(model, &ndim, &dims);
    nnl_rng init;
    nnl_rng_seed(&init, model->seed, (uint64_t)model->num_layers + 1);
    layer->siblings = model->layers;
    layer->num_siblings = model->num_layers;
    nnl_status s = nnl_layer_build_internal(layer, ndim, dims, &init);
    layer->siblings = NULL; /* the array moves as the model grows */
    layer->num_siblings = 0;
    if (s != NNL_OK)
        return nnl_error_rethrow(s, "nnl_model_add");
    model->layers[model->num_layers++] = layer;
    s = index_new_layer(model);
    if (s != NNL_OK) {
        model->num_layers--;
        nnl_layer_unbuild(layer);
        return s;
    }
    layer->owned = 1;
    release_training_buffers(model); /* shapes changed */
    return NNL_OK;
}

nnl_status nnl_model_truncate(nnl_model *model, int num_layers)
{
    static const char who[] = "nnl_model_truncate";
    NNL_CHECK_PTR(who, model);
    if (model->sealed)
        return nnl_error(NNL_E_STATE, "%s: the model belongs to a GPT (nnl_gpt_model), whose layers are fixed", who);
    if (model->compiled)
        return nnl_error(NNL_E_STATE, "%s: the model is compiled (its optimizer holds the parameters); truncate "
                         "before nnl_model_compile, or load a file saved without the optimizer", who);
    if (num_layers < 0 || num_layers > model->num_layers)
        return nnl_error(NNL_E_INVALID_ARG, "%s: num_layers=%d, the model has %d", who, num_layers,
                         model->num_layers);
    int kept_params = 0;
    for (int i = 0; i < num_layers; i++)
        kept_params += count_params(model->layers[i]);
    for (int i = num_layers; i < model->num_layers; i++)
        nnl_layer_free_owned(model->layers[i]);
    model->num_layers = num_layers;
    model->num_params = kept_params;
    model->has_loss = 0; /* the loss was the old output's */
    release_training_buffers(model);
    return NNL_OK;
}

int nnl_model_num_layers(const nnl_model *model) { return model ? model->num_layers : -1; }

nnl_layer *nnl_model_layer(nnl_model *model, int index)
{
    if (!model || index < 0 || index >= model->num_layers)
        return NULL;
    return model->layers[index];
}

int64_t nnl_model_param_count(const nnl_model *model)
{
    if (!model)
        return -1;
    int64_t n = 0;
    for (int i = 0; i < model->num_layers; i++)
        n += nnl_layer_param_count(model->layers[i]);
    return n;
}

nnl_status nnl_model_output_shape(const nnl_model *model, int64_t *dims, int capacity, int *ndim)
{
    NNL_CHECK_PTR("nnl_model_output_shape", model);
    NNL_CHECK_PTR("nnl_model_output_shape", dims);
    NNL_CHECK_PTR("nnl_model_output_shape", ndim);
    int n;
    const int64_t *d;
    nnl_model_out_shape(model, &n, &d);
    if (capacity < n)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_output_shape: capacity=%d, need %d", capacity, n);
    memcpy(dims, d, (size_t)n * sizeof d[0]);
    *ndim = n;
    return NNL_OK;
}

/* One table row: "conv2d_0 (conv2d)   (None, 26, 26, 32)   320". */
static void summary_row(nnl_strbuf *b, const char *name, int ndim, const int64_t *dims, int64_t params)
{
    char shape[160];
    size_t used = (size_t)snprintf(shape, sizeof shape, "(None");
    for (int d = 0; d < ndim && used < sizeof shape; d++)
        used += (size_t)snprintf(shape + used, sizeof shape - used, ", %lld", (long long)dims[d]);
    if (used < sizeof shape)
        snprintf(shape + used, sizeof shape - used, ")");
    nnl_strbuf_printf(b, "%-28s %-29s %12lld\n", name, shape, (long long)params);
}

nnl_status nnl_model_summary(const nnl_model *model, char *buf, size_t capacity, size_t *length)
{
    NNL_CHECK_PTR("nnl_model_summary", model);
    if (!buf && capacity > 0)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_summary: buf is NULL with capacity %zu", capacity);
    nnl_strbuf b;
    nnl_strbuf_init(&b);
    const char *rule = "________________________________________________________________________\n";
    nnl_strbuf_printf(&b, "Model: sequential\n%s%-28s %-29s %12s\n", rule, "Layer (type)", "Output Shape", "Param #");
    nnl_strbuf_puts(&b, "========================================================================\n");
    for (int i = 0; i < model->num_layers; i++) {
        const nnl_layer *l = model->layers[i];
        char name[64];
        snprintf(name, sizeof name, "%s_%d (%s)", l->ops->type, i, l->ops->type);
        summary_row(&b, name, l->out_ndim, l->out_dims, nnl_layer_param_count(l));
    }
    nnl_strbuf_puts(&b, "========================================================================\n");
    int64_t total = nnl_model_param_count(model);
    nnl_strbuf_printf(&b, "Total params: %lld (%.2f KB)\nTrainable params: %lld\n", (long long)total,
                      (double)total * 4 / 1024.0, (long long)total);
    nnl_strbuf_puts(&b, rule);
    nnl_status s = nnl_strbuf_status(&b, "nnl_model_summary");
    if (s == NNL_OK) {
        if (length)
            *length = b.length;
        if (capacity > 0) {
            size_t n = b.length < capacity - 1 ? b.length : capacity - 1;
            memcpy(buf, b.data, n);
            buf[n] = '\0';
        }
    }
    nnl_strbuf_free(&b);
    return s;
}

nnl_status nnl_model_compile(nnl_model *model, nnl_loss loss, nnl_optimizer *optimizer)
{
    NNL_CHECK_PTR("nnl_model_compile", model);
    NNL_CHECK_PTR("nnl_model_compile", optimizer);
    if (model->sealed)
        return nnl_error(NNL_E_STATE, "nnl_model_compile: the model belongs to a GPT (nnl_gpt_model); "
                         "nnl_gpt_train compiles it");
    return nnl_model_attach(model, loss, optimizer);
}

nnl_status nnl_model_attach(nnl_model *model, nnl_loss loss, nnl_optimizer *optimizer)
{
    if (model->num_layers == 0)
        return nnl_error(NNL_E_STATE, "nnl_model_compile: the model has no layers");
    if (optimizer->owned && optimizer != model->optimizer)
        return nnl_error(NNL_E_STATE, "nnl_model_compile: the optimizer belongs to another model");
    NNL_TRY(nnl_model_check_loss(model, loss, "nnl_model_compile"));
    if (optimizer != model->optimizer) {
        NNL_TRY(nnl_error_in(nnl_optimizer_bind(optimizer, model->param_ptrs, model->num_params), "nnl_model_compile"));
        nnl_optimizer_free_owned(model->optimizer);
        model->optimizer = optimizer;
        optimizer->owned = 1;
    }
    model->loss = loss;
    model->compiled = 1;
    model->has_loss = 1;
    return NNL_OK;
}

nnl_status nnl_model_check_loss(const nnl_model *m, nnl_loss loss, const char *who)
{
    int ndim;
    const int64_t *dims;
    nnl_model_out_shape(m, &ndim, &dims);
    if ((unsigned)loss > NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY)
        return nnl_error(NNL_E_INVALID_ARG, "%s: unknown loss %d", who, (int)loss);
    if (loss == NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY && (ndim != 1 || dims[0] < 2))
        return nnl_error(NNL_E_SHAPE, "%s: sparse categorical cross-entropy needs a 1-D output of >= 2 classes; the "
                         "model outputs %d dims (last %lld); NNL_LOSS_SOFTMAX_CROSSENTROPY takes logits at every "
                         "position", who, ndim, (long long)dims[ndim - 1]);
    if (loss == NNL_LOSS_SOFTMAX_CROSSENTROPY && dims[ndim - 1] < 2)
        return nnl_error(NNL_E_SHAPE, "%s: softmax cross-entropy needs >= 2 classes in the last dimension; the "
                         "model outputs %lld", who, (long long)dims[ndim - 1]);
    return NNL_OK;
}

nnl_status nnl_model_check_data(const nnl_model *m, const nnl_dataset *data, int with_targets, const char *who)
{
    NNL_CHECK_PTR(who, data);
    int64_t dims[NNL_MAX_DIMS];
    int ndim;
    NNL_TRY(nnl_dataset_sample_shape(data, dims, NNL_MAX_DIMS, &ndim));
    if (nnl_dataset_size(data) < 1)
        return nnl_error(NNL_E_SHAPE, "%s: the data set is empty", who);
    if (ndim != m->in_ndim || memcmp(dims, m->in_dims, (size_t)ndim * sizeof dims[0]) != 0) {
        char got[128], want[128];
        return nnl_error(NNL_E_SHAPE, "%s: samples have shape %s, the model takes %s", who,
                         nnl_shape_str(got, sizeof got, ndim, dims), nnl_shape_str(want, sizeof want, m->in_ndim, m->in_dims));
    }
    if (!with_targets)
        return NNL_OK;
    int out_ndim;
    const int64_t *out_dims;
    nnl_model_out_shape(m, &out_ndim, &out_dims);
    return nnl_loss_check_shapes(m->loss, nnl_dims_count(out_ndim, out_dims), out_dims[out_ndim - 1],
                                 nnl_dataset_target_size(data), who);
}
