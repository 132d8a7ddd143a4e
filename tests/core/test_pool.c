/* The thread pool (core/pool.h): every part runs exactly once, on the
 * thread its index promises, every task of nnl_parallel_tasks exactly
 * once, calls from inside a part and from several threads at once
 * complete, and a forked child gets working threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/pool.h"
#include "test_util.h"

enum { MAX_PARTS = 64 };

typedef struct count_job {
    _Atomic int runs[MAX_PARTS];
    _Atomic int wrong_parts;
    pthread_t thread_of[MAX_PARTS];
} count_job;

static void count_part(void *arg, int part, int parts)
{
    count_job *j = arg;
    if (part < 0 || part >= parts || parts > MAX_PARTS) {
        atomic_fetch_add(&j->wrong_parts, 1);
        return;
    }
    atomic_fetch_add(&j->runs[part], 1);
    j->thread_of[part] = pthread_self();
}

static void run_and_check(int parts)
{
    count_job j;
    memset(&j, 0, sizeof j);
    nnl_parallel_run(parts, count_part, &j);
    assert_int_equal(atomic_load(&j.wrong_parts), 0);
    for (int p = 0; p < (parts > 0 ? parts : 0); p++)
        assert_int_equal(atomic_load(&j.runs[p]), 1);
    if (parts >= 1)
        assert_true(pthread_equal(j.thread_of[0], pthread_self())); /* part 0: the caller */
}

static void every_part_runs_once(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++)
        for (int parts = 0; parts <= 9; parts++)
            run_and_check(parts);
    run_and_check(MAX_PARTS);
}

/* With the same part count, part p runs on the same thread every time: its
 * data stays in that core's cache. */
static void parts_keep_their_threads(void **state)
{
    (void)state;
    count_job first, again;
    memset(&first, 0, sizeof first);
    nnl_parallel_run(3, count_part, &first);
    for (int round = 0; round < 50; round++) {
        memset(&again, 0, sizeof again);
        nnl_parallel_run(3, count_part, &again);
        for (int p = 0; p < 3; p++)
            assert_true(pthread_equal(first.thread_of[p], again.thread_of[p]));
    }
}

static void share_covers_the_range(void **state)
{
    (void)state;
    for (int64_t n = 0; n < 200; n += 7)
        for (int parts = 1; parts <= 5; parts++) {
            int64_t expected = 0;
            for (int p = 0; p < parts; p++) {
                int64_t begin, end;
                nnl_parallel_share(n, 16, p, parts, &begin, &end);
                assert_true(begin == expected && end >= begin && end <= n);
                assert_true(begin % 16 == 0 || begin == n);
                expected = end;
            }
            assert_true(expected == n);
        }
}

/* nnl_parallel_tasks: every task runs exactly once, on a part in range. */
typedef struct task_count {
    _Atomic int runs[200];
    _Atomic int wrong_parts;
    int parts;
} task_count;

static void count_task(void *arg, int64_t task, int part)
{
    task_count *j = arg;
    if (task < 0 || task >= 200 || part < 0 || part >= j->parts)
        atomic_fetch_add(&j->wrong_parts, 1);
    else
        atomic_fetch_add(&j->runs[task], 1);
}

static void every_task_runs_once(void **state)
{
    (void)state;
    for (int parts = 1; parts <= 5; parts++)
        for (int64_t count = 0; count <= 200; count += 13) {
            task_count j;
            memset(&j, 0, sizeof j);
            j.parts = parts;
            nnl_parallel_tasks(parts, count, count_task, &j);
            assert_int_equal(atomic_load(&j.wrong_parts), 0);
            for (int64_t t = 0; t < 200; t++)
                assert_int_equal(atomic_load(&j.runs[t]), t < count ? 1 : 0);
        }
}

/* A part that itself calls the pool runs the inner call on its own thread. */
static void nested_part(void *arg, int part, int parts)
{
    (void)part;
    (void)parts;
    count_job *inner = arg;
    count_job local;
    memset(&local, 0, sizeof local);
    nnl_parallel_run(4, count_part, &local);
    for (int p = 0; p < 4; p++)
        if (atomic_load(&local.runs[p]) != 1)
            atomic_fetch_add(&inner->wrong_parts, 1);
}

static void nested_calls_complete(void **state)
{
    (void)state;
    count_job j;
    memset(&j, 0, sizeof j);
    nnl_parallel_run(3, nested_part, &j);
    assert_int_equal(atomic_load(&j.wrong_parts), 0);
}

static void *caller_thread(void *arg)
{
    (void)arg;
    for (int round = 0; round < 300; round++)
        run_and_check(1 + round % 4);
    return NULL;
}

static void concurrent_callers_complete(void **state)
{
    (void)state;
    pthread_t threads[6];
    for (int t = 0; t < 6; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, caller_thread, NULL), 0);
    for (int t = 0; t < 6; t++)
        assert_int_equal(pthread_join(threads[t], NULL), 0);
}

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

/* The child of a fork has none of the parent's workers; its calls must not
 * wait for them. (ThreadSanitizer does not support starting threads after
 * a multi-threaded fork: skipped there.) */
static void forked_child_runs_parts(void **state)
{
    (void)state;
    if (UNDER_TSAN)
        skip();
    run_and_check(3); /* the parent has workers now */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        count_job j;
        memset(&j, 0, sizeof j);
        nnl_parallel_run(3, count_part, &j);
        int ok = atomic_load(&j.runs[0]) == 1 && atomic_load(&j.runs[1]) == 1 && atomic_load(&j.runs[2]) == 1;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    run_and_check(3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_part_runs_once),
        cmocka_unit_test(parts_keep_their_threads),
        cmocka_unit_test(share_covers_the_range),
        cmocka_unit_test(every_task_runs_once),
        cmocka_unit_test(nested_calls_complete),
        cmocka_unit_test(concurrent_callers_complete),
        cmocka_unit_test(forked_child_runs_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
