/* Saving and loading sequential models as safetensors files.
 *
 * Metadata (all strings, as the format requires):
 *   format                "nnlite.sequential"
 *   nnlite.version        library version that wrote the file
 *   nnlite.architecture   JSON {"input": [dims], "layers": [{"type": ...}, ...]}
 *   nnlite.loss           the loss (nnl_loss_name(): "sparse_categorical_crossentropy", "mse" ...) of a
 *                         compiled or loaded model: a loaded model evaluates without compiling
 *   nnlite.optimizer      JSON optimizer settings and step (with NNL_SAVE_OPTIMIZER)
 *   nnlite.train_rng      "state,increment" of the steps-mode generator (with NNL_SAVE_OPTIMIZER,
 *                         once steps-mode training has seeded it)
 *   nnlite.padding_token  the padding token id, when the model has one (nnl_model_set_padding_token)
 *   nnlite.vocab, nnlite.class_names   its tokenizer and class names, when set (model_meaning.c)
 * Tensors: "layers.<i>.<param>" (residual inner layers "layers.<i>.inner.<j>.<param>"),
 * and with the optimizer "optimizer.<param name>.m" / ".v". See docs/file-format.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "nn/model_io.h"
#include "io/safetensors.h"
#include "nn/model.h"
#include "nnlite/version.h"

#define MODEL_FORMAT "nnlite.sequential"

static void write_architecture(const nnl_model *m, nnl_strbuf *json)
{
    nnl_strbuf_puts(json, "{\"input\":[");
    for (int i = 0; i < m->in_ndim; i++)
        nnl_strbuf_printf(json, i ? ",%lld" : "%lld", (long long)m->in_dims[i]);
    nnl_strbuf_puts(json, "],\"layers\":[");
    for (int i = 0; i < m->num_layers; i++) {
        nnl_strbuf_puts(json, i ? "," : "");
        nnl_layer_write_json(m->layers[i], json);
    }
    nnl_strbuf_puts(json, "]}");
}

static void write_optimizer(const nnl_optimizer *o, nnl_strbuf *json)
{
    const char *schedules[] = {"constant", "step", "cosine"};
    nnl_strbuf_printf(json,
                      "{\"type\":\"%s\",\"lr\":%.9g,\"beta1\":%.9g,\"beta2\":%.9g,\"epsilon\":%.9g,"
                      "\"weight_decay\":%.9g,\"momentum\":%.9g,\"nesterov\":%d,\"clip_norm\":%.9g,"
                      "\"warmup_steps\":%lld,\"schedule\":\"%s\",\"schedule_steps\":%lld,\"schedule_value\":%.9g,"
                      "\"steps\":%lld}",
                      o->name, (double)o->lr, (double)o->beta1, (double)o->beta2, (double)o->epsilon,
                      (double)o->weight_decay, (double)o->momentum, o->nesterov, (double)o->clip_norm,
                      (long long)o->warmup_steps, schedules[o->schedule], (long long)o->schedule_steps,
                      (double)o->schedule_gamma, (long long)o->steps);
}

/* What is done with one optimizer moment: `name` is its tensor's name in the
 * file, `moment` its values, `shape_of` the parameter whose shape it has. */
typedef nnl_status (*moment_visitor)(void *ctx, const char *name, float *moment, const nnl_tensor *shape_of);

/* Visits the optimizer moments of m's parameters in file order: for each
 * parameter that has them, "optimizer.<param name>.m" (first) and, for Adam,
 * "optimizer.<param name>.v" (second). Saving, loading and counting them
 * all go through here, so the three agree on the names. */
static nnl_status for_each_moment(const nnl_model *m, moment_visitor visit, void *ctx)
{
    const nnl_optimizer *o = m->optimizer;
    for (int i = 0; i < m->num_params; i++) {
        if (!o->first[i])
            continue;
        const nnl_tensor *v = m->params[i].param->value;
        char name[128];
        snprintf(name, sizeof name, "optimizer.%s.m", m->params[i].name);
        NNL_TRY(visit(ctx, name, o->first[i], v));
        if (o->second) {
            snprintf(name, sizeof name, "optimizer.%s.v", m->params[i].name);
            NNL_TRY(visit(ctx, name, o->second[i], v));
        }
    }
    return NNL_OK;
}

