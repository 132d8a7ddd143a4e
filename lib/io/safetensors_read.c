/* safetensors reading: parsing and validating a whole file, then looking
 * up its metadata and tensors (writing is in safetensors_write.c).
 *
 * Limits on what a file may ask for, checked before any allocation that
 * depends on them: header <= 16 MiB, <= 65536 tensors, <= 8 dims, each
 * tensor's byte size exactly end - begin, offsets inside the data region,
 * 4-byte aligned and not overlapping, names unique. */
#include "io/safetensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/tensor.h"
#include "io/json.h"

#define ST_MAX_HEADER ((uint64_t)16 << 20)
#define ST_MAX_TENSORS 65536
#define ST_MAX_NAME 256 /* the writer refuses such names too (safetensors_write.c) */
#define ST_MAX_FILE ((uint64_t)1 << 34)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "nnlite model files are little-endian; add byte swapping for big-endian hosts"
#endif

typedef struct st_tensor {
    const char *name; /* key in the JSON DOM */
    int ndim;
    int64_t dims[8];
    uint64_t begin, end;
} st_tensor;

struct nnl_st_file {
    nnl_json *header;
    const nnl_json *metadata;
    st_tensor *tensors;
    int64_t num_tensors;
    float *data;       /* the data region, aligned */
    uint64_t data_size;
    uint64_t data_used; /* end of the last tensor */
};

void nnl_st_file_free(nnl_st_file *f)
{
    if (!f)
        return;
    nnl_json_free(f->header);
    nnl_dealloc(f->tensors);
    nnl_dealloc(f->data);
    nnl_dealloc(f);
}

static nnl_status bad(const char *label, const char *what, const char *name)
{
    return nnl_error(NNL_E_FORMAT, "%s: %s%s%s%s", label, what, name ? " (tensor '" : "",
                     name ? name : "", name ? "')" : "");
}

static nnl_status parse_tensor_entry(const char *label, const char *name, const nnl_json *v,
                                     uint64_t data_size, st_tensor *t)
{
    if (strlen(name) >= ST_MAX_NAME)
        return bad(label, "tensor name too long", NULL);
    const nnl_json *dtype = nnl_json_get(v, "dtype");
    const nnl_json *shape = nnl_json_get(v, "shape");
    const nnl_json *offsets = nnl_json_get(v, "data_offsets");
    if (!dtype || dtype->kind != NNL_JSON_STRING || !shape || shape->kind != NNL_JSON_ARRAY || !offsets ||
        offsets->kind != NNL_JSON_ARRAY || offsets->count != 2)
        return bad(label, "tensor entry needs dtype, shape and data_offsets", name);
    if (strcmp(dtype->string, "F32") != 0)
        return nnl_error(NNL_E_FORMAT, "%s: tensor '%s' has dtype %s; nnlite reads F32 only", label, name,
                         dtype->string);
    if (shape->count > 8)
        return bad(label, "more than 8 dimensions", name);
    t->name = name;
    t->ndim = (int)shape->count;
    uint64_t count = 1;
    for (size_t d = 0; d < shape->count; d++) {
        int64_t n;
        if (!nnl_json_int(&shape->items[d], 0, (int64_t)1 << 40, &n))
            return bad(label, "shape entries must be integers in [0, 2^40]", name);
        t->dims[d] = n;
        if (n != 0 && count > ((uint64_t)1 << 40) / (uint64_t)n)
            return bad(label, "shape has too many elements", name);
        count *= (uint64_t)n;
    }
    int64_t begin, end;
    if (!nnl_json_int(&offsets->items[0], 0, INT64_MAX / 2, &begin) ||
        !nnl_json_int(&offsets->items[1], 0, INT64_MAX / 2, &end) || begin > end)
        return bad(label, "data_offsets must be integers with begin <= end", name);
    if ((uint64_t)end > data_size)
        return bad(label, "data_offsets point past the end of the file", name);
    if ((uint64_t)(end - begin) != count * 4)
        return bad(label, "data_offsets do not match shape x 4 bytes", name);
    if (begin % 4 != 0)
        return bad(label, "tensor data is not 4-byte aligned", name);
    t->begin = (uint64_t)begin;
    t->end = (uint64_t)end;
    return NNL_OK;
}

