/* The profiler with many threads (nnlite/profile.h): threads computing while
 * another starts and stops it and others read tables, then an exact count
 * of the events of four threads at once, each on a track of its own, and a
 * trace that parses. Also in the suite 'threads', under ThreadSanitizer. */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "test_util.h"

#include "io/json.h"

enum { THREADS = 4, CALLS = 200, N = 48 };

static atomic_int computing;

/* CALLS matrix products of N x N x N; every tenth a larger one that the
 * pool splits (its parts run on the workers while the pool is free). */
static void *multiply(void *arg)
{
    (void)arg;
    static _Thread_local float a[128 * 128], b[128 * 128], c[128 * 128];
    test_fill_random(a, 128 * 128, 1);
    test_fill_random(b, 128 * 128, 2);
    for (int i = 0; i < CALLS; i++) {
        int64_t n = i % 10 == 0 ? 128 : N;
        if (nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n) != NNL_OK)
            return (void *)1;
    }
    return NULL;
}

static void *toggle(void *arg)
{
    (void)arg;
    while (atomic_load(&computing)) {
        nnl_profile_start();
        nnl_profile_table *t;
        if (nnl_profile_table_create(&t) == NNL_OK) {
            char text[256];
            nnl_profile_table_format(t, text, sizeof text, NULL);
            nnl_profile_table_free(t);
        }
        nnl_profile_stop();
        nnl_profile_reset();
    }
    return NULL;
}

static void run_threads(int with_toggler)
{
    pthread_t threads[THREADS], toggler;
    atomic_store(&computing, 1);
    if (with_toggler)
        assert_int_equal(pthread_create(&toggler, NULL, toggle, NULL), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, multiply, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        void *failed;
        pthread_join(threads[i], &failed);
        assert_null(failed);
    }
    atomic_store(&computing, 0);
    if (with_toggler)
        pthread_join(toggler, NULL);
}

/* Starting, stopping, resetting and reading while four threads compute:
 * no crash, no race (ThreadSanitizer), and a consistent table after. */
static void test_toggling(void **state)
{
    (void)state;
    assert_ok(nnl_set_num_threads(2));
    run_threads(1);
    if (nnl_profile_is_active())
        assert_ok(nnl_profile_stop());
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    for (int64_t i = 0; i < nnl_profile_table_count(t); i++) {
        nnl_profile_row_info row = NNL_PROFILE_ROW_INFO_INIT;
        assert_ok(nnl_profile_table_row(t, i, &row));
        assert_true(row.calls > 0);
        assert_true(row.self_ms <= row.total_ms + 1e-9);
    }
    nnl_profile_table_free(t);
}

/* Threads with "gemm" events in the trace at `path`. */
static int count_gemm_threads(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[64 << 20];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    nnl_json *root;
    assert_ok(nnl_json_parse(&root, text, n, "trace"));
    const nnl_json *events = nnl_json_get(root, "traceEvents");
    assert_non_null(events);
    double tids[64];
    int threads = 0;
    for (size_t i = 0; i < events->count; i++) {
        const nnl_json *name = nnl_json_get(&events->items[i], "name");
        if (!name || name->kind != NNL_JSON_STRING || strcmp(name->string, "gemm") != 0)
            continue;
        double tid = nnl_json_get(&events->items[i], "tid")->number;
        int seen = 0;
        for (int t = 0; t < threads; t++)
            seen |= tids[t] == tid;
        if (!seen && threads < 64)
            tids[threads++] = tid;
    }
    nnl_json_free(root);
    return threads;
}

/* Every call of every thread is counted once, each thread has its track. */
static void test_exact_counts(void **state)
{
    (void)state;
    assert_ok(nnl_set_num_threads(2));
    nnl_profile_reset();
    assert_ok(nnl_profile_start());
    run_threads(0);
    assert_ok(nnl_profile_stop());
    nnl_profile_table *t;
    assert_ok(nnl_profile_table_create(&t));
    int64_t calls = 0, dropped;
    for (int64_t i = 0; i < nnl_profile_table_count(t); i++) {
        nnl_profile_row_info row = NNL_PROFILE_ROW_INFO_INIT;
        assert_ok(nnl_profile_table_row(t, i, &row));
        if (strcmp(row.name, "gemm") == 0)
            calls += row.calls;
    }
    assert_ok(nnl_profile_table_totals(t, NULL, NULL, &dropped));
    nnl_profile_table_free(t);
    assert_int_equal(calls, THREADS * CALLS);
    assert_int_equal(dropped, 0);
    char path[] = "/tmp/nnl_test_profile_threads_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(nnl_profile_write_trace(path));
    assert_int_equal(count_gemm_threads(path), THREADS);
    unlink(path);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toggling),
        cmocka_unit_test(test_exact_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