static nnl_status add_moment(void *writer, const char *name, float *moment, const nnl_tensor *shape_of)
{
    return nnl_st_writer_add_tensor(writer, name, shape_of->ndim, shape_of->dims, moment);
}

static nnl_status add_optimizer_state(const nnl_model *m, nnl_st_writer *w)
{
    return for_each_moment(m, add_moment, w);
}

/* arch, opt and names hold the JSON texts until the writer saves. */
static nnl_status fill_writer(const nnl_model *m, int flags, nnl_st_writer *w, nnl_strbuf *arch, nnl_strbuf *opt,
                              nnl_strbuf *names)
{
    NNL_TRY(nnl_model_write_meaning(m, w, names));
    NNL_TRY(nnl_st_writer_add_metadata(w, "format", MODEL_FORMAT));
    NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.version", NNL_VERSION_STRING));
    write_architecture(m, arch);
    NNL_TRY(nnl_strbuf_status(arch, "nnl_model_save"));
    NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.architecture", arch->data));
    if (m->has_loss)
        NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.loss", nnl_loss_name(m->loss)));
    if (m->has_padding) {
        char token[16];
        snprintf(token, sizeof token, "%d", (int)m->padding_token);
        NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.padding_token", token));
    }
    for (int i = 0; i < m->num_params; i++) {
        const nnl_tensor *v = m->params[i].param->value;
        NNL_TRY(nnl_st_writer_add_tensor(w, m->params[i].name, v->ndim, v->dims, v->data));
    }
    if ((flags & NNL_SAVE_OPTIMIZER) && m->compiled) {
        write_optimizer(m->optimizer, opt);
        NNL_TRY(nnl_strbuf_status(opt, "nnl_model_save"));
        NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.optimizer", opt->data));
        NNL_TRY(add_optimizer_state(m, w));
        if (m->train_rng_seeded) {
            char rng[64];
            snprintf(rng, sizeof rng, "%llu,%llu", (unsigned long long)m->train_rng.state,
                     (unsigned long long)m->train_rng.increment);
            NNL_TRY(nnl_st_writer_add_metadata(w, "nnlite.train_rng", rng));
        }
    }
    return NNL_OK;
}

nnl_status nnl_model_save(const nnl_model *model, const char *path, int flags)
{
    NNL_CHECK_PTR("nnl_model_save", model);
    NNL_CHECK_PTR("nnl_model_save", path);
    if (flags & ~NNL_SAVE_OPTIMIZER)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_model_save: unknown flags 0x%x", (unsigned)flags);
    if ((flags & NNL_SAVE_OPTIMIZER) && !model->compiled)
        return nnl_error(NNL_E_STATE, "nnl_model_save: NNL_SAVE_OPTIMIZER needs a compiled model");
    nnl_st_writer *w;
    NNL_TRY(nnl_error_in(nnl_st_writer_create(&w), "nnl_model_save"));
    nnl_strbuf arch, opt, names;
    nnl_strbuf_init(&arch);
    nnl_strbuf_init(&opt);
    nnl_strbuf_init(&names);
    nnl_status s = fill_writer(model, flags, w, &arch, &opt, &names);
    if (s == NNL_OK)
        s = nnl_st_writer_save(w, path);
    nnl_strbuf_free(&arch);
    nnl_strbuf_free(&opt);
    nnl_strbuf_free(&names);
    nnl_st_writer_free(w);
    return nnl_error_in(s, "nnl_model_save");
}

/* ------------------------------------------------------------------ load */

/* `budget` is the number of floats the file holds: every layer's parameters
 * are charged to it before they are allocated (layer.h, param_budget), so a
 * small file cannot make us allocate a huge model. */
