/* Internal: setting the thread-local last error and logging. */
#ifndef NNL_CORE_ERROR_H
#define NNL_CORE_ERROR_H

#include <stddef.h>

#include "nnlite/status.h"

#if defined(__GNUC__)
#  define NNL_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define NNL_PRINTF(fmt_index, first_arg)
#endif

/* Record a formatted message as this thread's last error, send it to the log
 * callback, and return `status` so that callers can write
 *     return nnl_error(NNL_E_SHAPE, "dense: input has %lld features", n); */
nnl_status nnl_error(nnl_status status, const char *fmt, ...) NNL_PRINTF(2, 3);

/* Re-raise the current last error as `status`, prefixed with "<prefix>: ". */
nnl_status nnl_error_rethrow(nnl_status status, const char *prefix);

/* When `status` is a failure, make the current message name the public
 * function `who`: prefix "<who>: " unless the message already starts with it
 * (internal helpers name themselves or a path). Returns `status`, so that
 *     return nnl_error_in(helper(...), "nnl_model_load");
 * reads naturally; NNL_OK passes through untouched. */
nnl_status nnl_error_in(nnl_status status, const char *who);

/* Send a message to the log callback, if any. */
void nnl_log(nnl_log_level level, const char *fmt, ...) NNL_PRINTF(2, 3);

/* Return early from the calling function when `expr` is not NNL_OK. */
#define NNL_TRY(expr)                     \
    do {                                  \
        nnl_status nnl_try_s_ = (expr);   \
        if (nnl_try_s_ != NNL_OK)         \
            return nnl_try_s_;            \
    } while (0)

/* Check a pointer argument; `fn` names the public function in the message. */
#define NNL_CHECK_PTR(fn, ptr)                                                  \
    do {                                                                        \
        if ((ptr) == NULL)                                                      \
            return nnl_error(NNL_E_INVALID_ARG, "%s: %s is NULL", fn, #ptr);     \
    } while (0)

#endif
