/* IDX parsing: header validation, the exact-length check, gzip inflation
 * into a buffer that grows only as data arrives, and reading a file. */
#include "data/idx.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "core/alloc.h"
#include "core/error.h"

enum { IDX_TYPE_UBYTE = 0x08, IDX_HEADER_MAX = 4 + 4 * NNL_IDX_MAX_DIMS };

/* A valid file is at most a little larger than its data (a gzip of
 * incompressible bytes adds 5 bytes per 64 KiB), so anything beyond 1/64
 * over the data limit is refused before it is read into memory. */
#define IDX_MAX_FILE_BYTES (NNL_IDX_MAX_DATA_BYTES + NNL_IDX_MAX_DATA_BYTES / 64)

/* Deflate expands at most 1032:1 (zlib's technical details), so a gzip
 * buffer of n bytes that promises more than 1032 * n bytes of data is
 * truncated: we say so before allocating anything for it. */
enum { DEFLATE_MAX_RATIO = 1032 };

/* The inflate buffer starts at 1 MiB (or the promised size, if smaller) and
 * doubles, so a small hostile file cannot make us allocate what its header
 * claims, only about twice what it really inflates to. */
enum { INFLATE_FIRST_CAPACITY = 1 << 20 };

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static size_t header_bytes(int ndim) { return 4 + 4 * (size_t)ndim; }

/* What the data is, for messages: "truncated: expected 784 bytes of pixels". */
static const char *data_noun(int ndim) { return ndim == 3 ? "pixels" : "labels"; }

static int64_t data_bytes(const nnl_idx *idx) { return idx->dims[0] * idx->item_bytes; }

static uint32_t ubyte_magic(int ndim) { return (uint32_t)IDX_TYPE_UBYTE << 8 | (uint32_t)ndim; }

/* The magic comes first and is checked on its own, so that a labels file
 * given as images says "bad magic" even though it is shorter than an
 * images header. A labels file (*ndim NNL_IDX_LABELS) may have 1 or 2 dims:
 * *ndim becomes the one its magic gives. */
static nnl_status check_magic(const uint8_t *first4, int *ndim, const char *who, const char *label)
{
    uint32_t magic = read_be32(first4);
    if (*ndim == NNL_IDX_LABELS) {
        if (magic == ubyte_magic(1) || magic == ubyte_magic(2)) {
            *ndim = (int)(magic & 0xff);
            return NNL_OK;
        }
        return nnl_error(NNL_E_FORMAT, "%s: %s: bad magic 0x%08x, expected 0x%08x or 0x%08x (IDX labels of "
                         "unsigned bytes: class indices, or multi-hot rows of 2 dims)", who, label, magic,
                         ubyte_magic(1), ubyte_magic(2));
    }
    if (magic != ubyte_magic(*ndim))
        return nnl_error(NNL_E_FORMAT,
                         "%s: %s: bad magic 0x%08x, expected 0x%08x (IDX of unsigned bytes, %d dims)",
                         who, label, magic, ubyte_magic(*ndim), *ndim);
    return NNL_OK;
}

/* Dims assumed before the magic is read, for messages about a shorter header. */
static int assumed_ndim(int ndim) { return ndim == NNL_IDX_LABELS ? 1 : ndim; }

static nnl_status truncated_header(size_t got, int ndim, const char *who, const char *label)
{
    return nnl_error(NNL_E_FORMAT, "%s: %s: truncated header: %zu bytes, expected %zu", who, label,
                     got, header_bytes(ndim));
}

/* Validate the dims that follow the magic (4 * ndim bytes at d) and fill
 * out->ndim, dims and item_bytes. */