static int compare_begin(const void *a, const void *b)
{
    const st_tensor *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static int compare_name(const void *a, const void *b)
{
    return strcmp(((const st_tensor *)a)->name, ((const st_tensor *)b)->name);
}

/* Sorting makes overlaps and duplicates neighbours: comparing every pair
 * took a minute for a 4 MB header of 65,535 tensors. The tensors stay
 * sorted by name for nnl_st_file_tensor's binary search. */
static nnl_status check_layout(nnl_st_file *f, const char *label)
{
    qsort(f->tensors, (size_t)f->num_tensors, sizeof *f->tensors, compare_begin);
    for (int64_t i = 1; i < f->num_tensors; i++)
        if (f->tensors[i].begin < f->tensors[i - 1].end)
            return bad(label, "tensor data overlap", f->tensors[i].name);
    f->data_used = f->num_tensors ? f->tensors[f->num_tensors - 1].end : 0;
    qsort(f->tensors, (size_t)f->num_tensors, sizeof *f->tensors, compare_name);
    for (int64_t i = 1; i < f->num_tensors; i++)
        if (strcmp(f->tensors[i].name, f->tensors[i - 1].name) == 0)
            return bad(label, "duplicate tensor name", f->tensors[i].name);
    return NNL_OK;
}

static nnl_status parse_metadata(nnl_st_file *f, const nnl_json *meta, const char *label)
{
    if (meta->kind != NNL_JSON_OBJECT)
        return bad(label, "__metadata__ must be an object", NULL);
    for (size_t i = 0; i < meta->count; i++)
        if (meta->items[i].kind != NNL_JSON_STRING)
            return nnl_error(NNL_E_FORMAT, "%s: __metadata__ value of '%s' is not a string", label,
                             meta->keys[i]);
    f->metadata = meta;
    return NNL_OK;
}

static nnl_status parse_header(nnl_st_file *f, const char *label)
{
    const nnl_json *h = f->header;
    if (h->kind != NNL_JSON_OBJECT)
        return bad(label, "header is not a JSON object", NULL);
    if (h->count > ST_MAX_TENSORS + 1)
        return bad(label, "too many tensors", NULL);
    f->tensors = nnl_alloc_zeroed((h->count + 1) * sizeof *f->tensors);
    if (!f->tensors)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", label);
    for (size_t i = 0; i < h->count; i++) {
        if (strcmp(h->keys[i], "__metadata__") == 0) {
            if (f->metadata)
                return bad(label, "duplicate __metadata__", NULL);
            NNL_TRY(parse_metadata(f, &h->items[i], label));
            continue;
        }
        if (h->items[i].kind != NNL_JSON_OBJECT)
            return bad(label, "tensor entry is not an object", h->keys[i]);
        NNL_TRY(parse_tensor_entry(label, h->keys[i], &h->items[i], f->data_size, &f->tensors[f->num_tensors]));
        f->num_tensors++;
    }
    return check_layout(f, label);
}

static nnl_status parse_bytes(nnl_st_file *f, const unsigned char *bytes, size_t size, const char *label)
{
    if (size < 8)
        return nnl_error(NNL_E_FORMAT, "%s: %zu bytes is too short for a safetensors file", label, size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | bytes[i];
    if (n > ST_MAX_HEADER)
        return nnl_error(NNL_E_FORMAT, "%s: header length %llu exceeds the 16 MiB limit", label,
                         (unsigned long long)n);
    if (n > size - 8)
        return nnl_error(NNL_E_FORMAT, "%s: header length %llu but only %zu bytes follow (truncated?)", label,
                         (unsigned long long)n, size - 8);
    f->data_size = size - 8 - n;
    NNL_TRY(nnl_json_parse(&f->header, (const char *)bytes + 8, (size_t)n, label));
    NNL_TRY(parse_header(f, label));
    uint64_t used = f->data_used;
    if (used != f->data_size)
        return nnl_error(NNL_E_FORMAT, "%s: tensors cover %llu bytes but the data region has %llu", label,
                         (unsigned long long)used, (unsigned long long)f->data_size);
    f->data = nnl_alloc(f->data_size ? (size_t)f->data_size : 1);
    if (!f->data)
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %llu bytes of tensor data", label,
                         (unsigned long long)f->data_size);
    if (f->data_size)
        memcpy(f->data, bytes + 8 + n, (size_t)f->data_size);
    return NNL_OK;
}

nnl_status nnl_st_file_parse(nnl_st_file **out, const void *bytes, size_t size, const char *label)
{
    *out = NULL;
    nnl_st_file *f = nnl_alloc_zeroed(sizeof *f);
    if (!f)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory", label);
    nnl_status s = parse_bytes(f, bytes, size, label);
    if (s != NNL_OK) {
        nnl_st_file_free(f);
        return s;
    }
    *out = f;
    return NNL_OK;
}

static nnl_status read_file(const char *path, unsigned char **bytes, size_t *size)
{
    *bytes = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return nnl_error(NNL_E_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return nnl_error(NNL_E_IO, "'%s' is not a regular file", path);
    }
    if ((uint64_t)st.st_size > ST_MAX_FILE) {
        fclose(fp);
        return nnl_error(NNL_E_FORMAT, "'%s': %lld bytes exceeds the 16 GiB model file limit", path,
                         (long long)st.st_size);
    }
    *size = (size_t)st.st_size;
    *bytes = nnl_alloc(*size ? *size : 1);
    if (!*bytes) {
        fclose(fp);
        return nnl_error(NNL_E_NOMEM, "'%s': cannot allocate %zu bytes", path, *size);
    }
    size_t got = fread(*bytes, 1, *size, fp);
    fclose(fp);
    if (got != *size) {
        nnl_dealloc(*bytes);
        *bytes = NULL;
        return nnl_error(NNL_E_IO, "cannot read '%s'", path);
    }
    return NNL_OK;
}

nnl_status nnl_st_file_load(nnl_st_file **out, const char *path)
{
    *out = NULL;
    unsigned char *bytes;
    size_t size = 0;
    NNL_TRY(read_file(path, &bytes, &size));
    nnl_status s = nnl_st_file_parse(out, bytes, size, path);
    nnl_dealloc(bytes);
    return s;
}

const char *nnl_st_file_metadata(const nnl_st_file *f, const char *key)
{
    const nnl_json *v = nnl_json_get(f->metadata, key);
    return v ? v->string : NULL;
}

nnl_status nnl_st_file_tensor(const nnl_st_file *f, const char *name, int ndim, const int64_t *dims,
                              const float **data)
{
    const st_tensor key = {.name = name};
    const st_tensor *t = bsearch(&key, f->tensors, (size_t)f->num_tensors, sizeof key, compare_name);
    if (!t)
        return nnl_error(NNL_E_FORMAT, "model file: tensor '%s' is missing", name);
    int same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = t->dims[d] == dims[d];
    if (!same) {
        char got[160], want[160];
        return nnl_error(NNL_E_FORMAT, "model file: tensor '%s' has shape %s, the architecture needs %s", name,
                         nnl_shape_str(got, sizeof got, t->ndim, t->dims), nnl_shape_str(want, sizeof want, ndim, dims));
    }
    *data = f->data + t->begin / 4;
    return NNL_OK;
}

int64_t nnl_st_file_tensor_count(const nnl_st_file *f) { return f->num_tensors; }

uint64_t nnl_st_file_data_size(const nnl_st_file *f) { return f->data_size; }
