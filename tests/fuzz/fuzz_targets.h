/* Fuzz target bodies. Each takes one input, drives one untrusted-input entry
 * of the library with it, and returns 0; it calls abort() when the library
 * breaks a promise that memory checkers cannot see (a failure without a
 * message, a success with a NULL result, a round trip that changes data).
 *
 * The same functions run under libFuzzer (libfuzzer_entry.c, one binary per
 * target) and in the unit test test_fuzz_replay.c, which replays the seed
 * corpora and every input that once crashed (tests/fuzz/regressions/). To
 * add a target: write fuzz_<name>.c, declare it here, list it in
 * test_fuzz_replay.c and in meson.build, and give it a corpus directory. */
#ifndef NNL_FUZZ_TARGETS_H
#define NNL_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int fuzz_idx(const uint8_t *data, size_t size);
int fuzz_model_file(const uint8_t *data, size_t size);
int fuzz_tokenizer(const uint8_t *data, size_t size);
int fuzz_text(const uint8_t *data, size_t size);
int fuzz_estimator_file(const uint8_t *data, size_t size);

/* A failed call must leave a message; abort() otherwise (shared helper). */
void fuzz_check_failure(int status);

#endif