static nnl_status parse_dims(nnl_idx *out, const uint8_t *d, int ndim, const char *who,
                             const char *label)
{
    int64_t total = 1;
    for (int i = 0; i < ndim; i++) {
        uint32_t n = read_be32(d + 4 * i);
        if (n == 0)
            return nnl_error(NNL_E_FORMAT, "%s: %s: dimension %d of the header is 0", who, label, i);
        /* total <= 2^31 and n < 2^32, so the product below cannot overflow. */
        if ((int64_t)n > NNL_IDX_MAX_DATA_BYTES / total)
            return nnl_error(NNL_E_FORMAT,
                             "%s: %s: header promises more than 2^31 bytes of %s (dimension %d is %u)",
                             who, label, data_noun(ndim), i, n);
        total *= n;
        out->dims[i] = n;
    }
    out->ndim = ndim;
    out->item_bytes = total / out->dims[0];
    return NNL_OK;
}

static nnl_status parse_plain(nnl_idx *out, const uint8_t *bytes, size_t n, int ndim,
                              const char *who, const char *label)
{
    if (n < 4)
        return truncated_header(n, assumed_ndim(ndim), who, label);
    NNL_TRY(check_magic(bytes, &ndim, who, label));
    size_t hdr = header_bytes(ndim);
    if (n < hdr)
        return truncated_header(n, ndim, who, label);
    NNL_TRY(parse_dims(out, bytes + 4, ndim, who, label));
    size_t have = n - hdr, want = (size_t)data_bytes(out);
    if (have < want)
        return nnl_error(NNL_E_FORMAT, "%s: %s: truncated: expected %zu bytes of %s, got %zu", who,
                         label, want, data_noun(ndim), have);
    if (have > want)
        return nnl_error(NNL_E_FORMAT, "%s: %s: too long: expected %zu bytes of %s, got %zu", who,
                         label, want, data_noun(ndim), have);
    out->data = bytes + hdr;
    return NNL_OK;
}

/* zlib allocates through nnl_alloc too, so allocation-failure tests reach it. */
static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    size_t bytes = nnl_mul_size(items, size);
    return bytes ? nnl_alloc(bytes) : Z_NULL;
}

static void zlib_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    nnl_dealloc(ptr);
}

/* A gzip stream being inflated; concatenated gzip members count as one stream. */
typedef struct inflater {
    z_stream z;
    int ended;     /* the last member ended cleanly and no input follows */
    int exhausted; /* the input ran out in the middle of a member */
    const char *who;
    const char *label;
} inflater;

/* Inflate up to `want` bytes into dst; *got receives how many came. Fewer
 * come only when the stream ends (in->ended) or the input runs out (in->exhausted). */
static nnl_status inflater_read(inflater *in, uint8_t *dst, size_t want, size_t *got)
{
    *got = 0;
    while (*got < want && !in->ended && !in->exhausted) {
        size_t chunk = want - *got < UINT_MAX ? want - *got : UINT_MAX;
        in->z.next_out = dst + *got;
        in->z.avail_out = (uInt)chunk;
        int rc = inflate(&in->z, Z_NO_FLUSH);
        *got += chunk - in->z.avail_out;
        if (rc == Z_STREAM_END) {
            const Bytef *next = in->z.next_in;
            if (in->z.avail_in >= 2 && next[0] == 0x1f && next[1] == 0x8b)
                inflateReset(&in->z);
            else if (in->z.avail_in > 0)
                return nnl_error(NNL_E_FORMAT, "%s: %s: %u bytes of garbage after the gzip data",
                                 in->who, in->label, in->z.avail_in);
            else
                in->ended = 1;
        } else if (rc == Z_BUF_ERROR && in->z.avail_in == 0) {
            in->exhausted = 1;
        } else if (rc == Z_MEM_ERROR) {
            return nnl_error(NNL_E_NOMEM, "%s: %s: out of memory while inflating", in->who,
                             in->label);
        } else if (rc != Z_OK) {
            return nnl_error(NNL_E_FORMAT, "%s: %s: corrupt gzip data (%s)", in->who, in->label,
                             in->z.msg ? in->z.msg : zError(rc));
        }
    }
    return NNL_OK;
}

