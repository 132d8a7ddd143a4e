/* A fortune corpus without the entries of a test tsv (corpus_exclude.h).
 * The rules are scripts/make-classics-tsv.py's, which Python writes with
 * str.strip() and str.lstrip(): "spaces" are Unicode white space, as in
 * Python, since an attribution may be indented with U+3000. */
#include "common/corpus_exclude.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
    const char *at;
    size_t length;
} span;

/* A growable byte buffer. */
typedef struct buffer {
    char *data;
    size_t length, capacity;
} buffer;

static int append(buffer *b, const char *bytes, size_t n)
{
    if (b->length + n > b->capacity) {
        size_t capacity = 2 * (b->length + n) + 64;
        char *grown = realloc(b->data, capacity);
        if (!grown)
            return -1;
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, bytes, n);
    b->length += n;
    return 0;
}

/* The whole file, NUL-terminated; NULL with errno set. */
static char *read_file(const char *path, size_t *length)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buffer b = {NULL, 0, 0};
    char chunk[65536];
    size_t n;
    int out_of_memory = 0;
    while (!out_of_memory && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        out_of_memory = append(&b, chunk, n) != 0;
    out_of_memory = out_of_memory || append(&b, "", 1) != 0;
    const int failed = out_of_memory || ferror(f);
    fclose(f);
    if (failed) {
        free(b.data);
        errno = out_of_memory ? ENOMEM : EIO;
        return NULL;
    }
    *length = b.length - 1;
    return b.data;
}

/* Removes ANSI escapes in place: ESC, with a CSI sequence after it when one
 * follows ("ESC [ params intermediates final", the script's regex). */
static size_t strip_ansi(char *text, size_t length)
{
    size_t out = 0;
    for (size_t i = 0; i < length;) {
        if (text[i] != '\x1b') {
            text[out++] = text[i++];
            continue;
        }
        size_t j = i + 1;
        if (j < length && text[j] == '[') {
            size_t k = j + 1;
            while (k < length && text[k] >= 0x30 && text[k] <= 0x3f)
                k++;
            while (k < length && text[k] >= 0x20 && text[k] <= 0x2f)
                k++;
            if (k < length && text[k] >= 0x40 && text[k] <= 0x7e)
                j = k + 1;
        }
        i = j;
    }
    return out;
}

/* Bytes of the white-space character (Python's str.isspace) at s, or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (n >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x20)))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (n < 3 || (s[0] & 0xf0) != 0xe0)
        return 0;
    const unsigned code = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    return code == 0x1680 || (code >= 0x2000 && code <= 0x200a) || code == 0x2028 || code == 0x2029 ||
                   code == 0x202f || code == 0x205f || code == 0x3000 ? 3 : 0;
}

/* The line without its leading white space. */
static span skip_spaces(span line)
{
    size_t n;
    while ((n = space_at((const unsigned char *)line.at, line.length)) > 0) {
        line.at += n;
        line.length -= n;
    }
    return line;
}

/* line.strip() == "%" */
static int is_separator(span line)
{
    span rest = skip_spaces(line);
    if (rest.length < 1 || rest.at[0] != '%')
        return 0;
    rest.at++, rest.length--;
    return skip_spaces(rest).length == 0;
}

/* line.lstrip().startswith("--") */
static int is_attribution(span line)
{
    span rest = skip_spaces(line);
    return rest.length >= 2 && rest.at[0] == '-' && rest.at[1] == '-';
}

/* The tsv's text (after the first TAB) of each line. */
typedef struct text_set {
    span *texts;
    size_t count;
} text_set;

static int compare_spans(const void *a, const void *b)
{
    const span *x = a, *y = b;
    int c = memcmp(x->at, y->at, x->length < y->length ? x->length : y->length);
    return c != 0 ? c : (x->length > y->length) - (x->length < y->length);
}

/* The texts of the tsv in `data` (borrowed), sorted for lookup. */
static int read_texts(const char *data, size_t length, text_set *set)
{
    set->texts = malloc(sizeof(span) * (length / 2 + 1)); /* a line has at least a TAB and a newline */
    set->count = 0;
    if (!set->texts)
        return -1;
    for (const char *line = data, *end = data + length; line < end;) {
        const char *newline = memchr(line, '\n', (size_t)(end - line)), *stop = newline ? newline : end;
        const char *tab = memchr(line, '\t', (size_t)(stop - line));
        if (tab)
            set->texts[set->count++] = (span){tab + 1, (size_t)(stop - tab - 1)};
        line = stop + 1;
    }
    qsort(set->texts, set->count, sizeof(span), compare_spans);
    return 0;
}

/* "\n".join(lines without the attribution).strip("\n") into `raw`, then
 * escaped as the tsv writes it into `text`. Both empty when the entry has no
 * attribution (no tsv line comes from it). */