static nnl_status build_from_architecture(nnl_model **out, const char *text, const char *path, int64_t budget)
{
    nnl_json *arch;
    NNL_TRY(nnl_json_parse(&arch, text, strlen(text), path));
    const nnl_json *input = nnl_json_get(arch, "input"), *layers = nnl_json_get(arch, "layers");
    nnl_status s = NNL_OK;
    int64_t dims[NNL_MAX_DIMS];
    if (!input || input->kind != NNL_JSON_ARRAY || input->count < 1 || input->count >= NNL_MAX_DIMS || !layers ||
        layers->kind != NNL_JSON_ARRAY)
        s = nnl_error(NNL_E_FORMAT, "%s: architecture needs 'input' (1..7 dims) and 'layers'", path);
    for (size_t i = 0; s == NNL_OK && i < input->count; i++)
        if (!nnl_json_int(&input->items[i], 1, (int64_t)1 << 24, &dims[i]))
            s = nnl_error(NNL_E_FORMAT, "%s: architecture input dims must be integers in [1, 2^24]", path);
    if (s == NNL_OK)
        s = nnl_model_create(out, (int)input->count, dims);
    for (size_t i = 0; s == NNL_OK && i < layers->count; i++) {
        nnl_layer *layer;
        s = nnl_layer_from_config(&layer, &layers->items[i], path, 0);
        if (s == NNL_OK)
            layer->param_budget = budget;
        if (s == NNL_OK && (s = nnl_model_add(*out, layer)) != NNL_OK) {
            nnl_layer_free(layer);
            if (s != NNL_E_NOMEM) /* the layers do not fit together, or not in the file */
                s = nnl_error_rethrow(NNL_E_FORMAT, path);
        } else if (s == NNL_OK) {
            budget = layer->param_budget;
        }
    }
    nnl_json_free(arch);
    return s;
}

/* Copy tensor `name` (of shape_of's shape) to dst; a NaN or infinity in a
 * weight or optimizer moment is NNL_E_NUMERIC naming the tensor and index. */
static nnl_status copy_tensor(const nnl_st_file *f, const char *name, float *dst, const nnl_tensor *shape_of,
                              const char *path)
{
    const float *src;
    NNL_TRY(nnl_st_file_tensor(f, name, shape_of->ndim, shape_of->dims, &src));
    for (int64_t j = 0; j < shape_of->size; j++)
        if (!isfinite(src[j]))
            return nnl_error(NNL_E_NUMERIC, "%s: tensor '%s'[%lld] is %g", path, name, (long long)j,
                             (double)src[j]);
    memcpy(dst, src, (size_t)shape_of->size * sizeof(float));
    return NNL_OK;
}

static nnl_status load_weights(nnl_model *m, const nnl_st_file *f, const char *path)
{
    for (int i = 0; i < m->num_params; i++) {
        nnl_tensor *v = m->params[i].param->value;
        NNL_TRY(copy_tensor(f, m->params[i].name, v->data, v, path));
    }
    return NNL_OK;
}

typedef struct opt_reader {
    const nnl_json *json;
    const char *path;
    nnl_status status;
} opt_reader;

static double opt_number(opt_reader *r, const char *key)
{
    const nnl_json *v = nnl_json_get(r->json, key);
    if (v && (v->kind == NNL_JSON_NUMBER))
        return v->number;
    if (r->status == NNL_OK)
        r->status = nnl_error(NNL_E_FORMAT, "%s: optimizer metadata lacks number '%s'", r->path, key);
    return 0;
}

static nnl_status create_optimizer(nnl_optimizer **out, opt_reader *r)
{
    const nnl_json *type = nnl_json_get(r->json, "type");
    const char *t = type && type->kind == NNL_JSON_STRING ? type->string : "";
    float lr = (float)opt_number(r, "lr"), b1 = (float)opt_number(r, "beta1"), b2 = (float)opt_number(r, "beta2");
    float eps = (float)opt_number(r, "epsilon"), wd = (float)opt_number(r, "weight_decay");
    float momentum = (float)opt_number(r, "momentum");
    int nesterov = opt_number(r, "nesterov") != 0;
    if (r->status != NNL_OK)
        return r->status;
    if (strcmp(t, "sgd") == 0)
        return nnl_optimizer_sgd(out, lr, momentum, nesterov);
    if (strcmp(t, "adam") == 0)
        return nnl_optimizer_adam(out, lr, b1, b2, eps);
    if (strcmp(t, "adamw") == 0)
        return nnl_optimizer_adamw(out, lr, b1, b2, eps, wd);
    return nnl_error(NNL_E_FORMAT, "%s: unknown optimizer type '%s'", r->path, t);
}