/* Inflate exactly `want` bytes of data into a buffer grown by doubling. */
static nnl_status inflate_data(inflater *in, size_t want, int ndim, uint8_t **out)
{
    size_t capacity = want < INFLATE_FIRST_CAPACITY ? want : INFLATE_FIRST_CAPACITY, have = 0;
    uint8_t *buf = nnl_alloc(capacity);
    if (!buf)
        return nnl_error(NNL_E_NOMEM, "%s: %s: cannot allocate %zu bytes", in->who, in->label,
                         capacity);
    for (;;) {
        size_t got;
        nnl_status s = inflater_read(in, buf + have, capacity - have, &got);
        have += got;
        if (s != NNL_OK || have < capacity || capacity == want) {
            if (s == NNL_OK && have < want)
                s = nnl_error(NNL_E_FORMAT, "%s: %s: truncated: expected %zu bytes of %s, got %zu",
                              in->who, in->label, want, data_noun(ndim), have);
            if (s != NNL_OK) {
                nnl_dealloc(buf);
                return s;
            }
            *out = buf;
            return NNL_OK;
        }
        size_t bigger = capacity * 2 < want ? capacity * 2 : want;
        uint8_t *grown = nnl_alloc(bigger);
        if (!grown) {
            nnl_dealloc(buf);
            return nnl_error(NNL_E_NOMEM, "%s: %s: cannot allocate %zu bytes", in->who, in->label,
                             bigger);
        }
        memcpy(grown, buf, have);
        nnl_dealloc(buf);
        buf = grown;
        capacity = bigger;
    }
}

/* After the data: the stream must end cleanly (so its CRC was checked) and
 * hold nothing more. */
static nnl_status inflate_finish(inflater *in, size_t want, int ndim)
{
    uint8_t extra;
    size_t got;
    NNL_TRY(inflater_read(in, &extra, 1, &got));
    if (got > 0)
        return nnl_error(NNL_E_FORMAT, "%s: %s: too long: expected %zu bytes of %s, got more",
                         in->who, in->label, want, data_noun(ndim));
    if (!in->ended)
        return nnl_error(NNL_E_FORMAT, "%s: %s: the gzip data ends before its trailer", in->who,
                         in->label);
    return NNL_OK;
}

static nnl_status parse_gzip_stream(inflater *in, nnl_idx *out, size_t n, int ndim)
{
    uint8_t header[IDX_HEADER_MAX];
    size_t got, more;
    NNL_TRY(inflater_read(in, header, 4, &got));
    if (got < 4)
        return truncated_header(got, assumed_ndim(ndim), in->who, in->label);
    NNL_TRY(check_magic(header, &ndim, in->who, in->label));
    size_t hdr = header_bytes(ndim);
    NNL_TRY(inflater_read(in, header + 4, hdr - 4, &more));
    if (4 + more < hdr)
        return truncated_header(4 + more, ndim, in->who, in->label);
    NNL_TRY(parse_dims(out, header + 4, ndim, in->who, in->label));
    size_t want = (size_t)data_bytes(out);
    if (want / DEFLATE_MAX_RATIO > n)
        return nnl_error(NNL_E_FORMAT,
                         "%s: %s: truncated: expected %zu bytes of %s, more than %zu bytes of gzip "
                         "can hold",
                         in->who, in->label, want, data_noun(ndim), n);
    uint8_t *data = NULL;
    NNL_TRY(inflate_data(in, want, ndim, &data));
    nnl_status s = inflate_finish(in, want, ndim);
    if (s != NNL_OK) {
        nnl_dealloc(data);
        return s;
    }
    out->data = data;
    out->owned = data;
    return NNL_OK;
}

