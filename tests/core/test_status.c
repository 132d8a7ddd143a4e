/* Status strings, thread-local last error, log callback. */
#include <pthread.h>
#include <stdlib.h>

#include "test_util.h"

static void status_strings_are_stable(void **state)
{
    (void)state;
    assert_int_equal(NNL_E_INVALID_ARG, -1);
    assert_int_equal(NNL_E_NOMEM, -2);
    assert_int_equal(NNL_E_INTERNAL, -10);
    assert_string_equal(nnl_status_str(NNL_OK), "ok");
    assert_string_equal(nnl_status_str(NNL_E_SHAPE), "shape mismatch");
    assert_string_equal(nnl_status_str((nnl_status)-999), "unknown status");
}

static void last_error_is_never_null_and_names_the_call(void **state)
{
    (void)state;
    nnl_clear_error();
    assert_non_null(nnl_last_error());
    assert_string_equal(nnl_last_error(), "");
    nnl_tensor *t = NULL;
    int64_t dims[2] = {3, -4};
    assert_status_msg(nnl_tensor_create(&t, 2, dims), NNL_E_INVALID_ARG, "nnl_tensor_create: dims[1]=-4");
    assert_null(t);
}

static void *fail_in_thread(void *arg)
{
    (void)arg;
    nnl_set_num_threads(0);
    return (void *)(nnl_last_error()[0] != '\0' ? strstr(nnl_last_error(), "n=0") : NULL);
}

static void last_error_is_per_thread(void **state)
{
    (void)state;
    nnl_clear_error();
    pthread_t th;
    void *found = NULL;
    assert_int_equal(pthread_create(&th, NULL, fail_in_thread, NULL), 0);
    pthread_join(th, &found);
    assert_non_null(found);
    assert_string_equal(nnl_last_error(), ""); /* this thread saw nothing */
}

static int log_calls;
static void count_log(nnl_log_level level, const char *message, void *user)
{
    (void)message;
    if (level == NNL_LOG_ERROR && user == &log_calls)
        log_calls++;
}

static void log_callback_receives_errors(void **state)
{
    (void)state;
    nnl_set_log_callback(count_log, &log_calls);
    assert_int_equal(nnl_set_num_threads(-3), NNL_E_INVALID_ARG);
    nnl_set_log_callback(NULL, NULL);
    assert_int_equal(nnl_set_num_threads(-3), NNL_E_INVALID_ARG);
    assert_int_equal(log_calls, 1);
}

static void version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(nnl_version_string(), NNL_VERSION_STRING);
    assert_int_equal(nnl_version_number(), NNL_VERSION_NUMBER);
    assert_int_equal(nnl_abi_version(), NNL_ABI_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_strings_are_stable),
        cmocka_unit_test(last_error_is_never_null_and_names_the_call),
        cmocka_unit_test(last_error_is_per_thread),
        cmocka_unit_test(log_callback_receives_errors),
        cmocka_unit_test(version_matches_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
