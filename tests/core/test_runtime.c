/* Threads setting and SIMD level selection. */
#include <stdlib.h>

#include "test_util.h"

static void threads_default_to_cores_and_can_be_set(void **state)
{
    (void)state;
    assert_true(nnl_get_num_threads() >= 1);
    assert_ok(nnl_set_num_threads(3));
    assert_int_equal(nnl_get_num_threads(), 3);
    assert_status_msg(nnl_set_num_threads(0), NNL_E_INVALID_ARG, "n=0");
    assert_status_msg(nnl_set_num_threads(5000), NNL_E_INVALID_ARG, "n=5000");
    assert_int_equal(nnl_get_num_threads(), 3);
}

static void simd_level_follows_environment(void **state)
{
    (void)state;
    const char *forced = getenv("NNL_SIMD");
    nnl_simd level = nnl_simd_level();
    assert_string_not_equal(nnl_simd_name(level), "unknown");
    if (forced)
        assert_string_equal(nnl_simd_name(level), forced);
    assert_string_equal(nnl_simd_name((nnl_simd)77), "unknown");
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_default_to_cores_and_can_be_set),
        cmocka_unit_test(simd_level_follows_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
