/* Internal: a small, strict JSON parser for untrusted input (safetensors
 * headers, architecture metadata). Limits: nesting depth 64; the caller
 * bounds the input size. Strings may hold any UTF-8 except NUL. */
#ifndef NNL_IO_JSON_H
#define NNL_IO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "nnlite/status.h"

typedef enum nnl_json_kind {
    NNL_JSON_NULL,
    NNL_JSON_BOOL,
    NNL_JSON_NUMBER,
    NNL_JSON_STRING,
    NNL_JSON_ARRAY,
    NNL_JSON_OBJECT
} nnl_json_kind;

typedef struct nnl_json nnl_json;
struct nnl_json {
    nnl_json_kind kind;
    double number;      /* NUMBER; BOOL as 0/1 */
    char *string;       /* STRING (NUL-terminated, decoded) */
    size_t count;       /* ARRAY/OBJECT entries */
    nnl_json *items;    /* ARRAY/OBJECT values */
    char **keys;        /* OBJECT keys, parallel to items */
};

/* Parse `length` bytes. On failure returns NNL_E_FORMAT with a message
 * "<label>: JSON error at byte N: reason". The whole text must be one value. */
nnl_status nnl_json_parse(nnl_json **out, const char *text, size_t length, const char *label);
void nnl_json_free(nnl_json *value);

/* Object member lookup (first match), or NULL. */
const nnl_json *nnl_json_get(const nnl_json *object, const char *key);
/* Integer value of `number` if it is integral and in [min, max]. */
int nnl_json_int(const nnl_json *number, int64_t min, int64_t max, int64_t *out);

#endif
