/* A loaded model serves nnl_model_predict (and predict_dataset) from 8
 * threads at once, with results identical, bit for bit, to the same calls
 * made one at a time; and each thread's nnl_last_error() stays its own.
 *
 * This test also runs under ThreadSanitizer (scripts/test builds it with
 * -Db_sanitize=thread): the 8 callers share the model, the workspace pool,
 * the GEMM pack-buffer pool and the library's thread pool (core/pool.h),
 * whose workers run the kernels' parts. */
#include <pthread.h>
#include <stdio.h>

#include "fixtures/fixtures.h"
#include "test_util.h"


enum { THREADS = 8, INPUTS = 6, BATCH = 3, ROUNDS = 10, CLASSES = 10 };

typedef struct shared {
    const nnl_model *model;
    const nnl_dataset *data;
    nnl_tensor *inputs[INPUTS];
    float expected[INPUTS][BATCH * CLASSES];
    float expected_all[INPUTS * BATCH * CLASSES];
    pthread_barrier_t barrier;
} shared;

typedef struct worker {
    shared *s;
    int id;
    int mismatches, failures, foreign_messages;
    float all[INPUTS * BATCH * CLASSES]; /* this thread's predict_dataset outputs */
} worker;

/* An MNIST-like network on 12x12 images, saved and loaded back. */
static nnl_model *loaded_model(const char *dir)
{
    const int64_t input[3] = {12, 12, 1};
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    assert_ok(nnl_model_create(&m, 3, input));
    assert_ok(nnl_model_set_seed(m, 5));
    assert_ok(nnl_layer_conv2d(&l, 8, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_batchnorm(&l, 0.9f, 1e-3f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 32, NNL_ACT_GELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, CLASSES, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    char path[512];
    fixture_path(path, sizeof path, dir, "threads.safetensors");
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    nnl_model_free(m);
    nnl_model *back = NULL;
    assert_ok(nnl_model_load(&back, path));
    return back;
}

static int same(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

static void *serve(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    const int64_t y_dims[2] = {BATCH, CLASSES};
    nnl_tensor *y = NULL;
    if (nnl_tensor_create(&y, 2, y_dims) != NNL_OK)
        return NULL;
    /* a failure whose message is this thread's: n = -(id + 1) */
    char mine[32];
    snprintf(mine, sizeof mine, "n=%d", -(w->id + 1));
    nnl_set_num_threads(-(w->id + 1));
    pthread_barrier_wait(&s->barrier); /* all threads start predicting together */
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < INPUTS; i++) {
            int k = (i + w->id) % INPUTS; /* threads run different inputs at the same time */
            if (nnl_model_predict(s->model, s->inputs[k], y) != NNL_OK)
                w->failures++;
            else if (!same(nnl_tensor_data(y), s->expected[k], BATCH * CLASSES))
                w->mismatches++;
        }
        if (nnl_model_predict_dataset(s->model, s->data, BATCH, w->all, NULL) != NNL_OK)
            w->failures++;
        else if (!same(w->all, s->expected_all, INPUTS * BATCH * CLASSES))
            w->mismatches++;
        /* successful calls leave the last error alone; other threads' failures never show */
        if (!strstr(nnl_last_error(), mine))
            w->foreign_messages++;
    }
    nnl_tensor_free(y);
    return NULL;
}

static void predict_from_eight_threads_matches_one(void **state)
{
    (void)state;
    char dir[256];
    fixture_temp_dir(dir, sizeof dir);
    shared *s = calloc(1, sizeof *s);
    nnl_model *m = loaded_model(dir);
    s->model = m;
    const int64_t x_dims[4] = {BATCH, 12, 12, 1}, y_dims[2] = {BATCH, CLASSES}, sample[3] = {12, 12, 1};
    float *pixels = malloc(sizeof(float) * INPUTS * BATCH * 144);
    int32_t *labels = calloc(INPUTS * BATCH, sizeof *labels);
    test_fill_random(pixels, INPUTS * BATCH * 144, 21);
    nnl_dataset *data = NULL;
    assert_ok(nnl_dataset_create_labeled(&data, INPUTS * BATCH, 3, sample, pixels, labels));
    s->data = data;
    nnl_tensor *y = NULL;
    assert_ok(nnl_tensor_create(&y, 2, y_dims));
    for (int i = 0; i < INPUTS; i++) { /* the answers, one call at a time */
        assert_ok(nnl_tensor_create_from(&s->inputs[i], 4, x_dims, pixels + i * BATCH * 144));
        assert_ok(nnl_model_predict(m, s->inputs[i], y));
        memcpy(s->expected[i], nnl_tensor_data(y), sizeof s->expected[i]);
    }
    assert_ok(nnl_model_predict_dataset(m, data, BATCH, s->expected_all, NULL));
    pthread_barrier_init(&s->barrier, NULL, THREADS);
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){.s = s, .id = t};
        assert_int_equal(pthread_create(&threads[t], NULL, serve, &workers[t]), 0);
    }
    int mismatches = 0, failures = 0, foreign = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        mismatches += workers[t].mismatches;
        failures += workers[t].failures;
        foreign += workers[t].foreign_messages;
    }
    print_message("threads: %d threads x %d rounds of %d predicts and a predict_dataset (kernel threads %d): "
                  "%d failures, %d mismatches, %d foreign error messages\n",
                  THREADS, ROUNDS, INPUTS, nnl_get_num_threads(), failures, mismatches, foreign);
    assert_int_equal(failures, 0);
    assert_int_equal(mismatches, 0);
    assert_int_equal(foreign, 0);
    pthread_barrier_destroy(&s->barrier);
    for (int i = 0; i < INPUTS; i++)
        nnl_tensor_free(s->inputs[i]);
    nnl_tensor_free(y);
    nnl_dataset_free(data);
    nnl_model_free(m);
    free(pixels);
    free(labels);
    free(s);
    fixture_remove_tree(dir);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(predict_from_eight_threads_matches_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
