/* Strict recursive-descent JSON parser with a depth limit. Every failure
 * path frees what was built so far; the input is never trusted. */
#include "io/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

enum { JSON_MAX_DEPTH = 64 };

typedef struct parser {
    const char *text;
    size_t length;
    size_t pos;
    const char *label;
    nnl_status status;
} parser;

static int fail(parser *p, nnl_status status, const char *reason)
{
    if (p->status == NNL_OK)
        p->status = nnl_error(status, "%s: JSON error at byte %zu: %s", p->label, p->pos, reason);
    return 0;
}

static void skip_space(parser *p)
{
    while (p->pos < p->length) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int peek(parser *p) { return p->pos < p->length ? (unsigned char)p->text[p->pos] : -1; }

static int expect_word(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->length - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return fail(p, NNL_E_FORMAT, "unexpected token");
    p->pos += n;
    return 1;
}

static int hex4(parser *p, unsigned *out)
{
    if (p->length - p->pos < 4)
        return fail(p, NNL_E_FORMAT, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->text[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(p, NNL_E_FORMAT, "bad hex digit in \\u escape");
    }
    *out = v;
    return 1;
}

static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes an escape after the backslash into out; returns bytes written or 0. */
static size_t parse_escape(parser *p, char *out)
{
    if (p->pos >= p->length)
        return (size_t)fail(p, NNL_E_FORMAT, "truncated escape");
    char c = p->text[p->pos++];
    switch (c) {
    case '"': case '\\': case '/': out[0] = c; return 1;
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: return (size_t)fail(p, NNL_E_FORMAT, "unknown escape");
    }
    unsigned cp;
    if (!hex4(p, &cp))
        return 0;
    if (cp >= 0xD800 && cp < 0xDC00) {
        unsigned low;
        if (p->length - p->pos < 2 || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u')
            return (size_t)fail(p, NNL_E_FORMAT, "unpaired surrogate");
        p->pos += 2;
        if (!hex4(p, &low) || low < 0xDC00 || low > 0xDFFF)
            return (size_t)fail(p, NNL_E_FORMAT, "bad low surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return (size_t)fail(p, NNL_E_FORMAT, "unpaired surrogate");
    }
    if (cp == 0)
        return (size_t)fail(p, NNL_E_FORMAT, "NUL in string");
    return utf8_encode(cp, out);
}

/* A decoded string is never longer than its source, so one allocation of the
 * source length suffices. */
static int parse_string(parser *p, char **out)
{
    p->pos++; /* opening quote */
    size_t start = p->pos, end = start;
    while (end < p->length && p->text[end] != '"')
        end += p->text[end] == '\\' ? 2 : 1;
    if (end >= p->length)
        return fail(p, NNL_E_FORMAT, "unterminated string");
    char *s = nnl_alloc(end - start + 1);
    if (!s)
        return fail(p, NNL_E_NOMEM, "out of memory");
    size_t n = 0;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c < 0x20 || c == 0) {
            nnl_dealloc(s);
            return fail(p, NNL_E_FORMAT, "control character in string");
        }
        if (c == '\\') {
            p->pos++;
            size_t w = parse_escape(p, s + n);
            if (!w) {
                nnl_dealloc(s);
                return 0;
            }
            n += w;
        } else {
            s[n++] = (char)c;
            p->pos++;
        }
    }
    p->pos = end + 1;
    s[n] = '\0';
    *out = s;
    return 1;
}

static int parse_number(parser *p, double *out)
{
    size_t start = p->pos;
    if (peek(p) == '-') p->pos++;
    if (peek(p) < '0' || peek(p) > '9') return fail(p, NNL_E_FORMAT, "bad number");
    while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    if (peek(p) == '.') {
        p->pos++;
        if (peek(p) < '0' || peek(p) > '9') return fail(p, NNL_E_FORMAT, "bad number");
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') p->pos++;
        if (peek(p) < '0' || peek(p) > '9') return fail(p, NNL_E_FORMAT, "bad number");
        while (peek(p) >= '0' && peek(p) <= '9') p->pos++;
    }
    char buf[64];
    size_t n = p->pos - start;
    if (n >= sizeof buf)
        return fail(p, NNL_E_FORMAT, "number too long");
    memcpy(buf, p->text + start, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    if (!isfinite(*out))
        return fail(p, NNL_E_FORMAT, "number out of range");
    return 1;
}

static int parse_value(parser *p, nnl_json *v, int depth);

/* Appends one slot to a growing array/object; returns the new item. */
static nnl_json *grow(parser *p, nnl_json *v, size_t *capacity, int with_key)
{
    if (v->count == *capacity) {
        size_t cap = *capacity ? *capacity * 2 : 4;
        nnl_json *items = nnl_alloc_zeroed(cap * sizeof *items);
        char **keys = with_key ? nnl_alloc_zeroed(cap * sizeof *keys) : NULL;
        if (!items || (with_key && !keys)) {
            nnl_dealloc(items);
            nnl_dealloc(keys);
            fail(p, NNL_E_NOMEM, "out of memory");
            return NULL;
        }
        if (v->count) {
            memcpy(items, v->items, v->count * sizeof *items);
            if (with_key)
                memcpy(keys, v->keys, v->count * sizeof *keys);
        }
        nnl_dealloc(v->items);
        nnl_dealloc(v->keys);
        v->items = items;
        v->keys = keys;
        *capacity = cap;
    }
    return &v->items[v->count];
}

static int parse_container(parser *p, nnl_json *v, int depth, int is_object)
{
    char close = is_object ? '}' : ']';
    v->kind = is_object ? NNL_JSON_OBJECT : NNL_JSON_ARRAY;
    size_t capacity = 0;
    p->pos++;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
        return 1;
    }
    for (;;) {
        skip_space(p);
        nnl_json *item = grow(p, v, &capacity, is_object);
        if (!item)
            return 0;
        if (is_object) {
            if (peek(p) != '"')
                return fail(p, NNL_E_FORMAT, "expected a key string");
            if (!parse_string(p, &v->keys[v->count]))
                return 0;
            skip_space(p);
            if (peek(p) != ':') {
                v->count++; /* so the key is freed */
                return fail(p, NNL_E_FORMAT, "expected ':'");
            }
            p->pos++;
        }
        memset(item, 0, sizeof *item);
        int ok = parse_value(p, item, depth + 1);
        v->count++;
        if (!ok)
            return 0;
        skip_space(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == close) {
            p->pos++;
            return 1;
        }
        return fail(p, NNL_E_FORMAT, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *p, nnl_json *v, int depth)
{
    if (depth > JSON_MAX_DEPTH)
        return fail(p, NNL_E_FORMAT, "nesting too deep");
    skip_space(p);
    switch (peek(p)) {
    case '{': return parse_container(p, v, depth, 1);
    case '[': return parse_container(p, v, depth, 0);
    case '"': v->kind = NNL_JSON_STRING; return parse_string(p, &v->string);
    case 't': v->kind = NNL_JSON_BOOL; v->number = 1; return expect_word(p, "true");
    case 'f': v->kind = NNL_JSON_BOOL; return expect_word(p, "false");
    case 'n': v->kind = NNL_JSON_NULL; return expect_word(p, "null");
    case -1: return fail(p, NNL_E_FORMAT, "unexpected end");
    default: v->kind = NNL_JSON_NUMBER; return parse_number(p, &v->number);
    }
}

static void free_contents(nnl_json *v)
{
    for (size_t i = 0; i < v->count; i++) {
        free_contents(&v->items[i]);
        if (v->keys)
            nnl_dealloc(v->keys[i]);
    }
    nnl_dealloc(v->items);
    nnl_dealloc(v->keys);
    nnl_dealloc(v->string);
}

void nnl_json_free(nnl_json *value)
{
    if (!value)
        return;
    free_contents(value);
    nnl_dealloc(value);
}

nnl_status nnl_json_parse(nnl_json **out, const char *text, size_t length, const char *label)
{
    *out = NULL;
    parser p = {text, length, 0, label, NNL_OK};
    nnl_json *root = nnl_alloc_zeroed(sizeof *root);
    if (!root)
        return nnl_error(NNL_E_NOMEM, "%s: out of memory parsing JSON", label);
    if (parse_value(&p, root, 0)) {
        skip_space(&p);
        if (p.pos != length)
            fail(&p, NNL_E_FORMAT, "trailing characters");
    }
    if (p.status != NNL_OK) {
        nnl_json_free(root);
        return p.status;
    }
    *out = root;
    return NNL_OK;
}

const nnl_json *nnl_json_get(const nnl_json *object, const char *key)
{
    if (!object || object->kind != NNL_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (strcmp(object->keys[i], key) == 0)
            return &object->items[i];
    return NULL;
}

int nnl_json_int(const nnl_json *number, int64_t min, int64_t max, int64_t *out)
{
    if (!number || number->kind != NNL_JSON_NUMBER)
        return 0;
    double d = number->number;
    if (d != floor(d) || d < (double)min || d > (double)max)
        return 0;
    *out = (int64_t)d;
    return 1;
}
