/* The profiler's table: the recorded events grouped by name, kind and
 * phase, sorted by total time, and its text (contract: nnlite/profile.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/profile.h"

struct nnl_profile_table {
    nnl_profile_row_info *rows;
    int64_t count;
    int64_t steps, dropped;
    double step_ms;
};

/* The fields that make an event's name, kind and phase: events equal in
 * all of them go to one row. Names are compared by pointer first (a layer
 * type's name or a literal), which groups without building strings. */
static int compare_key(const void *pa, const void *pb)
{
    const nnl_profile_event *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->phase != b->phase)
        return a->phase < b->phase ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    for (int i = 0; i < NNL_PROFILE_OUTER; i++) {
        c = strcmp(a->outer[i] ? a->outer[i] : "", b->outer[i] ? b->outer[i] : "");
        if (c)
            return c;
        if (a->outer_index[i] != b->outer_index[i])
            return a->outer_index[i] < b->outer_index[i] ? -1 : 1;
    }
    return a->index < b->index ? -1 : a->index > b->index;
}

static int compare_total(const void *pa, const void *pb)
{
    const nnl_profile_row_info *a = pa, *b = pb;
    if (a->total_ms != b->total_ms)
        return a->total_ms > b->total_ms ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* What "the step" is for the share column: the fit.step events, or every
 * outermost event of a caller's thread when fit did not run. */
static double step_total_ms(const nnl_profile_record *r, int64_t *steps)
{
    double step = 0, outermost = 0;
    *steps = 0;
    for (int64_t i = 0; i < r->count; i++) {
        const nnl_profile_event *e = &r->events[i];
        if (e->kind == NNL_PROFILE_STEP) {
            step += (double)e->dur_ns;
            ++*steps;
        }
        if (e->depth == 0 && e->kind != NNL_PROFILE_POOL_TASK)
            outermost += (double)e->dur_ns;
    }
    return 1e-6 * (*steps > 0 ? step : outermost);
}

static void finish_row(nnl_profile_row_info *row, double step_ms)
{
    row->gflops_per_s = row->flops > 0 && row->total_ms > 0 ? row->flops / (row->total_ms * 1e6) : 0;
    row->step_share = step_ms > 0 ? row->total_ms / step_ms : 0;
}

static void group_rows(nnl_profile_table *t, nnl_profile_record *r)
{
    qsort(r->events, (size_t)r->count, sizeof *r->events, compare_key);
    for (int64_t i = 0; i < r->count; i++) {
        const nnl_profile_event *e = &r->events[i];
        if (i == 0 || compare_key(e, e - 1) != 0) {
            nnl_profile_row_info *row = &t->rows[t->count++];
            *row = (nnl_profile_row_info)NNL_PROFILE_ROW_INFO_INIT;
            nnl_profile_event_name(e, row->name, sizeof row->name);
            row->kind = (nnl_profile_kind)e->kind;
            row->phase = (nnl_profile_phase)e->phase;
        }
        nnl_profile_row_info *row = &t->rows[t->count - 1];
        row->calls++;
        row->total_ms += 1e-6 * (double)e->dur_ns;
        row->self_ms += 1e-6 * (double)e->self_ns;
        row->flops += e->flops;
    }
    for (int64_t i = 0; i < t->count; i++)
        finish_row(&t->rows[i], t->step_ms);
    qsort(t->rows, (size_t)t->count, sizeof *t->rows, compare_total);
}

nnl_status nnl_profile_table_create(nnl_profile_table **out)
{
    NNL_CHECK_PTR("nnl_profile_table_create", out);
    *out = NULL;
    nnl_profile_record r;
    NNL_TRY(nnl_profile_record_take(&r, "nnl_profile_table_create"));
    nnl_profile_table *t = nnl_alloc_zeroed(sizeof *t);
    nnl_profile_row_info *rows = nnl_alloc((size_t)(r.count > 0 ? r.count : 1) * sizeof *rows);
    if (!t || !rows) {
        nnl_dealloc(t);
        nnl_dealloc(rows);
        nnl_profile_record_release(&r);
        return nnl_error(NNL_E_NOMEM, "nnl_profile_table_create: out of memory for %lld events", (long long)r.count);
    }
    t->rows = rows;
    t->dropped = r.dropped;
    t->step_ms = step_total_ms(&r, &t->steps);
    group_rows(t, &r);
    nnl_profile_record_release(&r);
    *out = t;
    return NNL_OK;
}

void nnl_profile_table_free(nnl_profile_table *table)
{
    if (!table)
        return;
    nnl_dealloc(table->rows);
    nnl_dealloc(table);
}

int64_t nnl_profile_table_count(const nnl_profile_table *table) { return table ? table->count : 0; }

nnl_status nnl_profile_table_row(const nnl_profile_table *table, int64_t i, nnl_profile_row_info *row)
{
    NNL_CHECK_PTR("nnl_profile_table_row", table);
    NNL_CHECK_PTR("nnl_profile_table_row", row);
    if (i < 0 || i >= table->count)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_profile_table_row: row %lld of a table of %lld", (long long)i,
                         (long long)table->count);
    return NNL_OPTIONS_WRITE(nnl_profile_row_info, NNL_PROFILE_ROW_INFO_INIT, NNL_PROFILE_ROW_INFO_MIN_SIZE, row, &table->rows[i],
                             "nnl_profile_table_row");
}

