/* The library's first use may come from many threads at once: 8 threads of
 * a fresh process start together (a barrier) and make the process's very
 * first calls into the library: nnl_sgemm, a tensor op and the predict of a
 * small CNN, each on inputs of its own. What they race on is the lazy
 * initialisation: the CPU detection (core/cpu.c), the SIMD level
 * (core/runtime.c: NNL_SIMD), the kernel tables (kernels/dispatch.c), the
 * thread pool and the GEMM pack buffers. Afterwards the main thread repeats
 * every call alone, and the results must be the same bits.
 *
 * Nothing may call the library before the barrier (not even
 * test_check_simd_level, which asks for the level); the test is built into
 * the unit suites (one process per SIMD level) and into the 'threads' suite,
 * which scripts/test runs under ThreadSanitizer, where an unsynchronised
 * first-use write is reported as a data race. */
#include <pthread.h>

#include "test_util.h"

/* The GEMM is large enough (4.9 MFLOP) to run on the pool and its pack
 * buffers when there are two cores. */
enum { THREADS = 8, M = 96, N = 128, K = 200, IMAGES = 2, SIDE = 10, CLASSES = 7 };

typedef struct result {
    float c[M * N];                   /* nnl_sgemm */
    float init[M * K];                /* nnl_tensor_init_uniform */
    float probs[IMAGES * CLASSES];    /* nnl_model_predict */
    int failures;
} result;

typedef struct worker {
    pthread_barrier_t *start;
    int id;
    result got;
} worker;

static float input_value(int id, int64_t i) { return (float)((i * 7 + id * 13) % 17) / 17.0f - 0.5f; }

/* Everything one thread does, the same code alone and in the race. */
static void run(int id, result *r)
{
    float a[M * K], b[K * N];
    for (int64_t i = 0; i < M * K; i++)
        a[i] = input_value(id, i);
    for (int64_t i = 0; i < K * N; i++)
        b[i] = input_value(id + 1, i);
    if (nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, M, N, K, 1.0f, a, K, b, N, 0.0f, r->c, N) != NNL_OK)
        r->failures++;

    const int64_t t_dims[2] = {M, K};
    nnl_tensor *t = NULL;
    if (nnl_tensor_create(&t, 2, t_dims) != NNL_OK ||
        nnl_tensor_init_uniform(t, -1.0f, 1.0f, (uint64_t)(100 + id)) != NNL_OK ||
        nnl_tensor_copy_to(t, r->init, M * K) != NNL_OK)
        r->failures++;
    nnl_tensor_free(t);

    const int64_t in_dims[3] = {SIDE, SIDE, 1}, x_dims[4] = {IMAGES, SIDE, SIDE, 1};
    const int64_t y_dims[2] = {IMAGES, CLASSES};
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    nnl_tensor *x = NULL, *y = NULL;
    float pixels[IMAGES * SIDE * SIDE];
    for (int64_t i = 0; i < IMAGES * SIDE * SIDE; i++)
        pixels[i] = input_value(id + 2, i);
    int ok = nnl_model_create(&m, 3, in_dims) == NNL_OK && nnl_model_set_seed(m, (uint64_t)id) == NNL_OK &&
             nnl_layer_conv2d(&l, 4, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU) == NNL_OK &&
             nnl_model_add(m, l) == NNL_OK && nnl_layer_maxpool2d(&l, 2, 2, 0) == NNL_OK &&
             nnl_model_add(m, l) == NNL_OK && nnl_layer_flatten(&l) == NNL_OK && nnl_model_add(m, l) == NNL_OK &&
             nnl_layer_dense(&l, CLASSES, NNL_ACT_SOFTMAX) == NNL_OK && nnl_model_add(m, l) == NNL_OK &&
             nnl_tensor_create_from(&x, 4, x_dims, pixels) == NNL_OK && nnl_tensor_create(&y, 2, y_dims) == NNL_OK &&
             nnl_model_predict(m, x, y) == NNL_OK && nnl_tensor_copy_to(y, r->probs, IMAGES * CLASSES) == NNL_OK;
    if (!ok)
        r->failures++;
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

static void *first_use(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(w->start);
    run(w->id, &w->got);
    return NULL;
}

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static void eight_threads_at_first_use_match_one(void **state)
{
    (void)state;
    static worker workers[THREADS]; /* about 130 KB each: off the stack */
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){.start = &start, .id = t};
        assert_int_equal(pthread_create(&threads[t], NULL, first_use, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&start);

    test_check_simd_level(); /* now: the race above had to make the first call */
    int failures = 0, mismatches = 0;
    for (int t = 0; t < THREADS; t++) {
        static result alone;
        memset(&alone, 0, sizeof alone);
        run(t, &alone);
        failures += workers[t].got.failures + alone.failures;
        mismatches += !same(workers[t].got.c, alone.c, M * N) + !same(workers[t].got.init, alone.init, M * K) +
                      !same(workers[t].got.probs, alone.probs, IMAGES * CLASSES);
    }
    print_message("first use: %d threads at once on level %s: %d failures, %d mismatches\n", THREADS,
                  nnl_simd_name(nnl_simd_level()), failures, mismatches);
    assert_int_equal(failures, 0);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eight_threads_at_first_use_match_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
