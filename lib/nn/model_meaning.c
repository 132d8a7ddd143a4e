/* What a model's numbers mean: the tokenizer that turns text into its input
 * ids and the names of its output classes, kept with the model and in its
 * file, so that a program given only the file can read text and name its
 * prediction (a fine-tuned text classifier; docs/file-format.md).
 *
 *   nnlite.vocab        the tokenizer's vocabulary (nnl_tokenizer_serialize)
 *   nnlite.class_names  JSON array of the class names, class 0 first */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/text.h"
#include "io/json.h"
#include "nn/model_io.h"
#include "nn/model.h"

enum { MAX_CLASS_NAMES = 1 << 16, MAX_NAME_BYTES = 1024 };

nnl_status nnl_model_set_tokenizer(nnl_model *model, const nnl_tokenizer *tokenizer)
{
    NNL_CHECK_PTR("nnl_model_set_tokenizer", model);
    nnl_tokenizer *copy = NULL;
    if (tokenizer)
        NNL_TRY(nnl_error_in(nnl_tokenizer_clone(&copy, tokenizer), "nnl_model_set_tokenizer"));
    nnl_tokenizer_free(model->tokenizer);
    model->tokenizer = copy;
    return NNL_OK;
}

const nnl_tokenizer *nnl_model_tokenizer(const nnl_model *model) { return model ? model->tokenizer : NULL; }

nnl_status nnl_model_set_class_names(nnl_model *model, const char *const *names, int32_t count)
{
    static const char who[] = "nnl_model_set_class_names";
    NNL_CHECK_PTR(who, model);
    if (count < 0 || count > MAX_CLASS_NAMES)
        return nnl_error(NNL_E_INVALID_ARG, "%s: count=%d, expected 0..%d", who, (int)count, MAX_CLASS_NAMES);
    if (count > 0)
        NNL_CHECK_PTR(who, names);
    size_t size = 0;
    for (int32_t i = 0; i < count; i++) {
        if (!names[i] || strlen(names[i]) > MAX_NAME_BYTES)
            return nnl_error(NNL_E_INVALID_ARG, "%s: names[%d] is %s", who, (int)i,
                             names[i] ? "longer than 1024 bytes" : "NULL");
        size += strlen(names[i]) + 1;
    }
    char *block = count > 0 ? nnl_alloc(size) : NULL;
    if (count > 0 && !block)
        return nnl_error(NNL_E_NOMEM, "%s: cannot copy %d names", who, (int)count);
    for (size_t at = 0, i = 0; i < (size_t)count; i++) {
        memcpy(block + at, names[i], strlen(names[i]) + 1);
        at += strlen(names[i]) + 1;
    }
    nnl_dealloc(model->class_names);
    model->class_names = block;
    model->num_class_names = count;
    return NNL_OK;
}

const char *nnl_model_class_name(const nnl_model *model, int32_t id)
{
    if (!model || id < 0 || id >= model->num_class_names)
        return NULL;
    const char *name = model->class_names;
    for (int32_t i = 0; i < id; i++)
        name += strlen(name) + 1;
    return name;
}

nnl_status nnl_model_write_meaning(const nnl_model *m, nnl_st_writer *w, nnl_strbuf *names)
{
    if (m->tokenizer) {
        char *vocab;
        NNL_TRY(nnl_tokenizer_serialize(m->tokenizer, &vocab));
        nnl_status st = nnl_st_writer_add_metadata(w, "nnlite.vocab", vocab);
        nnl_dealloc(vocab);
        NNL_TRY(st);
    }
    if (m->num_class_names == 0)
        return NNL_OK;
    nnl_strbuf_puts(names, "[");
    for (int32_t i = 0; i < m->num_class_names; i++) {
        nnl_strbuf_puts(names, i ? "," : "");
        nnl_strbuf_json_string(names, nnl_model_class_name(m, i));
    }
    nnl_strbuf_puts(names, "]");
    NNL_TRY(nnl_strbuf_status(names, "nnl_model_save"));
    return nnl_st_writer_add_metadata(w, "nnlite.class_names", names->data);
}

/* The class names of a JSON array of strings, through the setter's checks. */
static nnl_status read_class_names(nnl_model *m, const char *text, const char *path)
{
    nnl_json *json;
    NNL_TRY(nnl_json_parse(&json, text, strlen(text), path));
    nnl_status st = NNL_OK;
    const char **names = NULL;
    if (json->kind != NNL_JSON_ARRAY || json->count > MAX_CLASS_NAMES)
        st = nnl_error(NNL_E_FORMAT, "%s: metadata nnlite.class_names is not an array of at most %d names", path,
                       MAX_CLASS_NAMES);
    if (st == NNL_OK && json->count > 0 && !(names = nnl_alloc(sizeof *names * json->count)))
        st = nnl_error(NNL_E_NOMEM, "%s: cannot read %zu class names", path, json->count);
    for (size_t i = 0; st == NNL_OK && i < json->count; i++) {
        names[i] = json->items[i].string;
        if (json->items[i].kind != NNL_JSON_STRING)
            st = nnl_error(NNL_E_FORMAT, "%s: metadata nnlite.class_names[%zu] is not a string", path, i);
    }
    if (st == NNL_OK && nnl_model_set_class_names(m, names, (int32_t)json->count) != NNL_OK)
        st = nnl_error_rethrow(NNL_E_FORMAT, path);
    nnl_dealloc(names);
    nnl_json_free(json);
    return st;
}

nnl_status nnl_model_read_meaning(nnl_model *m, const nnl_st_file *f, const char *path)
{
    const char *vocab = nnl_st_file_metadata(f, "nnlite.vocab");
    if (vocab) {
        char label[320];
        snprintf(label, sizeof label, "%s: metadata nnlite.vocab", path);
        NNL_TRY(nnl_tokenizer_parse(&m->tokenizer, vocab, label));
    }
    const char *names = nnl_st_file_metadata(f, "nnlite.class_names");
    return names ? read_class_names(m, names, path) : NNL_OK;
}
