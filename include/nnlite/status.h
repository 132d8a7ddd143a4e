/**
 * @file nnlite/status.h
 * @brief Status codes, the thread-local last error and the optional log callback.
 *
 * @defgroup status Status and errors
 * Every fallible nnlite call returns an ::nnl_status. On failure, a message
 * naming the function and the values involved is available from
 * nnl_last_error() on the same thread until the next failing call.
 * @{
 */
#ifndef NNLITE_STATUS_H
#define NNLITE_STATUS_H

#include "export.h"

NNL_BEGIN_DECLS

/** Result of a fallible call. The numeric values are fixed forever. */
typedef enum nnl_status {
    NNL_OK = 0,                 /**< Success. */
    NNL_E_INVALID_ARG = -1,     /**< A NULL pointer, out-of-range value or bad option. */
    NNL_E_NOMEM = -2,           /**< An allocation failed or a size would overflow. */
    NNL_E_IO = -3,              /**< A file could not be opened, read, written or renamed. */
    NNL_E_FORMAT = -4,          /**< A file or buffer is malformed, truncated or hostile. */
    NNL_E_SHAPE = -5,           /**< Tensor shapes do not agree. */
    NNL_E_STATE = -6,           /**< The call is not valid in the object's current state. */
    NNL_E_NUMERIC = -7,         /**< A NaN or infinity appeared (loss, weights or input). */
    NNL_E_UNSUPPORTED = -8,     /**< The operation is not supported for this object. */
    NNL_E_CANCELLED = -9,       /**< A user callback asked to stop. */
    NNL_E_INTERNAL = -10        /**< A bug in nnlite; please report it. */
} nnl_status;

/**
 * @brief Short, static English name of a status, e.g. "invalid argument".
 * @param status any value; unknown values give "unknown status".
 * @return a static string, never NULL. Thread-safe.
 */
NNL_API const char *nnl_status_str(nnl_status status);

/**
 * @brief The message of the last failing call on this thread.
 * @return a thread-local string, never NULL ("" when no call has failed). It
 *         stays valid until the next nnlite call on the same thread.
 */
NNL_API const char *nnl_last_error(void);

/** @brief Reset this thread's last error message to "". */
NNL_API void nnl_clear_error(void);

/** Severity passed to an ::nnl_log_fn. */
typedef enum nnl_log_level {
    NNL_LOG_DEBUG = 0,  /**< Detail useful when debugging nnlite itself. */
    NNL_LOG_INFO = 1,   /**< Informational messages. */
    NNL_LOG_WARN = 2,   /**< Something unexpected that did not fail the call. */
    NNL_LOG_ERROR = 3   /**< A failing call; the same text as nnl_last_error(). */
} nnl_log_level;

/**
 * @brief Log callback.
 * @param level   severity of the message.
 * @param message a NUL-terminated message, borrowed for the duration of the call.
 * @param user    the pointer given to nnl_set_log_callback().
 */
typedef void (*nnl_log_fn)(nnl_log_level level, const char *message, void *user);

/**
 * @brief Install (or with NULL remove) a process-wide log callback.
 *
 * nnlite never prints by itself; messages go to this callback only. It may be
 * called from any thread that runs nnlite code, so it must be thread-safe.
 * Set it before other threads use the library.
 * @param fn   the callback, or NULL for none (the default).
 * @param user passed back to @p fn unchanged.
 */
NNL_API void nnl_set_log_callback(nnl_log_fn fn, void *user);

NNL_END_DECLS

#endif
/** @} */
