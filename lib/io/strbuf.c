/* Growable string buffer with sticky allocation failure. */
#include "io/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

void nnl_strbuf_init(nnl_strbuf *b) { memset(b, 0, sizeof *b); }

void nnl_strbuf_free(nnl_strbuf *b)
{
    nnl_dealloc(b->data);
    nnl_strbuf_init(b);
}

static int reserve(nnl_strbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->length + extra + 1 <= b->capacity)
        return 1;
    size_t capacity = b->capacity ? b->capacity : 256;
    while (capacity < b->length + extra + 1) {
        if (capacity > ((size_t)1 << 40)) {
            b->failed = 1;
            return 0;
        }
        capacity *= 2;
    }
    char *data = nnl_alloc(capacity);
    if (!data) {
        b->failed = 1;
        return 0;
    }
    if (b->length)
        memcpy(data, b->data, b->length);
    data[b->length] = '\0';
    nnl_dealloc(b->data);
    b->data = data;
    b->capacity = capacity;
    return 1;
}

void nnl_strbuf_append(nnl_strbuf *b, const char *text, size_t length)
{
    if (!reserve(b, length))
        return;
    memcpy(b->data + b->length, text, length);
    b->length += length;
    b->data[b->length] = '\0';
}

void nnl_strbuf_puts(nnl_strbuf *b, const char *text) { nnl_strbuf_append(b, text, strlen(text)); }

void nnl_strbuf_printf(nnl_strbuf *b, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int needed = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (needed >= 0 && reserve(b, (size_t)needed)) {
        vsnprintf(b->data + b->length, (size_t)needed + 1, fmt, args);
        b->length += (size_t)needed;
    }
    va_end(args);
}

void nnl_strbuf_json_string(nnl_strbuf *b, const char *text)
{
    nnl_strbuf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            nnl_strbuf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            nnl_strbuf_printf(b, "\\u%04x", *p);
        else
            nnl_strbuf_append(b, (const char *)p, 1);
    }
    nnl_strbuf_puts(b, "\"");
}

nnl_status nnl_strbuf_status(const nnl_strbuf *b, const char *who)
{
    if (b->failed)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory building a string", who);
    return NNL_OK;
}
