/* Internal: a growable NUL-terminated string buffer (for JSON headers and
 * summaries). Errors are sticky: after a failed allocation every append is a
 * no-op and nnl_strbuf_status() reports NNL_E_NOMEM once at the end. */
#ifndef NNL_IO_STRBUF_H
#define NNL_IO_STRBUF_H

#include <stddef.h>

#include "core/error.h"

typedef struct nnl_strbuf {
    char *data;
    size_t length;
    size_t capacity;
    int failed;
} nnl_strbuf;

void nnl_strbuf_init(nnl_strbuf *b);
void nnl_strbuf_free(nnl_strbuf *b);
void nnl_strbuf_append(nnl_strbuf *b, const char *text, size_t length);
void nnl_strbuf_puts(nnl_strbuf *b, const char *text);
void nnl_strbuf_printf(nnl_strbuf *b, const char *fmt, ...) NNL_PRINTF(2, 3);
/* Append `text` as a JSON string literal with quotes and escapes. */
void nnl_strbuf_json_string(nnl_strbuf *b, const char *text);
/* NNL_OK, or NNL_E_NOMEM (with a message naming `who`) after a failed append. */
nnl_status nnl_strbuf_status(const nnl_strbuf *b, const char *who);

#endif
