/* Runs every misuse case (see misuse.h) with stderr captured, and checks that
 * every exported symbol has one. */
#include <stdio.h>
#include <unistd.h>

#include "misuse.h"

static const misuse_case *const tables[] = {
    misuse_core_cases, misuse_tensor_cases, misuse_dataset_cases, misuse_layer_cases,
    misuse_model_cases, misuse_history_cases, misuse_optim_cases, misuse_text_cases, misuse_gpt_cases,
    misuse_estimator_cases, misuse_saliency_cases, misuse_input_check_cases, misuse_profile_cases,
};
enum { NUM_TABLES = sizeof tables / sizeof tables[0], MAX_CASES = 512 };

static const misuse_case *find_case(const char *symbol)
{
    for (int t = 0; t < NUM_TABLES; t++)
        for (const misuse_case *c = tables[t]; c->symbol; c++)
            if (strcmp(c->symbol, symbol) == 0)
                return c;
    return NULL;
}

/* ---- stderr capture: the library never prints (status.h) ---------------- */

static int saved_stderr = -1;
static FILE *captured;

static int capture_stderr(void **state)
{
    (void)state;
    fflush(stderr);
    captured = tmpfile();
    saved_stderr = dup(STDERR_FILENO);
    if (!captured || saved_stderr < 0 || dup2(fileno(captured), STDERR_FILENO) < 0)
        return -1;
    nnl_clear_error();
    return 0;
}

/* Restores stderr; anything written meanwhile fails the test and is shown.
 * (A failing assertion's own message lands here too, and is shown the same way.) */
static int check_stderr_empty(void **state)
{
    (void)state;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    long size = ftell(captured);
    if (size > 0) {
        char text[4096];
        rewind(captured);
        size_t n = fread(text, 1, sizeof text - 1, captured);
        text[n] = '\0';
        fprintf(stderr, "stderr during the test (%ld bytes):\n%s\n", size, text);
    }
    fclose(captured);
    return size > 0 ? -1 : 0;
}

/* ---- coverage: every exported symbol has a case ------------------------- */

static void every_exported_symbol_has_a_misuse_test(void **state)
{
    (void)state;
    const char *root = getenv("NNL_SOURCE_ROOT");
    assert_non_null(root);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/abi/symbols.txt", root);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    char line[256];
    int symbols = 0, missing = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        symbols++;
        if (!find_case(line)) {
            print_error("%s has no misuse test: add one to tests/misuse/misuse_<area>.c\n", line);
            missing++;
        }
    }
    fclose(f);
    assert_true(symbols > 100);
    assert_int_equal(missing, 0);
}

/* A case for a symbol that is not exported is a typo or a removed function. */
static int is_exported(const char *symbol)
{
    char path[4096], line[256];
    snprintf(path, sizeof path, "%s/tests/abi/symbols.txt", getenv("NNL_SOURCE_ROOT"));
    FILE *f = fopen(path, "r");
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        found = strcmp(line, symbol) == 0;
    }
    if (f)
        fclose(f);
    return found;
}

static void every_misuse_test_names_an_exported_symbol(void **state)
{
    (void)state;
    int stray = 0;
    for (int t = 0; t < NUM_TABLES; t++)
        for (const misuse_case *c = tables[t]; c->symbol; c++)
            if (!is_exported(c->symbol)) {
                print_error("misuse case %s: no such exported symbol\n", c->symbol);
                stray++;
            }
    assert_int_equal(stray, 0);
}

int main(void)
{
    test_check_simd_level();
    static struct CMUnitTest tests[MAX_CASES];
    size_t n = 0;
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(every_exported_symbol_has_a_misuse_test);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(every_misuse_test_names_an_exported_symbol);
    for (int t = 0; t < NUM_TABLES; t++)
        for (const misuse_case *c = tables[t]; c->symbol && n < MAX_CASES; c++)
            tests[n++] = (struct CMUnitTest){c->symbol, c->test, capture_stderr, check_stderr_empty, NULL};
    return _cmocka_run_group_tests("misuse", tests, n, NULL, NULL);
}
