/* Nothing is lost when saving goes wrong. nnl_model_save writes a temporary
 * file next to the target, fsyncs it and renames it over the target, so:
 *  - a process killed (SIGKILL) at any point of a save leaves the target
 *    either the old model or the new one, whole and loadable;
 *  - a full disk (a 64 KiB tmpfs, and RLIMIT_FSIZE) and a directory we may
 *    not write give NNL_E_IO naming the path, and the old file is intact.
 * Each case runs in a forked child so that limits, mounts and a lowered uid
 * stay there. Runs once (not per SIMD level): saving uses no kernels. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "test_util.h"

enum { KILLS = 200, CHILD_OK = 0, CHILD_FAILED = 3, CHILD_SKIPPED = 4 };

/* Big enough (about 1 MB) that a kill often lands inside a write. */
static nnl_model *model_with_seed(uint64_t seed)
{
    const int64_t input[1] = {256};
    nnl_model *m = NULL;
    nnl_layer *l = NULL;
    assert_ok(nnl_model_create(&m, 1, input));
    assert_ok(nnl_model_set_seed(m, seed));
    assert_ok(nnl_layer_dense(&l, 1024, NNL_ACT_RELU));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 10, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    return m;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int same_bytes(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

/* Remove the temporary files that killed saves leave behind (a SIGKILL
 * leaves no chance to clean up); returns how many there were. */
static int remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".tmp."))
            continue;
        char path[1024];
        fixture_path(path, sizeof path, dir, e->d_name);
        assert_int_equal(unlink(path), 0);
        n++;
    }
    closedir(d);
    return n;
}

static void killed_saves_leave_the_old_or_the_new_model(void **state)
{
    (void)state;
    char dir[256], path[512], path_a[512], path_b[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "model.safetensors");
    fixture_path(path_a, sizeof path_a, dir, "a.safetensors");
    fixture_path(path_b, sizeof path_b, dir, "b.safetensors");
    nnl_model *a = model_with_seed(1), *b = model_with_seed(2);
    assert_ok(nnl_model_save(a, path_a, NNL_SAVE_WEIGHTS));
    assert_ok(nnl_model_save(b, path_b, NNL_SAVE_WEIGHTS));
    size_t na, nb;
    unsigned char *bytes_a = fixture_read_file(path_a, &na), *bytes_b = fixture_read_file(path_b, &nb);
    assert_false(same_bytes(bytes_a, na, bytes_b, nb));
    assert_ok(nnl_model_save(a, path, NNL_SAVE_WEIGHTS));
    double start = now();
    for (int i = 0; i < 5; i++)
        assert_ok(nnl_model_save(i % 2 ? a : b, path, NNL_SAVE_WEIGHTS));
    double save_seconds = (now() - start) / 5;
    srand(12345);
    int survived = 0, orphans = 0, in_the_middle = 0;
    for (int kill_no = 0; kill_no < KILLS; kill_no++) {
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) /* save a and b in turn until killed */
            for (int n = 0;; n++)
                if (nnl_model_save(n % 2 ? a : b, path, NNL_SAVE_WEIGHTS) != NNL_OK)
                    _exit(CHILD_FAILED);
        /* anywhere within the first few saves, including before the first write */
        double delay = save_seconds * 3.0 * rand() / RAND_MAX;
        struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&ts, NULL);
        kill(child, SIGKILL);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        if (!WIFSIGNALED(status))
            fail_msg("the saving child ended by itself (status %d) instead of being killed", status);
        size_t n;
        unsigned char *bytes = fixture_read_file(path, &n);
        assert_non_null(bytes);
        if (!same_bytes(bytes, n, bytes_a, na) && !same_bytes(bytes, n, bytes_b, nb))
            fail_msg("after kill %d the file is neither model (%zu bytes)", kill_no, n);
        free(bytes);
        nnl_model *back = NULL;
        assert_ok(nnl_model_load(&back, path));
        nnl_model_free(back);
        int left = remove_temporaries(dir);
        in_the_middle += left > 0;
        orphans += left;
        survived++;
    }
    print_message("durability: %d of %d kills survived (%d killed inside a write, leaving %d temporary files); "
                  "a save takes %.2f ms\n", survived, KILLS, in_the_middle, orphans, save_seconds * 1e3);
    assert_int_equal(survived, KILLS);
    assert_true(in_the_middle > 0); /* the kills really hit saves in progress */
    free(bytes_a);
    free(bytes_b);
    nnl_model_free(a);
    nnl_model_free(b);
    fixture_remove_tree(dir);
}