static int entry_text(const span *lines, size_t count, buffer *raw, buffer *text)
{
    raw->length = text->length = 0;
    size_t attribution = count;
    while (attribution > 0 && !is_attribution(lines[attribution - 1]))
        attribution--;
    if (attribution == 0)
        return 0;
    attribution--;
    for (size_t i = 0, joined = 0; i < count; i++) {
        if (i == attribution)
            continue;
        if ((joined++ > 0 && append(raw, "\n", 1) != 0) || append(raw, lines[i].at, lines[i].length) != 0)
            return -1;
    }
    size_t start = 0, end = raw->length;
    while (start < end && raw->data[start] == '\n')
        start++;
    while (end > start && raw->data[end - 1] == '\n')
        end--;
    for (size_t k = start; k < end; k++) {
        const char c = raw->data[k];
        const char *escaped = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : NULL;
        if (append(text, escaped ? escaped : &c, escaped ? 2 : 1) != 0)
            return -1;
    }
    return 0;
}

/* Buffers and counts of one pass over the corpus. */
typedef struct pass {
    const text_set *excluded;
    FILE *out;
    span *lines;            /* the entry being read */
    size_t count, capacity;
    buffer raw, text;
    int64_t dropped, kept;
} pass;

/* The entry in p->lines: dropped, or written as its lines and a "%" line. */
static int finish_entry(pass *p)
{
    if (entry_text(p->lines, p->count, &p->raw, &p->text) != 0)
        return -1;
    const span key = {p->text.data, p->text.length};
    if (p->text.length > 0 && bsearch(&key, p->excluded->texts, p->excluded->count, sizeof(span), compare_spans)) {
        p->dropped++;
    } else {
        for (size_t i = 0; i < p->count; i++)
            if (fwrite(p->lines[i].at, 1, p->lines[i].length, p->out) != p->lines[i].length ||
                fputc('\n', p->out) == EOF)
                return -1;
        if (fputs("%\n", p->out) == EOF)
            return -1;
        p->kept++;
    }
    p->count = 0;
    return 0;
}

static int add_line(pass *p, span line)
{
    if (p->count == p->capacity) {
        size_t capacity = 2 * p->capacity + 16;
        span *grown = realloc(p->lines, sizeof(span) * capacity);
        if (!grown)
            return -1;
        p->lines = grown;
        p->capacity = capacity;
    }
    p->lines[p->count++] = line;
    return 0;
}

/* Python's text.split("\n"), entries ended by "%" lines; a last entry
 * without one counts when it has a line that is not blank. */
static int run_pass(pass *p, const char *text, size_t length)
{
    int blank_tail = 1;
    for (size_t at = 0;;) {
        const char *newline = memchr(text + at, '\n', length - at);
        const span line = {text + at, newline ? (size_t)(newline - text) - at : length - at};
        if (is_separator(line)) {
            if (finish_entry(p) != 0)
                return -1;
            blank_tail = 1;
        } else {
            if (add_line(p, line) != 0)
                return -1;
            blank_tail = blank_tail && skip_spaces(line).length == 0;
        }
        if (!newline)
            break;
        at = (size_t)(newline - text) + 1;
    }
    return blank_tail ? 0 : finish_entry(p);
}

int corpus_exclude(const char *program, const char *corpus_path, const char *tsv_path, FILE *out,
                   int64_t *dropped, int64_t *kept)
{
    size_t corpus_length = 0, tsv_length = 0;
    char *corpus = read_file(corpus_path, &corpus_length);
    if (!corpus) {
        fprintf(stderr, "%s: cannot read %s: %s\n", program, corpus_path, strerror(errno));
        return -1;
    }
    char *tsv = read_file(tsv_path, &tsv_length);
    if (!tsv) {
        fprintf(stderr, "%s: cannot read %s: %s\n", program, tsv_path, strerror(errno));
        free(corpus);
        return -1;
    }
    text_set excluded;
    pass p = {&excluded, out, NULL, 0, 0, {NULL, 0, 0}, {NULL, 0, 0}, 0, 0};
    int rc = read_texts(tsv, tsv_length, &excluded);
    if (rc == 0)
        rc = run_pass(&p, corpus, strip_ansi(corpus, corpus_length));
    if (rc != 0)
        fprintf(stderr, "%s: excluding the lines of %s from %s: %s\n", program, tsv_path, corpus_path,
                ferror(out) ? "cannot write the corpus" : "out of memory");
    *dropped = p.dropped;
    *kept = p.kept;
    free(p.lines), free(p.raw.data), free(p.text.data), free(excluded.texts);
    free(tsv), free(corpus);
    return rc;
}
