/* Internal: reading and writing the public sized option structs.
 *
 * A sized option struct (docs/versioning.md) has `size_t struct_size` as its
 * first member, a name ending in _config or _options (_info or _report for
 * one the library only writes), and an _INIT macro.
 * Programs built against an older nnlite pass a smaller struct, programs
 * built against a newer one a larger struct. The rules, the same for every
 * such struct:
 *
 * - struct_size below the struct's size in the first release that had it
 *   (its minimum) is rejected: it is not a version of this struct;
 * - struct_size from the minimum up to today's sizeof is accepted: the
 *   members past struct_size take their documented defaults (the _INIT
 *   values);
 * - struct_size larger than today's sizeof is accepted only when every byte
 *   past today's sizeof (members of a newer nnlite that this one does not
 *   know) is zero, and only up to NNL_OPTIONS_MAX_SIZE bytes (a larger value
 *   is an uninitialised struct_size, not a struct).
 *
 * Rejections are NNL_E_INVALID_ARG with a message that names the calling
 * function, the struct and its _INIT macro.
 *
 * Use (a new struct only needs its minimum and these calls):
 *
 *     #define MY_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_my_options, last_member_of_first_release)
 *
 *     nnl_my_options o;   // full size, today's layout
 *     NNL_TRY(NNL_OPTIONS_READ(nnl_my_options, NNL_MY_OPTIONS_INIT, MY_OPTIONS_MIN_SIZE, &o, caller, who));
 *     // use o, never *caller
 */
#ifndef NNL_CORE_OPTIONS_H
#define NNL_CORE_OPTIONS_H

#include <stddef.h>

#include "nnlite/status.h"

/* The largest struct_size accepted from any caller. */
#define NNL_OPTIONS_MAX_SIZE ((size_t)4096)

/* The size of `type` up to and including `member`: the minimum struct_size
 * when `member` was the last member of the struct's first release. */
#define NNL_OPTIONS_SIZE_UNTIL(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The minimum struct_size of each public sized struct: its size in the first
 * release that had it (NNL_OPTIONS_SIZE_UNTIL its last member then). Every
 * struct below first shipped in 0.1.0 and has not grown since, so each
 * minimum is today's size. When a struct grows, its line stays as it is. */
#define NNL_GPT_CONFIG_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_gpt_config, seed)
#define NNL_GPT_TRAIN_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_gpt_train_options, user)
#define NNL_GPT_GENERATE_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_gpt_generate_options, seed)
/* New in the release after 0.1.0 (the one model stack). */
#define NNL_FIT_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_fit_options, threads)
#define NNL_GENERATE_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_generate_options, seed)
#define NNL_RNN_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_rnn_options, learn_initial_state)
#define NNL_CPU_INFO_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_cpu_info, gemm_nc)
/* New with multi-label classification: an output struct (nnl_options_write). */
#define NNL_MULTILABEL_REPORT_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_multilabel_report, macro_f1)
/* New with saliency and the input check (include/nnlite/saliency.h, input_check.h). */
#define NNL_OCCLUSION_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_occlusion_options, batch_size)
#define NNL_INPUT_CHECK_OPTIONS_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_input_check_options, min_confidence)
#define NNL_INPUT_REPORT_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_input_report, ink)
/* New with the profiler: an output struct. */
#define NNL_PROFILE_ROW_INFO_MIN_SIZE NNL_OPTIONS_SIZE_UNTIL(nnl_profile_row_info, step_share)

/* Describes one sized option struct to the functions below. */
typedef struct nnl_options_type {
    const char *name;     /* "nnl_gpt_config", for messages */
    const char *init;     /* "NNL_GPT_CONFIG_INIT", for messages */
    size_t size;          /* today's sizeof */
    size_t min_size;      /* the first release's size, <= size */
    const void *defaults; /* a struct of today's size holding the _INIT values */
} nnl_options_type;

/* Check the caller's struct `in` (whose first member is its struct_size)
 * against the rules above and copy it into `out`, a struct of type->size
 * bytes: `out` starts as type->defaults, then receives the caller's first
 * min(struct_size, type->size) bytes, and its struct_size is set to
 * type->size. `who` names the public function in the message. On failure
 * `out` holds the defaults. `in` must not be NULL. */
nnl_status nnl_options_read(const nnl_options_type *type, void *out, const void *in, const char *who);

/* Check the caller's output struct `out` (its struct_size set by the caller)
 * and write `value` (a struct of type->size bytes) into it: only the first
 * min(struct_size, type->size) bytes are written, struct_size keeps the
 * caller's value, and bytes past type->size stay as the caller set them.
 * Sizes below the minimum or above NNL_OPTIONS_MAX_SIZE are rejected, a
 * larger struct's tail need not be zero. `out` must not be NULL. */
nnl_status nnl_options_write(const nnl_options_type *type, void *out, const void *value, const char *who);

/* Convenience: nnl_options_read() for `type`, with its _INIT macro `init`
 * as the defaults and in the message. */
#define NNL_OPTIONS_READ(type, init, min_size, out, in, who)                                           \
    nnl_options_read(&(const nnl_options_type){#type, #init, sizeof(type), (min_size), &(const type)init}, \
                     (out), (in), (who))

/* Convenience: nnl_options_write() for `type`. */
#define NNL_OPTIONS_WRITE(type, init, min_size, out, value, who)                                        \
    nnl_options_write(&(const nnl_options_type){#type, #init, sizeof(type), (min_size), &(const type)init}, \
                      (out), (value), (who))

#endif
