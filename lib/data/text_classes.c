/* A text-classification data set from a tsv file, and the class names a
 * data set may carry.
 *
 *   line     label<TAB>text            UTF-8; \n \t \\ in the text are a line
 *                                      break, a tab and a backslash
 *   sample   x (T) = [CLS] ids(text)[0 .. T - 2) [SEP] [PAD] ...   ids as floats
 *            y ()  = the class id of the label
 *   classes  the labels in order of first appearance, or those of another
 *            data set (a test set takes its training set's)
 *
 * Class names are kept as one block of NUL-terminated strings, class 0 first,
 * so that copying a data set copies them in one memcpy. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/text.h"

enum { MAX_CLASSES = 4096, MAX_LABEL_BYTES = 255, MAX_TOKENS = 1 << 20 };

static const char who[] = "nnl_dataset_load_tsv";

/* ---- class names */

const char *nnl_dataset_class_name(const nnl_dataset *dataset, int32_t id)
{
    if (!dataset || !dataset->class_names || id < 0 || id >= dataset->num_classes)
        return NULL;
    const char *name = dataset->class_names;
    for (int32_t i = 0; i < id; i++)
        name += strlen(name) + 1;
    return name;
}

nnl_status nnl_dataset_copy_class_names(nnl_dataset *dst, const nnl_dataset *src, const char *caller)
{
    if (!src->class_names)
        return NNL_OK;
    dst->class_names = nnl_alloc(src->class_names_size);
    if (!dst->class_names)
        return nnl_error(NNL_E_NOMEM, "%s: cannot copy the class names", caller);
    memcpy(dst->class_names, src->class_names, src->class_names_size);
    dst->class_names_size = src->class_names_size;
    return NNL_OK;
}

/* The class id of a label (n bytes), -1 when none has it. */
static int32_t find_class(const char *names, int32_t count, const char *label, size_t n)
{
    for (int32_t id = 0; id < count; id++, names += strlen(names) + 1)
        if (strlen(names) == n && memcmp(names, label, n) == 0)
            return id;
    return -1;
}

/* ---- parsing */

typedef struct tsv_reader {
    const char *path;
    int64_t line;               /* 1-based number of the line being read */
    const nnl_tokenizer *tok;
    int64_t T;
    const nnl_dataset *labels_from;
    nnl_dataset *ds;            /* its class names grow as labels appear */
    size_t names_capacity;
    char *text;                 /* the unescaped text of the line */
} tsv_reader;

static nnl_status bad_line(const tsv_reader *r, const char *what)
{
    return nnl_error(NNL_E_FORMAT, "%s: '%s' line %lld: %s", who, r->path, (long long)r->line, what);
}

/* The class id of a label, added to the data set's classes when they are
 * its own. */
static nnl_status class_of(tsv_reader *r, const char *label, size_t n, int32_t *id)
{
    const nnl_dataset *known = r->labels_from ? r->labels_from : r->ds;
    *id = find_class(known->class_names, known->num_classes, label, n);
    if (*id >= 0)
        return NNL_OK;
    if (r->labels_from)
        return nnl_error(NNL_E_FORMAT, "%s: '%s' line %lld: label '%.*s' is not one of the %d classes of labels_from",
                         who, r->path, (long long)r->line, (int)n, label, (int)known->num_classes);
    if (r->ds->num_classes == MAX_CLASSES)
        return bad_line(r, "more than 4096 distinct labels");
    nnl_dataset *ds = r->ds;
    if (ds->class_names_size + n + 1 > r->names_capacity) {
        size_t cap = 2 * (ds->class_names_size + n + 1);
        char *grown = nnl_alloc(cap);
        if (!grown)
            return nnl_error(NNL_E_NOMEM, "%s: cannot allocate the class names", who);
        if (ds->class_names_size)
            memcpy(grown, ds->class_names, ds->class_names_size);
        nnl_dealloc(ds->class_names);
        ds->class_names = grown;
        r->names_capacity = cap;
    }
    memcpy(ds->class_names + ds->class_names_size, label, n);
    ds->class_names[ds->class_names_size + n] = '\0';
    ds->class_names_size += n + 1;
    *id = ds->num_classes++;
    return NNL_OK;
}

/* r->text = the text of s[0..n) with its escapes replaced; *out_n its bytes. */
static nnl_status unescape(tsv_reader *r, const char *s, size_t n, size_t *out_n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\t')
            return bad_line(r, "a second tab (write a tab in the text as \\t)");
        if (s[i] != '\\') {
            r->text[k++] = s[i];
            continue;
        }
        char e = ++i < n ? s[i] : '\0';
        if (e != 'n' && e != 't' && e != '\\')
            return bad_line(r, "a backslash not followed by n, t or \\ (write a backslash as \\\\)");
        r->text[k++] = e == 'n' ? '\n' : e == 't' ? '\t' : '\\';
    }
    *out_n = k;
    return NNL_OK;
}