nnl_status nnl_profile_table_totals(const nnl_profile_table *table, int64_t *steps, double *step_ms,
                                    int64_t *dropped)
{
    NNL_CHECK_PTR("nnl_profile_table_totals", table);
    if (steps)
        *steps = table->steps;
    if (step_ms)
        *step_ms = table->step_ms;
    if (dropped)
        *dropped = table->dropped;
    return NNL_OK;
}

/* Text appended to a caller's buffer as snprintf would, counting what it needs. */
typedef struct text {
    char *buf;
    size_t size, len;
} text;

NNL_PRINTF(2, 3) static void append(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static void format_table(const nnl_profile_table *table, text *t)
{
    append(t, "nnlite profile: %lld steps, %.3f ms in steps (%.3f ms a step), %lld events dropped\n",
           (long long)table->steps, table->steps ? table->step_ms : 0.0,
           table->steps ? table->step_ms / (double)table->steps : 0.0, (long long)table->dropped);
    append(t, "%-44s %-9s %-8s %8s %11s %11s %10s %9s %8s %7s\n", "name", "kind", "phase", "calls", "total ms",
           "self ms", "avg us", "GFLOP", "GFLOP/s", "% step");
    for (int64_t i = 0; i < table->count; i++) {
        const nnl_profile_row_info *r = &table->rows[i];
        append(t, "%-44s %-9s %-8s %8lld %11.3f %11.3f %10.1f %9.3f %8.1f %7.1f\n", r->name,
               nnl_profile_kind_name(r->kind), r->phase ? nnl_profile_phase_name(r->phase) : "-",
               (long long)r->calls, r->total_ms, r->self_ms, 1e3 * r->total_ms / (double)r->calls, 1e-9 * r->flops,
               r->gflops_per_s, 100.0 * r->step_share);
    }
}

nnl_status nnl_profile_table_format(const nnl_profile_table *table, char *buffer, size_t size, size_t *needed)
{
    NNL_CHECK_PTR("nnl_profile_table_format", table);
    if (!buffer && size > 0)
        return nnl_error(NNL_E_INVALID_ARG, "nnl_profile_table_format: buffer is NULL with size %zu", size);
    text t = {buffer, size, 0};
    if (size > 0)
        buffer[0] = '\0';
    format_table(table, &t);
    if (needed)
        *needed = t.len;
    return NNL_OK;
}

nnl_status nnl_profile_table_write(const nnl_profile_table *table, FILE *stream)
{
    NNL_CHECK_PTR("nnl_profile_table_write", table);
    NNL_CHECK_PTR("nnl_profile_table_write", stream);
    size_t needed;
    NNL_TRY(nnl_profile_table_format(table, NULL, 0, &needed));
    char *buf = nnl_alloc(needed + 1);
    if (!buf)
        return nnl_error(NNL_E_NOMEM, "nnl_profile_table_write: out of memory for %zu bytes", needed + 1);
    nnl_profile_table_format(table, buf, needed + 1, NULL);
    size_t written = fwrite(buf, 1, needed, stream);
    nnl_dealloc(buf);
    if (written != needed || fflush(stream) != 0)
        return nnl_error(NNL_E_IO, "nnl_profile_table_write: writing the table failed");
    return NNL_OK;
}
