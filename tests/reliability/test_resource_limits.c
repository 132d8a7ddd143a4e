/* Very large requests fail with a status, never by the system killing the
 * process; and files as large as the limits allow load in time linear in
 * their size. In a forked child whose address space is capped (RLIMIT_AS: what
 * it uses now plus 256 MiB), each request is tried: shapes beyond the
 * library's limits are refused before allocating (NNL_E_INVALID_ARG or
 * NNL_E_NOMEM), files that claim more than they hold are refused before
 * allocating (NNL_E_FORMAT), and plausible-but-too-big requests get
 * NNL_E_NOMEM when the allocation fails. The child must exit normally.
 *
 * Skipped under AddressSanitizer, which needs terabytes of address space for
 * its shadow memory; the sizes refused before allocating are also checked by
 * tests/misuse in every build. */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "io/safetensors.h"
#include "test_util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static int failures;

/* Print the outcome of a request; count it when the status is not expected. */
static void expect(const char *what, nnl_status got, nnl_status want)
{
    printf("limits: %-58s -> %-16s %s\n", what, nnl_status_str(got), got == NNL_OK ? "" : nnl_last_error());
    if (got != want) {
        printf("limits: FAILED: expected %s\n", nnl_status_str(want));
        failures++;
    }
}

static long virtual_memory_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0;
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * sysconf(_SC_PAGESIZE);
}

static void huge_tensors(void)
{
    nnl_tensor *t = NULL;
    const int64_t beyond[2] = {(int64_t)1 << 21, (int64_t)1 << 20}; /* 2^41 elements */
    const int64_t plausible[2] = {(int64_t)1 << 18, (int64_t)1 << 18}; /* 2^36 elements, 256 GiB */
    expect("tensor of 2^41 elements (beyond the limit)", nnl_tensor_create(&t, 2, beyond), NNL_E_NOMEM);
    expect("tensor of 2^36 elements (256 GiB)", nnl_tensor_create(&t, 2, plausible), NNL_E_NOMEM);
}

static void huge_datasets(void)
{
    nnl_dataset *d = NULL;
    float x[4] = {0}, y[1] = {0};
    int32_t *labels = calloc((size_t)1 << 14, sizeof *labels);
    const int64_t sample[1] = {(int64_t)1 << 24};
    /* refused or failed before anything is read from x (which is tiny) */
    expect("dataset of 2^20 samples of 2^24 floats (beyond the limit)",
           nnl_dataset_create(&d, (int64_t)1 << 20, 1, sample, x, 0, NULL, y), NNL_E_NOMEM);
    expect("dataset of 2^14 samples of 2^24 floats (1 TiB)",
           nnl_dataset_create_labeled(&d, (int64_t)1 << 14, 1, sample, x, labels), NNL_E_NOMEM);
    free(labels);
}

static void huge_layers(void)
{
    nnl_layer *l = NULL;
    const int64_t wide[1] = {(int64_t)1 << 16};
    expect("dense layer of 2^24 units", nnl_layer_dense(&l, (int64_t)1 << 24, NNL_ACT_NONE), NNL_OK);
    expect("  ... built on 2^16 inputs (4 TiB kernel)", nnl_layer_build(l, 1, wide, 1), NNL_E_NOMEM);
    nnl_layer_free(l);
    expect("dense layer of 2^16 units", nnl_layer_dense(&l, (int64_t)1 << 16, NNL_ACT_NONE), NNL_OK);
    expect("  ... built on 2^16 inputs (16 GiB kernel)", nnl_layer_build(l, 1, wide, 1), NNL_E_NOMEM);
    nnl_layer_free(l);
}