/* Sample `index` from one line (without its '\n'): its label and its tokens. */
static nnl_status read_line(tsv_reader *r, const char *s, size_t n, int64_t index)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    const char *tab = memchr(s, '\t', n);
    if (!tab)
        return bad_line(r, n == 0 ? "an empty line" : "no tab between the label and the text");
    size_t label_n = (size_t)(tab - s), text_n = 0;
    if (label_n == 0 || label_n > MAX_LABEL_BYTES)
        return bad_line(r, label_n ? "a label longer than 255 bytes" : "an empty label");
    if (memchr(s, '\0', label_n))
        return bad_line(r, "a NUL byte in the label");
    char where[400];
    snprintf(where, sizeof where, "%s: '%s' line %lld: label", who, r->path, (long long)r->line);
    uint32_t *cps;
    int64_t count;
    NNL_TRY(nnl_utf8_decode_all(s, label_n, NNL_TEXT_STRICT, where, &cps, &count));
    nnl_dealloc(cps);
    int32_t id;
    NNL_TRY(class_of(r, s, label_n, &id));
    NNL_TRY(unescape(r, tab + 1, n - label_n - 1, &text_n));
    if (text_n == 0)
        return bad_line(r, "an empty text");
    snprintf(where, sizeof where, "%s: '%s' line %lld: text", who, r->path, (long long)r->line);
    NNL_TRY(nnl_utf8_decode_all(r->text, text_n, NNL_TEXT_STRICT, where, &cps, &count));
    float *x = r->ds->x + index * r->T;
    const int64_t kept = count < r->T - 2 ? count : r->T - 2;
    x[0] = (float)NNL_TOKEN_CLS;
    for (int64_t t = 0; t < kept; t++)
        x[1 + t] = (float)nnl_tokenizer_lookup(r->tok, cps[t]);
    x[1 + kept] = (float)NNL_TOKEN_SEP;
    for (int64_t t = 2 + kept; t < r->T; t++)
        x[t] = (float)NNL_TOKEN_PAD;
    r->ds->y[index] = (float)id;
    nnl_dealloc(cps);
    return NNL_OK;
}

/* Lines of the file: a last line without '\n' counts, nothing after a final '\n' does. */
static int64_t count_lines(const char *bytes, size_t size)
{
    int64_t lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += bytes[i] == '\n';
    return lines + (size > 0 && bytes[size - 1] != '\n');
}

static nnl_status read_lines(tsv_reader *r, const char *bytes, size_t size)
{
    int64_t index = 0;
    for (size_t start = 0; start < size; index++) {
        const char *end = memchr(bytes + start, '\n', size - start);
        size_t n = end ? (size_t)(end - bytes) - start : size - start;
        r->line = index + 1;
        NNL_TRY(read_line(r, bytes + start, n, index));
        start += n + 1;
    }
    return NNL_OK;
}

static nnl_status check_args(nnl_dataset **out, const char *path, const nnl_tokenizer *tokenizer,
                             int64_t max_tokens, const nnl_dataset *labels_from)
{
    NNL_CHECK_PTR(who, out);
    *out = NULL;
    NNL_CHECK_PTR(who, path);
    NNL_CHECK_PTR(who, tokenizer);
    if (nnl_tokenizer_num_special(tokenizer) <= NNL_TOKEN_MASK)
        return nnl_error(NNL_E_INVALID_ARG, "%s: the tokenizer has no special tokens (NNL_TEXT_SPECIAL_TOKENS)", who);
    if (max_tokens < 3 || max_tokens > MAX_TOKENS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: max_tokens=%lld, expected 3..%d", who, (long long)max_tokens,
                         MAX_TOKENS);
    if (labels_from && !labels_from->class_names)
        return nnl_error(NNL_E_INVALID_ARG, "%s: labels_from has no class names (it is not a tsv data set)", who);
    return NNL_OK;
}

nnl_status nnl_dataset_load_tsv(nnl_dataset **out, const char *path, const nnl_tokenizer *tokenizer,
                                int64_t max_tokens, const nnl_dataset *labels_from)
{
    NNL_TRY(check_args(out, path, tokenizer, max_tokens, labels_from));
    char *bytes;
    size_t size;
    NNL_TRY(nnl_read_whole_file(path, who, &bytes, &size));
    int64_t lines = count_lines(bytes, size);
    nnl_status st = lines > 0 ? NNL_OK : nnl_error(NNL_E_FORMAT, "%s: '%s' has no lines", who, path);
    tsv_reader r = {.path = path, .tok = tokenizer, .T = max_tokens, .labels_from = labels_from};
    if (st == NNL_OK)
        st = nnl_dataset_alloc(&r.ds, lines, 1, &max_tokens, 0, NULL, who);
    if (st == NNL_OK && !(r.text = nnl_alloc(size + 1)))
        st = nnl_error(NNL_E_NOMEM, "%s: cannot allocate %zu bytes", who, size);
    if (st == NNL_OK)
        st = read_lines(&r, bytes, size);
    if (st == NNL_OK && labels_from) {
        r.ds->num_classes = labels_from->num_classes;
        st = nnl_dataset_copy_class_names(r.ds, labels_from, who);
    }
    nnl_dealloc(r.text);
    nnl_dealloc(bytes);
    if (st != NNL_OK) {
        nnl_dataset_free(r.ds);
        return st;
    }
    *out = r.ds;
    return NNL_OK;
}
