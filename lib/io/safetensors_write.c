/* safetensors writing: tensors and metadata collected by an nnl_st_writer,
 * then saved atomically (a temporary file next to the target, fsync, rename,
 * fsync of the directory). Reading is in safetensors_read.c. */
#include "io/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "io/strbuf.h"

#define ST_MAX_NAME 256 /* names the reader accepts (safetensors_read.c) */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "nnlite model files are little-endian; add byte swapping for big-endian hosts"
#endif

typedef struct st_entry {
    char *name;
    int ndim;
    int64_t dims[8];
    const float *data;
    int64_t count;
} st_entry;

struct nnl_st_writer {
    st_entry *tensors;
    int64_t num_tensors, cap_tensors;
    char **meta_keys;
    char **meta_values;
    int64_t num_meta, cap_meta;
};

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = nnl_alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int grow_array(void **array, int64_t *cap, int64_t needed, size_t elem)
{
    if (needed <= *cap)
        return 1;
    int64_t n = *cap ? *cap * 2 : 16;
    void *fresh = nnl_alloc_zeroed((size_t)n * elem);
    if (!fresh)
        return 0;
    if (*cap)
        memcpy(fresh, *array, (size_t)*cap * elem);
    nnl_dealloc(*array);
    *array = fresh;
    *cap = n;
    return 1;
}

nnl_status nnl_st_writer_create(nnl_st_writer **out)
{
    *out = nnl_alloc_zeroed(sizeof **out);
    if (!*out)
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    return NNL_OK;
}

void nnl_st_writer_free(nnl_st_writer *w)
{
    if (!w)
        return;
    for (int64_t i = 0; i < w->num_tensors; i++)
        nnl_dealloc(w->tensors[i].name);
    for (int64_t i = 0; i < w->num_meta; i++) {
        nnl_dealloc(w->meta_keys[i]);
        nnl_dealloc(w->meta_values[i]);
    }
    nnl_dealloc(w->tensors);
    nnl_dealloc(w->meta_keys);
    nnl_dealloc(w->meta_values);
    nnl_dealloc(w);
}

nnl_status nnl_st_writer_add_tensor(nnl_st_writer *w, const char *name, int ndim, const int64_t *dims,
                                    const float *data)
{
    if (ndim < 0 || ndim > 8 || strlen(name) >= ST_MAX_NAME || strcmp(name, "__metadata__") == 0)
        return nnl_error(NNL_E_INVALID_ARG, "model save: bad tensor '%s' (ndim=%d)", name, ndim);
    if (!grow_array((void **)&w->tensors, &w->cap_tensors, w->num_tensors + 1, sizeof(st_entry)))
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    st_entry *e = &w->tensors[w->num_tensors];
    e->name = dup_string(name);
    if (!e->name)
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    e->ndim = ndim;
    e->count = 1;
    for (int d = 0; d < ndim; d++) {
        e->dims[d] = dims[d];
        e->count *= dims[d];
    }
    e->data = data;
    w->num_tensors++;
    return NNL_OK;
}

nnl_status nnl_st_writer_add_metadata(nnl_st_writer *w, const char *key, const char *value)
{
    for (int64_t i = 0; i < w->num_meta; i++)
        if (strcmp(w->meta_keys[i], key) == 0)
            return nnl_error(NNL_E_INVALID_ARG, "model save: duplicate metadata key '%s'", key);
    int64_t cap = w->cap_meta;
    if (!grow_array((void **)&w->meta_keys, &cap, w->num_meta + 1, sizeof(char *)) ||
        !grow_array((void **)&w->meta_values, &w->cap_meta, w->num_meta + 1, sizeof(char *)))
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    char *k = dup_string(key), *v = dup_string(value);
    if (!k || !v) {
        nnl_dealloc(k);
        nnl_dealloc(v);
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    }
    w->meta_keys[w->num_meta] = k;
    w->meta_values[w->num_meta] = v;
    w->num_meta++;
    return NNL_OK;
}

/* The JSON header, padded with spaces to a multiple of 8 bytes so the data
 * that follows is aligned (the format allows trailing whitespace). */
