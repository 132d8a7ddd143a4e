/* The profiler (nnlite/profile.h) on a few fit steps of a small CNN with a
 * residual block: the trace parses as JSON and holds a forward and a
 * backward event of every layer, a named track per thread (a pool worker's
 * included); the layers, the loss and the optimizer add up to the step
 * time within 10%; call counts are exact, and so are the FLOPs of a known
 * matrix product. Misuse: tests/misuse/misuse_profile.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

#include "io/json.h"

enum { SIDE = 28, SAMPLES = 256, BATCH = 32, CLASSES = 4 };
#define STEPS (SAMPLES / BATCH)

/* The layers as the profiler names them (index in the model; the block's
 * inner dense by its block; a convolution and its pooling, which a batch
 * runs as one pass, by the pair and the first one's index). */
static const char *const layer_names[] = {"conv2d+maxpool2d[0]", "flatten[2]", "dense[3]",
                                          "residual[4]", "residual[4]/dense[0]", "dense[5]"};
enum { NUM_LAYER_NAMES = sizeof layer_names / sizeof layer_names[0] };

static nnl_model *small_cnn(void)
{
    const int64_t input[3] = {SIDE, SIDE, 1};
    nnl_model *m;
    nnl_layer *l, *block, *inner;
    nnl_optimizer *adam;
    assert_ok(nnl_model_create(&m, 3, input));
    assert_ok(nnl_model_set_seed(m, 7));
    assert_ok(nnl_layer_conv2d(&l, 16, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 64, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_residual(&block));
    assert_ok(nnl_layer_dense(&inner, 64, NNL_ACT_TANH));
    assert_ok(nnl_layer_residual_add(block, inner));
    assert_ok(nnl_model_add(m, block));
    assert_ok(nnl_layer_dense(&l, CLASSES, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_optimizer_adam(&adam, 1e-3f, 0.9f, 0.999f, 1e-7f));
    assert_ok(nnl_model_compile(m, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam));
    return m;
}

static nnl_dataset *random_images(void)
{
    static float x[SAMPLES * SIDE * SIDE];
    int32_t labels[SAMPLES];
    test_fill_random(x, SAMPLES * SIDE * SIDE, 3);
    for (int i = 0; i < SAMPLES; i++)
        labels[i] = i % CLASSES;
    const int64_t dims[3] = {SIDE, SIDE, 1};
    nnl_dataset *d;
    assert_ok(nnl_dataset_create_labeled(&d, SAMPLES, 3, dims, x, labels));
    return d;
}

/* A table of what was recorded, as rows (the caller frees). */
static nnl_profile_row_info *take_rows(int64_t *count, int64_t *steps, double *step_ms)
{
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    *count = nnl_profile_table_count(t);
    nnl_profile_row_info *rows = calloc((size_t)*count + 1, sizeof *rows);
    for (int64_t i = 0; i < *count; i++) {
        rows[i].struct_size = sizeof rows[i];
        assert_ok(nnl_profile_table_row(t, i, &rows[i]));
    }
    assert_ok(nnl_profile_table_totals(t, steps, step_ms, NULL));
    nnl_profile_table_free(t);
    return rows;
}

static const nnl_profile_row_info *find_row(const nnl_profile_row_info *rows, int64_t count, const char *name,
                                       nnl_profile_kind kind, nnl_profile_phase phase)
{
    for (int64_t i = 0; i < count; i++)
        if (strcmp(rows[i].name, name) == 0 && rows[i].kind == kind && rows[i].phase == phase)
            return &rows[i];
    return NULL;
}

/* One epoch of STEPS steps under the profiler. */
static void profiled_fit(nnl_model *m, const nnl_dataset *d)
{
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    assert_ok(nnl_model_fit(m, d, NULL, 1, BATCH, 11, NULL, NULL));
    assert_ok(nnl_profile_stop());
}

/* Layers (outermost only: a block's time holds its inner layers'), loss and
 * optimizer (its step and the zeroing of the gradients) against the steps;
 * the rest of a step is gathering the batch. */
static double covered_fraction(const nnl_profile_row_info *rows, int64_t count, double step_ms)
{
    double covered = 0;
    for (int64_t i = 0; i < count; i++) {
        const nnl_profile_row_info *r = &rows[i];
        if ((r->kind == NNL_PROFILE_LAYER && !strchr(r->name, '/')) || r->kind == NNL_PROFILE_LOSS ||
            r->kind == NNL_PROFILE_OPTIMIZER)
            covered += r->total_ms;
    }
    return covered / step_ms;
}

static void test_fit_rows(void **state)
{
    (void)state;
    assert_ok(nnl_set_num_threads(2));
    nnl_model *m = small_cnn();
    nnl_dataset *d = random_images();
    /* The first step also sizes the buffers (outside any layer's event): a
     * warm-up epoch first, as the claim is about steps in a running fit. */
    assert_ok(nnl_model_fit(m, d, NULL, 1, BATCH, 11, NULL, NULL));
    /* Time sums on a shared machine: a preemption between two events lands
     * in no layer, so a failing attempt is repeated (twice at most); a
     * missing event fails all three. */
    double fraction = 0;
    for (int attempt = 0; attempt < 3 && fabs(fraction - 1) > 0.1; attempt++) {
        profiled_fit(m, d);
        int64_t count, steps;
        double step_ms;
        nnl_profile_row_info *rows = take_rows(&count, &steps, &step_ms);
        assert_int_equal(steps, STEPS);
        const nnl_profile_row_info *step = find_row(rows, count, "fit.step", NNL_PROFILE_STEP, NNL_PROFILE_NO_PHASE);
        assert_non_null(step);
        assert_int_equal(step->calls, STEPS);
        assert_true(fabs(step->step_share - 1) < 1e-9);
        assert_true(step->self_ms <= step->total_ms);
        for (int i = 0; i < NUM_LAYER_NAMES; i++) {
            char name[128];
            snprintf(name, sizeof name, "%s.forward", layer_names[i]);
            const nnl_profile_row_info *f = find_row(rows, count, name, NNL_PROFILE_LAYER, NNL_PROFILE_FORWARD);
            snprintf(name, sizeof name, "%s.backward", layer_names[i]);
            const nnl_profile_row_info *b = find_row(rows, count, name, NNL_PROFILE_LAYER, NNL_PROFILE_BACKWARD);
            if (!f || !b)
                fail_msg("no forward or backward row for %s", layer_names[i]);
            assert_int_equal(f->calls, STEPS);
            assert_int_equal(b->calls, STEPS);
        }
        const nnl_profile_row_info *loss = find_row(rows, count, "loss", NNL_PROFILE_LOSS, NNL_PROFILE_NO_PHASE);
        const nnl_profile_row_info *opt =
            find_row(rows, count, "optimizer.step", NNL_PROFILE_OPTIMIZER, NNL_PROFILE_NO_PHASE);
        assert_non_null(loss);
        assert_non_null(opt);
        assert_int_equal(loss->calls, STEPS);
        assert_int_equal(opt->calls, STEPS);
        /* A layer's FLOPs are its kernels': dense[3] forward is one GEMM of
         * (B, 13 * 13 * 16) pooled maps by (2704, 64) weights per step. */
        const nnl_profile_row_info *dense = find_row(rows, count, "dense[3].forward", NNL_PROFILE_LAYER, NNL_PROFILE_FORWARD);
        assert_true(dense->flops == 2.0 * BATCH * 64 * (13 * 13 * 16) * STEPS);
        assert_true(dense->gflops_per_s > 0);
        fraction = covered_fraction(rows, count, step_ms);
        printf("# attempt %d: layers, loss and optimizer cover %.1f%% of %.3f ms of steps\n", attempt + 1,
               100 * fraction, step_ms);
        free(rows);
    }
    if (fabs(fraction - 1) > 0.1)
        fail_msg("layers, loss and optimizer are %.1f%% of the step time, not within 10%% of it", 100 * fraction);
    nnl_model_free(m);
    nnl_dataset_free(d);
}

static char *read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    text[n] = '\0';
    *length = (size_t)n;
    return text;
}

static const char *string_member(const nnl_json *object, const char *key)
{
    const nnl_json *v = nnl_json_get(object, key);
    return v && v->kind == NNL_JSON_STRING ? v->string : NULL;
}

/* Counts of the trace's complete events per layer name, and its threads. */
typedef struct trace_summary {
    int64_t forward[NUM_LAYER_NAMES], backward[NUM_LAYER_NAMES];
    int64_t worker_tasks;       /* events on a "pool worker" track */
    int has_main;
} trace_summary;

static void check_complete_event(const nnl_json *e, trace_summary *s, const char *worker_tids, size_t worker_count)
{
    const char *name = string_member(e, "name");
    assert_non_null(name);
    const char *fields[] = {"ts", "dur", "pid", "tid"};
    for (int i = 0; i < 4; i++) {
        const nnl_json *v = nnl_json_get(e, fields[i]);
        if (!v || v->kind != NNL_JSON_NUMBER)
            fail_msg("event %s has no number %s", name, fields[i]);
    }
    assert_true(nnl_json_get(e, "dur")->number >= 0);
    for (int i = 0; i < NUM_LAYER_NAMES; i++) {
        size_t len = strlen(layer_names[i]);
        if (strncmp(name, layer_names[i], len) != 0)
            continue;
        s->forward[i] += strcmp(name + len, ".forward") == 0;
        s->backward[i] += strcmp(name + len, ".backward") == 0;
    }
    char tid[32];
    snprintf(tid, sizeof tid, ",%lld,", (long long)nnl_json_get(e, "tid")->number);
    s->worker_tasks += worker_count > 0 && strstr(worker_tids, tid) != NULL;
}

static void summarise_trace(const nnl_json *events, trace_summary *s)
{
    char worker_tids[1024] = ",";
    size_t workers = 0;
    for (size_t i = 0; i < events->count; i++) {
        const nnl_json *e = &events->items[i];
        const char *ph = string_member(e, "ph"), *name = string_member(e, "name");
        assert_non_null(ph);
        if (strcmp(ph, "M") != 0 || strcmp(name, "thread_name") != 0)
            continue;
        const char *thread = string_member(nnl_json_get(e, "args"), "name");
        assert_non_null(thread);
        s->has_main |= strcmp(thread, "main") == 0;
        if (strncmp(thread, "pool worker ", 12) == 0) {
            size_t used = strlen(worker_tids);
            snprintf(worker_tids + used, sizeof worker_tids - used, "%lld,",
                     (long long)nnl_json_get(e, "tid")->number);
            workers++;
        }
    }
    for (size_t i = 0; i < events->count; i++)
        if (strcmp(string_member(&events->items[i], "ph"), "X") == 0)
            check_complete_event(&events->items[i], s, worker_tids, workers);
}

static void test_trace_file(void **state)
{
    (void)state;
    assert_ok(nnl_set_num_threads(2));
    nnl_model *m = small_cnn();
    nnl_dataset *d = random_images();
    profiled_fit(m, d);
    char path[] = "/tmp/nnl_test_profile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(nnl_profile_write_trace(path));
    size_t length;
    char *text = read_file(path, &length);
    nnl_json *root;
    assert_ok(nnl_json_parse(&root, text, length, "trace"));
    const nnl_json *events = nnl_json_get(root, "traceEvents");
    assert_non_null(events);
    assert_int_equal(events->kind, NNL_JSON_ARRAY);
    trace_summary s = {0};
    summarise_trace(events, &s);
    for (int i = 0; i < NUM_LAYER_NAMES; i++) {
        if (s.forward[i] != STEPS || s.backward[i] != STEPS)
            fail_msg("%s: %lld forward and %lld backward events, expected %d of each", layer_names[i],
                     (long long)s.forward[i], (long long)s.backward[i], STEPS);
    }
    assert_true(s.has_main);
    assert_true(s.worker_tasks > 0); /* the convolution splits its batch over the pool's worker */
    nnl_json_free(root);
    free(text);
    unlink(path);
    nnl_model_free(m);
    nnl_dataset_free(d);
}

/* Layers in blocks in blocks are named by the blocks around them; with
 * no fit step the outermost events are the whole. */
static void test_nested_names(void **state)
{
    (void)state;
    const int64_t in = 6, x_dims[1] = {6}, y_dims[1] = {3};
    nnl_model *m;
    nnl_layer *l, *outer, *inner, *dense;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_layer_dense(&l, 6, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_residual(&outer));
    assert_ok(nnl_layer_residual(&inner));
    assert_ok(nnl_layer_dense(&dense, 6, NNL_ACT_TANH));
    assert_ok(nnl_layer_residual_add(inner, dense));
    assert_ok(nnl_layer_residual_add(outer, inner));
    assert_ok(nnl_model_add(m, outer));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 1, x_dims));
    assert_ok(nnl_tensor_create(&y, 1, y_dims));
    test_fill_random(nnl_tensor_data(x), 6, 5);
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    assert_ok(nnl_model_predict(m, x, y));
    assert_ok(nnl_model_predict(m, x, y));
    assert_ok(nnl_profile_stop());
    int64_t count, steps;
    double step_ms;
    nnl_profile_row_info *rows = take_rows(&count, &steps, &step_ms);
    const char *names[] = {"dense[0].forward", "residual[1].forward", "residual[1]/residual[0].forward",
                           "residual[1]/residual[0]/dense[0].forward", "dense[2].forward"};
    double outermost_ms = 0;
    for (int i = 0; i < 5; i++) {
        const nnl_profile_row_info *r = find_row(rows, count, names[i], NNL_PROFILE_LAYER, NNL_PROFILE_FORWARD);
        if (!r)
            fail_msg("no row %s", names[i]);
        assert_int_equal(r->calls, 2);
        if (!strchr(names[i], '/'))
            outermost_ms += r->total_ms;
    }
    assert_int_equal(steps, 0);
    assert_true(fabs(step_ms - outermost_ms) <= 1e-9 * step_ms);
    free(rows);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