/* Activations too big for memory while the input and output fit. */
static void huge_activations(void)
{
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    const int64_t image[3] = {512, 512, 1};
    nnl_model_create(&m, 3, image);
    nnl_layer_conv2d(&l, 4096, 1, 1, 1, NNL_PAD_SAME, NNL_ACT_NONE);
    nnl_model_add(m, l);
    nnl_layer_maxpool2d(&l, 512, 512, 0);
    nnl_model_add(m, l);
    nnl_tensor *x = NULL, *y = NULL;
    const int64_t x_dims[4] = {1, 512, 512, 1}, y_dims[4] = {1, 1, 1, 4096};
    nnl_tensor_create(&x, 4, x_dims);
    nnl_tensor_create(&y, 4, y_dims);
    expect("predict with 4 GiB of activations (1 MiB in, 16 KiB out)", nnl_model_predict(m, x, y), NNL_E_NOMEM);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

static void huge_gpt(void)
{
    nnl_tokenizer *tok = fixture_tokenizer();
    nnl_gpt_config c = NNL_GPT_CONFIG_INIT;
    nnl_gpt *g = NULL;
    c.n_layer = 1024, c.n_embd = 65536, c.n_head = 1;
    expect("GPT of 1024 layers of 65536 dims (beyond the limit)", nnl_gpt_create(&g, &c, tok), NNL_E_NOMEM);
    c.n_layer = 4, c.n_embd = 8192, c.n_head = 8;
    expect("GPT of 4 layers of 8192 dims (13 GiB)", nnl_gpt_create(&g, &c, tok), NNL_E_NOMEM);
    nnl_tokenizer_free(tok);
}

/* A safetensors file of `header` and 8 bytes of tensor data. */
static void write_safetensors(const char *path, const char *header)
{
    size_t n = strlen(header);
    unsigned char *file = calloc(1, 8 + n + 8);
    for (int i = 0; i < 8; i++)
        file[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(file + 8, header, n);
    fixture_write_file(path, file, 8 + n + 8);
    free(file);
}

/* Files that claim sizes they do not hold are refused before allocating. */
static void lying_files(const char *dir)
{
    char path[512], images[512], labels[512];
    fixture_path(path, sizeof path, dir, "lying.safetensors");
    write_safetensors(path, "{\"__metadata__\":{\"format\":\"nnlite.sequential\",\"nnlite.architecture\":"
                            "\"{\\\"input\\\":[65536],\\\"layers\\\":[{\\\"type\\\":\\\"dense\\\","
                            "\\\"units\\\":65536,\\\"activation\\\":\\\"relu\\\"}]}\"},"
                            "\"layers.0.kernel\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
    nnl_model *m = NULL;
    expect("model file: a 16 GiB dense layer, 8 bytes of weights", nnl_model_load(&m, path), NNL_E_FORMAT);
    write_safetensors(path, "{\"__metadata__\":{\"format\":\"nnlite.gpt\",\"format_version\":\"1\","
                            "\"n_layer\":\"64\",\"n_head\":\"64\",\"n_embd\":\"8192\",\"block_size\":\"1048576\","
                            "\"vocab_size\":\"2\",\"dropout\":\"0\",\"seed\":\"1\",\"vocab\":\"97\"},"
                            "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
    nnl_gpt *g = NULL;
    expect("GPT file: 64 layers of 8192 dims, 8 bytes of weights", nnl_gpt_load(&g, path), NNL_E_FORMAT);
    /* an IDX file promising 2^31 bytes of pixels (65536 images of 128x256) in a few bytes of gzip */
    fixture_path(images, sizeof images, dir, "images.gz");
    fixture_path(labels, sizeof labels, dir, "labels");
    char command[2048];
    snprintf(command, sizeof command,
             "printf '\\000\\000\\010\\003\\000\\001\\000\\000\\000\\000\\000\\200\\000\\000\\001\\000' | gzip -c > %s",
             images);
    if (system(command) != 0)
        failures++;
    fixture_write_file(labels, "\0\0\x08\x01\0\0\0\x01\x05", 9);
    nnl_dataset *d = NULL;
    expect("IDX: 2^31 bytes of pixels promised by a few bytes of gzip", nnl_dataset_load_idx(&d, images, labels),
           NNL_E_FORMAT);
}

static void large_requests_fail_with_a_status(void **state)
{
    (void)state;
    if (UNDER_ASAN) {
        print_message("limits: skipped under AddressSanitizer (it needs the address space RLIMIT_AS takes)\n");
        skip();
    }
    char dir[256];
    fixture_temp_dir(dir, sizeof dir);
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        nnl_set_num_threads(1); /* kernels on this thread: the limit counts no worker stacks */
        long cap = virtual_memory_bytes() + (256L << 20);
        struct rlimit limit = {(rlim_t)cap, (rlim_t)cap};
        if (setrlimit(RLIMIT_AS, &limit) != 0)
            _exit(100);
        huge_tensors();
        huge_datasets();
        huge_layers();
        huge_activations();
        huge_gpt();
        lying_files(dir);
        fflush(stdout);
        _exit(failures);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status))
        fail_msg("the child was killed by signal %d", WTERMSIG(status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    fixture_remove_tree(dir);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The most tensors a header may list, 65,535 of one float each (a 4.5 MB
 * file): comparing every pair of names took a minute; sorted, a second. */
static void a_header_of_65535_tensors_parses_quickly(void **state)
{
    (void)state;
    enum { TENSORS = 65535 };
    size_t capacity = (size_t)TENSORS * 80 + 64, n = 0;
    char *header = malloc(capacity);
    n += (size_t)snprintf(header + n, capacity - n, "{\"__metadata__\":{}");
    for (int i = 0; i < TENSORS; i++)
        n += (size_t)snprintf(header + n, capacity - n, ",\"t%06d\":{\"dtype\":\"F32\",\"shape\":[1],"
                              "\"data_offsets\":[%d,%d]}", i, 4 * i, 4 * i + 4);
    n += (size_t)snprintf(header + n, capacity - n, "}");
    size_t size = 8 + n + 4 * (size_t)TENSORS;
    unsigned char *file = calloc(1, size);
    for (int i = 0; i < 8; i++)
        file[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(file + 8, header, n);
    double start = now();
    nnl_st_file *f = NULL;
    assert_ok(nnl_st_file_parse(&f, file, size, "many tensors"));
    const float *data;
    const int64_t one[1] = {1};
    assert_ok(nnl_st_file_tensor(f, "t065534", 1, one, &data));
    double seconds = now() - start;
    print_message("limits: a header of %d tensors (%zu bytes) parsed in %.2f s\n", TENSORS, n, seconds);
    assert_true(seconds < 20.0);
    nnl_st_file_free(f);
    free(file);
    free(header);
}

/* 4,096 residual blocks of 8 dense layers: rebuilding the parameter list at
 * every layer made loading quadratic in the number of layers, and checking
 * each tensor name against all before it made saving quadratic in tensors. */
static void a_model_of_thousands_of_layers_saves_and_loads_quickly(void **state)
{
    (void)state;
    const int64_t input[1] = {1};
    nnl_model *m = NULL;
    assert_ok(nnl_model_create(&m, 1, input));
    for (int i = 0; i < 4096; i++) {
        nnl_layer *block = NULL, *inner = NULL;
        assert_ok(nnl_layer_residual(&block));
        for (int j = 0; j < 8; j++) {
            assert_ok(nnl_layer_dense(&inner, 1, NNL_ACT_NONE));
            assert_ok(nnl_layer_residual_add(block, inner));
        }
        assert_ok(nnl_model_add(m, block));
    }
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "deep.safetensors");
    double start = now();
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    double saving = now() - start;
    nnl_model_free(m);
    start = now();
    assert_ok(nnl_model_load(&m, path));
    double loading = now() - start;
    print_message("limits: a model of %d layers and %d parameter tensors saved in %.2f s, loaded in %.2f s\n",
                  4096 * 9, nnl_layer_num_params(nnl_model_layer(m, 0)) * 4096, saving, loading);
    assert_true(saving < 20.0 && loading < 20.0);
    nnl_model_free(m);
    fixture_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_requests_fail_with_a_status),
        cmocka_unit_test(a_header_of_65535_tensors_parses_quickly),
        cmocka_unit_test(a_model_of_thousands_of_layers_saves_and_loads_quickly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