/* Run `body` in a child; CHILD_SKIPPED when it could not set its scene up. */
static int in_child(int (*body)(const char *dir, nnl_model *m), const char *dir, nnl_model *m)
{
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(body(dir, m));
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* In the child: a save over dir/model.safetensors must fail with NNL_E_IO
 * naming the path and keep the old file's bytes. */
static int save_fails_and_keeps_old(const char *dir, nnl_model *m)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    size_t before_n, after_n;
    unsigned char *before = fixture_read_file(path, &before_n);
    nnl_status s = nnl_model_save(m, path, NNL_SAVE_WEIGHTS);
    unsigned char *after = fixture_read_file(path, &after_n);
    if (s != NNL_E_IO || !strstr(nnl_last_error(), path) || !strstr(nnl_last_error(), "nnl_model_save")) {
        fprintf(stderr, "save gave %s: %s\n", nnl_status_str(s), nnl_last_error());
        return CHILD_FAILED;
    }
    if (!before || !after || !same_bytes(before, before_n, after, after_n)) {
        fprintf(stderr, "the old file changed\n");
        return CHILD_FAILED;
    }
    printf("durability: %s\n", nnl_last_error());
    fflush(stdout); /* the child leaves with _exit */
    free(before);
    free(after);
    return CHILD_OK;
}

/* A tmpfs of 64 KiB in a private mount namespace, holding a small old model. */
static int full_tmpfs(const char *dir, nnl_model *big)
{
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0)
        return CHILD_SKIPPED; /* not root, or no CAP_SYS_ADMIN */
    char path[512];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    nnl_model *small = NULL;
    const int64_t input[1] = {4};
    nnl_layer *l = NULL;
    if (nnl_model_create(&small, 1, input) != NNL_OK || nnl_layer_dense(&l, 2, NNL_ACT_NONE) != NNL_OK ||
        nnl_model_add(small, l) != NNL_OK || nnl_model_save(small, path, NNL_SAVE_WEIGHTS) != NNL_OK)
        return CHILD_FAILED;
    nnl_model_free(small);
    return save_fails_and_keeps_old(dir, big);
}

/* Files may not grow beyond 64 KiB; SIGXFSZ ignored, so write() says EFBIG. */
static int file_size_limit(const char *dir, nnl_model *big)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {64 << 10, 64 << 10};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
        return CHILD_FAILED;
    return save_fails_and_keeps_old(dir, big);
}

/* A directory the process may not write: root ignores permission bits, so a
 * root child first becomes nobody (65534). */
static int read_only_directory(const char *dir, nnl_model *m)
{
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
        return CHILD_FAILED;
    return save_fails_and_keeps_old(dir, m);
}

static void failed_saves_give_io_errors_and_keep_the_old_file(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "model.safetensors");
    nnl_model *big = model_with_seed(3), *old = fixture_cnn();
    assert_ok(nnl_model_save(old, path, NNL_SAVE_WEIGHTS));
    assert_int_equal(in_child(file_size_limit, dir, big), CHILD_OK);
    int tmpfs = in_child(full_tmpfs, dir, big); /* mounted over dir, in the child only */
    assert_true(tmpfs == CHILD_OK || tmpfs == CHILD_SKIPPED);
    if (tmpfs == CHILD_SKIPPED)
        print_message("durability: no tmpfs (needs CAP_SYS_ADMIN); RLIMIT_FSIZE stands for a full disk\n");
    assert_int_equal(chmod(dir, 0555), 0);
    assert_int_equal(in_child(read_only_directory, dir, big), CHILD_OK);
    assert_int_equal(chmod(dir, 0700), 0);
    nnl_model *back = NULL;
    assert_ok(nnl_model_load(&back, path)); /* still the old model */
    assert_int_equal(nnl_model_param_count(back), nnl_model_param_count(old));
    nnl_model_free(back);
    nnl_model_free(big);
    nnl_model_free(old);
    fixture_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_saves_leave_the_old_or_the_new_model),
        cmocka_unit_test(failed_saves_give_io_errors_and_keep_the_old_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