/* 2mnk of every call, exactly, and the GFLOP/s from them. */
static void test_gemm_flops(void **state)
{
    (void)state;
    enum { M = 7, N = 5, K = 3, CALLS = 3 };
    float a[M * K], b[K * N], c[M * N];
    test_fill_random(a, M * K, 1);
    test_fill_random(b, K * N, 2);
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    for (int i = 0; i < CALLS; i++)
        assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N));
    assert_ok(nnl_profile_stop());
    int64_t count, steps;
    double step_ms;
    nnl_profile_row_info *rows = take_rows(&count, &steps, &step_ms);
    assert_int_equal(count, 1);
    assert_int_equal(steps, 0);
    assert_string_equal(rows[0].name, "gemm");
    assert_int_equal(rows[0].kind, NNL_PROFILE_KERNEL);
    assert_int_equal(rows[0].phase, NNL_PROFILE_NO_PHASE);
    assert_int_equal(rows[0].calls, CALLS);
    assert_true(rows[0].flops == 2.0 * M * N * K * CALLS);
    assert_true(fabs(rows[0].gflops_per_s - rows[0].flops / (rows[0].total_ms * 1e6)) < 1e-9 * rows[0].gflops_per_s);
    assert_true(fabs(rows[0].self_ms - rows[0].total_ms) < 1e-12);
    assert_true(fabs(rows[0].step_share - 1) < 1e-9); /* no step: the outermost events are the whole */
    free(rows);
    /* Nothing is recorded while stopped. */
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N));
    rows = take_rows(&count, &steps, &step_ms);
    assert_int_equal(rows[0].calls, CALLS);
    free(rows);
    nnl_profile_reset();
    rows = take_rows(&count, &steps, &step_ms);
    assert_int_equal(count, 0);
    free(rows);
}

static void test_table_text(void **state)
{
    (void)state;
    float a[4] = {1, 2, 3, 4}, c[4];
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    assert_ok(nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 2, 1.0f, a, 2, a, 2, 0.0f, c, 2));
    assert_ok(nnl_profile_stop());
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    size_t needed;
    assert_ok(nnl_profile_table_format(t, NULL, 0, &needed));
    char *full = malloc(needed + 1);
    size_t again;
    assert_ok(nnl_profile_table_format(t, full, needed + 1, &again));
    assert_int_equal(again, needed);
    assert_int_equal(strlen(full), needed);
    assert_non_null(strstr(full, "nnlite profile: 0 steps"));
    assert_non_null(strstr(full, "GFLOP/s"));
    assert_non_null(strstr(full, "\ngemm "));
    char small[16];
    assert_ok(nnl_profile_table_format(t, small, sizeof small, &again));
    assert_int_equal(again, needed);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    free(full);
    nnl_profile_table_free(t);
    nnl_profile_table_free(NULL);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_flops),
        cmocka_unit_test(test_table_text),
        cmocka_unit_test(test_nested_names),
        cmocka_unit_test(test_fit_rows),
        cmocka_unit_test(test_trace_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
