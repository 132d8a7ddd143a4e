/* Model files: hostile and corrupted safetensors files give errors, never
 * crashes; saving is atomic. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "io/safetensors.h"

static char dir[] = "/tmp/nnl_test_files_XXXXXX";

static void path_in_dir(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static nnl_model *small_model(void)
{
    const int64_t input[3] = {6, 6, 1};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 3, input));
    assert_ok(nnl_layer_conv2d(&l, 2, 3, 3, 1, NNL_PAD_SAME, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 4, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    return m;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(*size);
    assert_int_equal(fread(bytes, 1, *size, f), *size);
    fclose(f);
    return bytes;
}

static void write_all(const char *path, const void *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
}

/* Load must fail cleanly (any error status), or succeed with a usable model. */
static void load_survives(const char *path, int must_fail)
{
    nnl_model *m = NULL;
    nnl_status s = nnl_model_load(&m, path);
    if (must_fail && s == NNL_OK)
        fail_msg("loading a corrupted file succeeded");
    if (s == NNL_OK) {
        assert_non_null(m);
        nnl_model_free(m);
    } else {
        assert_null(m);
        assert_true(strlen(nnl_last_error()) > 0);
    }
}

static void truncated_and_bit_flipped_files_fail_cleanly(void **state)
{
    (void)state;
    char good[4096], bad[4096];
    path_in_dir(good, sizeof good, "good.safetensors");
    path_in_dir(bad, sizeof bad, "bad.safetensors");
    nnl_model *m = small_model();
    assert_ok(nnl_model_save(m, good, NNL_SAVE_WEIGHTS));
    nnl_model_free(m);
    size_t size;
    unsigned char *bytes = read_all(good, &size);
    for (size_t cut = 0; cut < size; cut += cut < 64 ? 1 : 7) {
        write_all(bad, bytes, cut);
        load_survives(bad, 1);
    }
    uint64_t header = 0;
    for (int i = 7; i >= 0; i--)
        header = header << 8 | bytes[i];
    for (size_t bit = 0; bit < (8 + header) * 8; bit += 3) {
        bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        write_all(bad, bytes, size);
        load_survives(bad, 0);
        bytes[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    }
    free(bytes);
    unlink(bad);
    unlink(good);
}

/* Build a file from a header text and `data_bytes` zero bytes. */
static nnl_status parse_header(const char *json, size_t data_bytes)
{
    size_t n = strlen(json), size = 8 + n + data_bytes;
    unsigned char *bytes = calloc(1, size);
    for (int i = 0; i < 8; i++)
        bytes[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(bytes + 8, json, n);
    nnl_st_file *f = NULL;
    nnl_status s = nnl_st_file_parse(&f, bytes, size, "test");
    nnl_st_file_free(f);
    free(bytes);
    return s;
}

static void hostile_headers_are_refused(void **state)
{
    (void)state;
    assert_ok(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
                      NNL_E_FORMAT, "dtype F16");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
                      NNL_E_FORMAT, "past the end");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                      NNL_E_FORMAT, "do not match shape");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],"
                                   "\"data_offsets\":[0,8]}}", 8), NNL_E_FORMAT, "too many elements");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                   "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16),
                      NNL_E_FORMAT, "duplicate");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                   "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                      NNL_E_FORMAT, "overlap");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8),
                      NNL_E_FORMAT, "data region has 8");
    assert_status_msg(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                      NNL_E_FORMAT, "shape entries");
    assert_status_msg(parse_header("{\"__metadata__\":{\"k\":5}}", 0), NNL_E_FORMAT, "not a string");
    assert_status_msg(parse_header("[1,2]", 0), NNL_E_FORMAT, "not a JSON object");
    assert_status_msg(parse_header("{\"a\":", 0), NNL_E_FORMAT, "JSON error");
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    assert_status_msg(parse_header("{\"x\":\"\\ud800\"}", 0), NNL_E_FORMAT, "surrogate");
    nnl_st_file *f = NULL;
    unsigned char huge[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    assert_status_msg(nnl_st_file_parse(&f, huge, sizeof huge, "huge"), NNL_E_FORMAT, "exceeds the 16 MiB");
    unsigned char longer[16] = {100};
    assert_status_msg(nnl_st_file_parse(&f, longer, sizeof longer, "short"), NNL_E_FORMAT, "truncated");
    unsigned char deep_file[8 + 400] = {0x90, 0x01};
    memcpy(deep_file + 8, deep, 400);
    assert_status_msg(nnl_st_file_parse(&f, deep_file, sizeof deep_file, "deep"), NNL_E_FORMAT, "too deep");
    assert_null(f);
}