static nnl_status build_header(const nnl_st_writer *w, nnl_strbuf *h)
{
    nnl_strbuf_puts(h, "{\"__metadata__\":{");
    for (int64_t i = 0; i < w->num_meta; i++) {
        nnl_strbuf_puts(h, i ? "," : "");
        nnl_strbuf_json_string(h, w->meta_keys[i]);
        nnl_strbuf_puts(h, ":");
        nnl_strbuf_json_string(h, w->meta_values[i]);
    }
    nnl_strbuf_puts(h, "}");
    int64_t offset = 0;
    for (int64_t i = 0; i < w->num_tensors; i++) {
        const st_entry *e = &w->tensors[i];
        nnl_strbuf_puts(h, ",");
        nnl_strbuf_json_string(h, e->name);
        nnl_strbuf_puts(h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < e->ndim; d++)
            nnl_strbuf_printf(h, d ? ",%lld" : "%lld", (long long)e->dims[d]);
        int64_t end = offset + e->count * 4;
        nnl_strbuf_printf(h, "],\"data_offsets\":[%lld,%lld]}", (long long)offset, (long long)end);
        offset = end;
    }
    nnl_strbuf_puts(h, "}");
    /* one append: a loop until the length is a multiple of 8 would never end
     * once the buffer has failed to grow (its length then stays put) */
    nnl_strbuf_append(h, "        ", (8 - h->length % 8) % 8);
    return nnl_strbuf_status(h, "model save");
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Duplicate names would make a file that no reader accepts. Sorted, they are
 * neighbours: comparing each new name with all before it made saving a model
 * of 65,536 tensors take a minute. */
static nnl_status check_unique_names(const nnl_st_writer *w)
{
    if (w->num_tensors < 2)
        return NNL_OK;
    const char **names = nnl_alloc((size_t)w->num_tensors * sizeof *names);
    if (!names)
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    for (int64_t i = 0; i < w->num_tensors; i++)
        names[i] = w->tensors[i].name;
    qsort(names, (size_t)w->num_tensors, sizeof *names, compare_strings);
    nnl_status s = NNL_OK;
    for (int64_t i = 1; i < w->num_tensors && s == NNL_OK; i++)
        if (strcmp(names[i], names[i - 1]) == 0)
            s = nnl_error(NNL_E_INVALID_ARG, "model save: duplicate tensor name '%s'", names[i]);
    nnl_dealloc(names);
    return s;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        ssize_t done = write(fd, p, n);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        p += done;
        n -= (size_t)done;
    }
    return 1;
}

static int write_contents(int fd, const nnl_st_writer *w, const nnl_strbuf *header)
{
    unsigned char len[8];
    uint64_t n = header->length;
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    if (!write_all(fd, len, 8) || !write_all(fd, header->data, header->length))
        return 0;
    for (int64_t i = 0; i < w->num_tensors; i++)
        if (!write_all(fd, w->tensors[i].data, (size_t)w->tensors[i].count * 4))
            return 0;
    return fsync(fd) == 0;
}

/* fsync the directory so the rename itself survives a power cut. */
static void sync_parent_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0)
            n = 1;
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

nnl_status nnl_st_writer_save(nnl_st_writer *w, const char *path)
{
    NNL_TRY(check_unique_names(w));
    nnl_strbuf header;
    nnl_strbuf_init(&header);
    nnl_status s = build_header(w, &header);
    if (s != NNL_OK) {
        nnl_strbuf_free(&header);
        return s;
    }
    size_t plen = strlen(path);
    char *tmp = nnl_alloc(plen + 16);
    if (!tmp) {
        nnl_strbuf_free(&header);
        return nnl_error(NNL_E_NOMEM, "model save: out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        s = nnl_error(NNL_E_IO, "model save: cannot create a temporary file next to '%s': %s", path,
                      strerror(errno));
    } else {
        fchmod(fd, 0644);
        int ok = write_contents(fd, w, &header);
        int err = errno;
        if (close(fd) != 0 && ok) {
            ok = 0;
            err = errno;
        }
        if (ok && rename(tmp, path) != 0) {
            ok = 0;
            err = errno;
        }
        if (!ok) {
            unlink(tmp);
            s = nnl_error(NNL_E_IO, "model save: cannot write '%s': %s", path, strerror(err));
        } else {
            sync_parent_dir(path);
        }
    }
    nnl_dealloc(tmp);
    nnl_strbuf_free(&header);
    return s;
}