static nnl_status configure_optimizer(nnl_optimizer *o, opt_reader *r)
{
    float clip = (float)opt_number(r, "clip_norm");
    double warmup = opt_number(r, "warmup_steps"), steps = opt_number(r, "steps");
    double sched_steps = opt_number(r, "schedule_steps"), sched_value = opt_number(r, "schedule_value");
    const nnl_json *sched = nnl_json_get(r->json, "schedule");
    const char *sname = sched && sched->kind == NNL_JSON_STRING ? sched->string : "";
    if (r->status != NNL_OK)
        return r->status;
    if (!(steps >= 0 && steps < 1e15 && warmup >= 0 && warmup < 1e15 && sched_steps < 1e15))
        return nnl_error(NNL_E_FORMAT, "%s: optimizer step counts out of range", r->path);
    NNL_TRY(nnl_optimizer_set_clip_norm(o, clip));
    NNL_TRY(nnl_optimizer_set_warmup(o, (int64_t)warmup));
    if (strcmp(sname, "step") == 0)
        NNL_TRY(nnl_optimizer_schedule_step(o, (int64_t)sched_steps, (float)sched_value));
    else if (strcmp(sname, "cosine") == 0)
        NNL_TRY(nnl_optimizer_schedule_cosine(o, (int64_t)sched_steps, (float)sched_value));
    else if (strcmp(sname, "constant") != 0)
        return nnl_error(NNL_E_FORMAT, "%s: unknown schedule '%s'", r->path, sname);
    o->steps = (int64_t)steps;
    return NNL_OK;
}

typedef struct moment_source {
    const nnl_st_file *file;
    const char *path;
} moment_source;

static nnl_status load_moment(void *source, const char *name, float *moment, const nnl_tensor *shape_of)
{
    const moment_source *src = source;
    return copy_tensor(src->file, name, moment, shape_of, src->path);
}

static nnl_status load_optimizer_state(nnl_model *m, const nnl_st_file *f, const char *path)
{
    moment_source src = {f, path};
    return for_each_moment(m, load_moment, &src);
}

static nnl_status count_moment(void *count, const char *name, float *moment, const nnl_tensor *shape_of)
{
    ++*(int64_t *)count;
    return NNL_OK;
}

static int64_t optimizer_tensor_count(const nnl_model *m)
{
    int64_t n = 0;
    (void)for_each_moment(m, count_moment, &n); /* counting never fails */
    return n;
}

/* The steps-mode generator saved with the optimizer state, when present. */
static nnl_status restore_train_rng(nnl_model *m, const nnl_st_file *f, const char *path)
{
    const char *text = nnl_st_file_metadata(f, "nnlite.train_rng");
    if (!text)
        return NNL_OK;
    unsigned long long state, increment;
    int used = 0;
    if (sscanf(text, "%llu,%llu%n", &state, &increment, &used) != 2 || text[used] != '\0' || increment % 2 == 0)
        return nnl_error(NNL_E_FORMAT, "%s: metadata nnlite.train_rng='%s', expected \"state,odd increment\"", path,
                         text);
    m->train_rng.state = state;
    m->train_rng.increment = increment;
    m->train_rng_seeded = 1;
    return NNL_OK;
}

/* The saved loss (evaluation needs no compile) and, when present, the saved
 * optimizer state (the model comes back compiled, ready to resume). */