/* A file whose architecture does not fit its weights, or names an unknown layer. */
static void architectures_that_do_not_fit_are_refused(void **state)
{
    (void)state;
    char path[4096];
    path_in_dir(path, sizeof path, "arch.safetensors");
    float w[8] = {0};
    struct { const char *arch; const char *tensor; int64_t dim; const char *message; } cases[] = {
        {"{\"input\":[4],\"layers\":[{\"type\":\"dense\",\"units\":2,\"activation\":\"relu\"}]}", "layers.0.kernel", 8,
         "its bias needs 2 floats, more than the 0 left in the file"},
        {"{\"input\":[4],\"layers\":[{\"type\":\"warp\"}]}", "x", 1, "unknown layer type 'warp'"},
        {"{\"input\":[4],\"layers\":[{\"type\":\"dense\",\"units\":0,\"activation\":\"relu\"}]}", "x", 1, "units=0"},
        {"{\"input\":[4],\"layers\":[{\"type\":\"conv2d\",\"filters\":2,\"kernel\":[3,3],\"stride\":1,"
         "\"padding\":\"valid\",\"activation\":\"relu\"}]}", "x", 1, "expected 3 (height, width"},
        {"{\"input\":[4]}", "x", 1, "needs 'input'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        nnl_st_writer *wr;
        assert_ok(nnl_st_writer_create(&wr));
        assert_ok(nnl_st_writer_add_metadata(wr, "format", "nnlite.sequential"));
        assert_ok(nnl_st_writer_add_metadata(wr, "nnlite.architecture", cases[i].arch));
        int64_t dims[2] = {4, 2};
        assert_ok(nnl_st_writer_add_tensor(wr, cases[i].tensor, cases[i].dim == 8 ? 2 : 1,
                                           cases[i].dim == 8 ? dims : &cases[i].dim, w));
        assert_ok(nnl_st_writer_save(wr, path));
        nnl_st_writer_free(wr);
        nnl_model *m = NULL;
        assert_status_msg(nnl_model_load(&m, path), NNL_E_FORMAT, cases[i].message);
        assert_null(m);
    }
    unlink(path);
}

/* A model file with an architecture, one more metadata key and, with
 * `extra_tensor`, a tensor the architecture does not use. */
static void write_model_file(const char *path, const char *arch, const char *key, const char *value, int extra_tensor)
{
    nnl_st_writer *wr;
    const float w[1] = {0.0f};
    const int64_t one = 1;
    assert_ok(nnl_st_writer_create(&wr));
    assert_ok(nnl_st_writer_add_metadata(wr, "format", "nnlite.sequential"));
    assert_ok(nnl_st_writer_add_metadata(wr, "nnlite.architecture", arch));
    assert_ok(nnl_st_writer_add_metadata(wr, key, value));
    if (extra_tensor)
        assert_ok(nnl_st_writer_add_tensor(wr, "unused", 1, &one, w));
    assert_ok(nnl_st_writer_save(wr, path));
    nnl_st_writer_free(wr);
}

/* A padding token that is not a token id, or on a model of images, is refused;
 * a valid one comes back (encoder layers' files: their keys are heads, dim and
 * dropout, checked like the GPT blocks'). */
static void padding_tokens_are_checked(void **state)
{
    (void)state;
    char path[4096];
    path_in_dir(path, sizeof path, "padding.safetensors");
    const char *tokens = "{\"input\":[4],\"layers\":[{\"type\":\"self_attention\",\"heads\":0}]}";
    const char *ids = "{\"input\":[4],\"layers\":[]}", *images = "{\"input\":[2,2],\"layers\":[]}";
    struct { const char *arch, *token, *message; } cases[] = {
        {ids, "-1", "nnlite.padding_token='-1'"},
        {ids, "1x", "nnlite.padding_token='1x'"},
        {ids, "16777216", "nnlite.padding_token='16777216'"},
        {ids, "99999999999", "nnlite.padding_token='99999999999'"},
        {images, "1", "nnlite.padding_token='1'"},
        {tokens, "1", "heads=0"},
        {ids, "7", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_model_file(path, cases[i].arch, "nnlite.padding_token", cases[i].token, 1);
        nnl_model *m = NULL;
        nnl_status st = nnl_model_load(&m, path);
        if (cases[i].message) {
            assert_status_msg(st, NNL_E_FORMAT, cases[i].message);
            assert_null(m);
        } else {
            assert_status_msg(st, NNL_E_FORMAT, "1 tensors"); /* the token was accepted, the extra tensor is not */
        }
    }
    unlink(path);
}

/* A vocabulary or class names that do not parse are refused with the key's name. */
static void tokenizer_and_class_names_are_checked(void **state)
{
    (void)state;
    char path[4096];
    path_in_dir(path, sizeof path, "meaning.safetensors");
    struct { const char *key, *value, *message; } cases[] = {
        {"nnlite.vocab", "97,97", "nnlite.vocab"},
        {"nnlite.vocab", "[PAD],[CLS]", "nnlite.vocab"},
        {"nnlite.class_names", "{}", "not an array"},
        {"nnlite.class_names", "[\"a\",1]", "nnlite.class_names[1] is not a string"},
        {"nnlite.class_names", "[\"a\"", "JSON error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_model_file(path, "{\"input\":[4],\"layers\":[]}", cases[i].key, cases[i].value, 0);
        nnl_model *m = NULL;
        assert_status_msg(nnl_model_load(&m, path), NNL_E_FORMAT, cases[i].message);
        assert_null(m);
    }
    unlink(path);
}

/* Saving over an existing file replaces it whole; a failed save keeps it. */
static void saving_is_atomic(void **state)
{
    (void)state;
    char path[4096], blocked[4096];
    path_in_dir(path, sizeof path, "atomic.safetensors");
    nnl_model *m = small_model();
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    nnl_model *back;
    assert_ok(nnl_model_load(&back, path));
    nnl_model_free(back);
    /* a read-only directory: the save fails with the path, the old file survives */
    path_in_dir(blocked, sizeof blocked, "ro");
    mkdir(blocked, 0555);
    char inside[4200];
    snprintf(inside, sizeof inside, "%s/model.safetensors", blocked);
    if (geteuid() != 0) { /* root ignores directory permissions */
        assert_status_msg(nnl_model_save(m, inside, NNL_SAVE_WEIGHTS), NNL_E_IO, inside);
    }
    rmdir(blocked);
    /* no temporary files are left behind */
    char pattern[4300];
    snprintf(pattern, sizeof pattern, "ls %s | grep -c tmp > /dev/null", dir);
    assert_int_not_equal(system(pattern), 0);
    nnl_model_free(m);
    unlink(path);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_headers_are_refused),
        cmocka_unit_test(architectures_that_do_not_fit_are_refused),
        cmocka_unit_test(truncated_and_bit_flipped_files_fail_cleanly),
        cmocka_unit_test(padding_tokens_are_checked),
        cmocka_unit_test(tokenizer_and_class_names_are_checked),
        cmocka_unit_test(saving_is_atomic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
