/* Status names, the thread-local last error and the optional log callback. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ERROR_MESSAGE_CAPACITY = 512 };

static _Thread_local char last_error[ERROR_MESSAGE_CAPACITY];

/* The callback pair is written once by the user before threads start (documented). */
static nnl_log_fn log_fn;
static void *log_user;

const char *nnl_status_str(nnl_status status)
{
    switch (status) {
    case NNL_OK: return "ok";
    case NNL_E_INVALID_ARG: return "invalid argument";
    case NNL_E_NOMEM: return "out of memory";
    case NNL_E_IO: return "input/output error";
    case NNL_E_FORMAT: return "malformed data";
    case NNL_E_SHAPE: return "shape mismatch";
    case NNL_E_STATE: return "invalid state";
    case NNL_E_NUMERIC: return "numeric error (NaN or infinity)";
    case NNL_E_UNSUPPORTED: return "unsupported";
    case NNL_E_CANCELLED: return "cancelled";
    case NNL_E_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *nnl_last_error(void) { return last_error; }

void nnl_clear_error(void) { last_error[0] = '\0'; }

void nnl_set_log_callback(nnl_log_fn fn, void *user)
{
    log_fn = fn;
    log_user = user;
}

nnl_status nnl_error(nnl_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    if (log_fn)
        log_fn(NNL_LOG_ERROR, last_error, log_user);
    return status;
}

nnl_status nnl_error_rethrow(nnl_status status, const char *prefix)
{
    char previous[ERROR_MESSAGE_CAPACITY];
    snprintf(previous, sizeof previous, "%s", last_error);
    return nnl_error(status, "%s: %s", prefix, previous);
}

nnl_status nnl_error_in(nnl_status status, const char *who)
{
    size_t n = strlen(who);
    if (status == NNL_OK || (strncmp(last_error, who, n) == 0 && last_error[n] == ':'))
        return status;
    return nnl_error_rethrow(status, who);
}

void nnl_log(nnl_log_level level, const char *fmt, ...)
{
    if (!log_fn)
        return;
    char message[ERROR_MESSAGE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    log_fn(level, message, log_user);
}