static nnl_status restore_training(nnl_model *m, const nnl_st_file *f, const char *path, int64_t *expected)
{
    const char *loss = nnl_st_file_metadata(f, "nnlite.loss");
    const char *opt_text = nnl_st_file_metadata(f, "nnlite.optimizer");
    if (!loss)
        return NNL_OK;
    nnl_loss kind;
    if (!nnl_loss_parse(loss, &kind))
        return nnl_error(NNL_E_FORMAT, "%s: unknown loss '%s'", path, loss);
    if (nnl_model_check_loss(m, kind, path) != NNL_OK)
        return nnl_error_rethrow(NNL_E_FORMAT, path);
    m->loss = kind;
    m->has_loss = 1;
    if (!opt_text)
        return NNL_OK;
    nnl_json *json;
    NNL_TRY(nnl_json_parse(&json, opt_text, strlen(opt_text), path));
    opt_reader r = {json, path, NNL_OK};
    nnl_optimizer *o = NULL;
    nnl_status s = create_optimizer(&o, &r);
    if (s == NNL_OK)
        s = configure_optimizer(o, &r);
    int64_t steps = o ? o->steps : 0;
    if (s == NNL_OK)
        s = nnl_model_compile(m, kind, o);
    if (s != NNL_OK)
        nnl_optimizer_free(o);
    else
        m->optimizer->steps = steps;
    nnl_json_free(json);
    if (s == NNL_E_INVALID_ARG || s == NNL_E_SHAPE)
        s = nnl_error_rethrow(NNL_E_FORMAT, path);
    if (s == NNL_OK)
        s = restore_train_rng(m, f, path);
    if (s == NNL_OK) {
        s = load_optimizer_state(m, f, path);
        *expected += optimizer_tensor_count(m);
    }
    return s;
}

/* The padding token, when the file names one: a whole number the setter accepts. */
static nnl_status restore_padding(nnl_model *m, const nnl_st_file *f, const char *path)
{
    const char *text = nnl_st_file_metadata(f, "nnlite.padding_token");
    if (!text)
        return NNL_OK;
    int token = -1, used = 0;
    if (sscanf(text, "%9d%n", &token, &used) != 1 || text[used] != '\0' || token < 0 ||
        nnl_model_set_padding_token(m, token) != NNL_OK)
        return nnl_error(NNL_E_FORMAT, "%s: metadata nnlite.padding_token='%s', expected a token id of a model of "
                         "token sequences", path, text);
    return NNL_OK;
}

static nnl_status load_model(nnl_model **out, const nnl_st_file *f, const char *path)
{
    const char *format = nnl_st_file_metadata(f, "format");
    const char *arch = nnl_st_file_metadata(f, "nnlite.architecture");
    if (!format || strcmp(format, MODEL_FORMAT) != 0 || !arch)
        return nnl_error(NNL_E_FORMAT, "%s: not an nnlite sequential model (metadata 'format' is '%s')", path,
                         format ? format : "missing");
    NNL_TRY(build_from_architecture(out, arch, path, (int64_t)(nnl_st_file_data_size(f) / sizeof(float))));
    NNL_TRY(load_weights(*out, f, path));
    NNL_TRY(restore_padding(*out, f, path));
    NNL_TRY(nnl_model_read_meaning(*out, f, path));
    int64_t expected = (*out)->num_params;
    NNL_TRY(restore_training(*out, f, path, &expected));
    if (nnl_st_file_tensor_count(f) != expected)
        return nnl_error(NNL_E_FORMAT, "%s: file has %lld tensors, the architecture uses %lld", path,
                         (long long)nnl_st_file_tensor_count(f), (long long)expected);
    return NNL_OK;
}

/* The part of loading shared by the file and memory entry points. */
static nnl_status model_from_file(nnl_model **out, const nnl_st_file *f, const char *label)
{
    nnl_model *m = NULL;
    nnl_status s = load_model(&m, f, label);
    if (s != NNL_OK) {
        nnl_model_free(m);
        return s;
    }
    *out = m;
    return NNL_OK;
}

nnl_status nnl_model_load(nnl_model **out, const char *path)
{
    NNL_CHECK_PTR("nnl_model_load", out);
    NNL_CHECK_PTR("nnl_model_load", path);
    *out = NULL;
    nnl_st_file *f;
    nnl_status s = nnl_st_file_load(&f, path);
    if (s == NNL_OK) {
        s = model_from_file(out, f, path);
        nnl_st_file_free(f);
    }
    return nnl_error_in(s, "nnl_model_load");
}

nnl_status nnl_model_load_from_memory(nnl_model **out, const void *bytes, size_t size, const char *label)
{
    *out = NULL;
    nnl_st_file *f;
    nnl_status s = nnl_st_file_parse(&f, bytes, size, label);
    if (s == NNL_OK) {
        s = model_from_file(out, f, label);
        nnl_st_file_free(f);
    }
    return nnl_error_in(s, "nnl_model_load");
}