static nnl_status parse_gzip(nnl_idx *out, const uint8_t *bytes, size_t n, int ndim,
                             const char *who, const char *label)
{
    inflater in = {.who = who, .label = label};
    in.z.zalloc = zlib_alloc;
    in.z.zfree = zlib_free;
    in.z.next_in = (Bytef *)(uintptr_t)bytes; /* zlib's API is not const-correct; it only reads */
    in.z.avail_in = (uInt)n;                  /* n <= IDX_MAX_FILE_BYTES < 2^32 */
    int rc = inflateInit2(&in.z, 15 + 16);    /* 15-bit window, gzip wrapper only */
    if (rc != Z_OK)
        return nnl_error(rc == Z_MEM_ERROR ? NNL_E_NOMEM : NNL_E_INTERNAL,
                         "%s: %s: cannot start inflating (%s)", who, label, zError(rc));
    nnl_status s = parse_gzip_stream(&in, out, n, ndim);
    inflateEnd(&in.z);
    return s;
}

nnl_status nnl_idx_parse(nnl_idx *out, const void *bytes, size_t n, int ndim, const char *who,
                         const char *label)
{
    memset(out, 0, sizeof *out);
    if ((ndim < 1 || ndim > NNL_IDX_MAX_DIMS) && ndim != NNL_IDX_LABELS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: %s: ndim=%d, expected 1..%d or NNL_IDX_LABELS", who, label,
                         ndim, NNL_IDX_MAX_DIMS);
    if (n > (size_t)IDX_MAX_FILE_BYTES)
        return nnl_error(NNL_E_FORMAT, "%s: %s: %zu bytes, more than an IDX of at most 2^31 bytes "
                         "of data can be", who, label, n);
    const uint8_t *b = bytes;
    nnl_status s = n >= 2 && b[0] == 0x1f && b[1] == 0x8b
                       ? parse_gzip(out, b, n, ndim, who, label)
                       : parse_plain(out, b, n, ndim, who, label);
    if (s != NNL_OK)
        memset(out, 0, sizeof *out);
    return s;
}

/* Read the whole regular file at `path` (at most IDX_MAX_FILE_BYTES). */
static nnl_status read_file(const char *path, const char *who, uint8_t **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return nnl_error(NNL_E_IO, "%s: cannot open '%s': %s", who, path, strerror(errno));
    nnl_status s = NNL_OK;
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    if (fstat(fileno(f), &st) != 0)
        s = nnl_error(NNL_E_IO, "%s: cannot stat '%s': %s", who, path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        s = nnl_error(NNL_E_IO, "%s: '%s' is not a regular file", who, path);
    else if (st.st_size > IDX_MAX_FILE_BYTES)
        s = nnl_error(NNL_E_FORMAT, "%s: %s: %lld bytes, more than an IDX of at most 2^31 bytes "
                      "of data can be", who, path, (long long)st.st_size);
    else if (!(buf = nnl_alloc((size_t)st.st_size)))
        s = nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld bytes for '%s'", who,
                      (long long)st.st_size, path);
    else if ((got = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size)
        s = nnl_error(NNL_E_IO, "%s: cannot read '%s': %s", who, path,
                      ferror(f) ? strerror(errno) : "the file shrank while being read");
    fclose(f);
    if (s != NNL_OK) {
        nnl_dealloc(buf);
        return s;
    }
    *out = buf;
    *size = got;
    return NNL_OK;
}

nnl_status nnl_idx_load(nnl_idx *out, const char *path, int ndim, const char *who)
{
    memset(out, 0, sizeof *out);
    uint8_t *file = NULL;
    size_t size = 0;
    NNL_TRY(read_file(path, who, &file, &size));
    nnl_status s = nnl_idx_parse(out, file, size, ndim, who, path);
    if (s == NNL_OK && !out->owned)
        out->owned = file; /* plain: the data points into the file buffer */
    else
        nnl_dealloc(file); /* failed, or gzip inflated into its own buffer */
    return s;
}

void nnl_idx_free(nnl_idx *idx)
{
    nnl_dealloc(idx->owned);
    memset(idx, 0, sizeof *idx);
}
