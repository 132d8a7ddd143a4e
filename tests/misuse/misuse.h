/* API misuse tests: one test per exported function, named after it.
 *
 * Each area of the API (one public header) has a file misuse_<area>.c with a
 * table of cases, {"nnl_function", test}. test_misuse.c runs every case with
 * the process's stderr captured (the library must print nothing) and fails
 * when an exported symbol (tests/abi/symbols.txt) has no case, so a new
 * public function cannot ship without its misuse test: add a static test
 * function and a MISUSE_CASE line to the table of its header's area. */
#ifndef NNL_TEST_MISUSE_H
#define NNL_TEST_MISUSE_H

#include "test_util.h"

typedef struct misuse_case {
    const char *symbol;            /* the exported function this case misuses */
    void (*test)(void **state);
} misuse_case;

/* {"nnl_x", misuse_nnl_x}: the test function is named after the symbol. */
#define MISUSE_CASE(fn) {#fn, misuse_##fn}

/* The call fn(args...) fails with `status` and the message names fn. */
#define expect_misuse(status, fn, ...) assert_status_msg(fn(__VA_ARGS__), status, #fn)

/* Tables, each ended by {NULL, NULL}. */
extern const misuse_case misuse_core_cases[];
extern const misuse_case misuse_tensor_cases[];
extern const misuse_case misuse_dataset_cases[];
extern const misuse_case misuse_layer_cases[];
extern const misuse_case misuse_model_cases[];
extern const misuse_case misuse_history_cases[];
extern const misuse_case misuse_optim_cases[];
extern const misuse_case misuse_text_cases[];
extern const misuse_case misuse_gpt_cases[];
extern const misuse_case misuse_estimator_cases[];
extern const misuse_case misuse_saliency_cases[];
extern const misuse_case misuse_input_check_cases[];
extern const misuse_case misuse_profile_cases[];

#endif
