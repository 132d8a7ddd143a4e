/* Replays every seed input (tests/fuzz/corpus/<target>/) and every input
 * that once crashed a target (tests/fuzz/regressions/<target>/) through the
 * fuzz target bodies, so each build (and the ASan+UBSan build) checks them
 * without libFuzzer. A crash found by fuzzing becomes a regression test by
 * committing its input under regressions/<target>/. */
#include <dirent.h>
#include <stdio.h>

#include "fixtures/fixtures.h"
#include "fuzz_targets.h"
#include "test_util.h"

typedef struct fuzz_target {
    const char *name; /* also the directory of its corpus and regressions */
    int (*run)(const uint8_t *data, size_t size);
} fuzz_target;

static const fuzz_target targets[] = {
    {"idx", fuzz_idx},
    {"model_file", fuzz_model_file},
    {"tokenizer", fuzz_tokenizer},
    {"text", fuzz_text},
    {"estimator_file", fuzz_estimator_file},
};

/* Run every file of <source>/tests/fuzz/<kind>/<target>/; returns how many. */
static int replay_dir(const fuzz_target *t, const char *kind)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/%s/%s", getenv("NNL_SOURCE_ROOT"), kind, t->name);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        fixture_path(path, sizeof path, dir, e->d_name);
        size_t size = 0;
        unsigned char *bytes = fixture_read_file(path, &size);
        if (!bytes)
            fail_msg("cannot read %s", path);
        print_message("%s: %s (%zu bytes)\n", t->name, path, size);
        assert_int_equal(t->run(bytes, size), 0);
        free(bytes);
        count++;
    }
    closedir(d);
    return count;
}

static void replay(void **state)
{
    const fuzz_target *t = *state;
    assert_non_null(getenv("NNL_SOURCE_ROOT"));
    int seeds = replay_dir(t, "corpus");
    int crashes = replay_dir(t, "regressions");
    print_message("%s: %d seed inputs, %d regression inputs\n", t->name, seeds, crashes);
    assert_true(seeds > 0); /* every target has a seed corpus */
}

int main(void)
{
    test_check_simd_level();
    struct CMUnitTest tests[sizeof targets / sizeof targets[0]];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        tests[i] = (struct CMUnitTest){targets[i].name, replay, NULL, NULL, (void *)&targets[i]};
    return _cmocka_run_group_tests("fuzz replay", tests, sizeof tests / sizeof tests[0], NULL, NULL);
}
