/* The profiler's Chrome trace-event file (contract: nnlite/profile.h).
 *
 * The format Perfetto and chrome://tracing read ("Trace Event Format",
 * the JSON object form): complete events ("ph":"X") with ts and dur in
 * microseconds, one track per (pid, tid), and "M" metadata events that
 * name the process and the threads. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/profile.h"

/* Names come from layer types and literals, but a JSON string must stay one
 * whatever they hold. */
static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_metadata(FILE *f, const char *what, long long pid, long long tid, const char *name)
{
    fprintf(f, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%lld,\"tid\":%lld,\"args\":{\"name\":", what, pid, tid);
    put_string(f, name);
    fputs("}}", f);
}

static void put_event(FILE *f, const nnl_profile_record *r, const nnl_profile_event *e, long long pid)
{
    char name[160];
    nnl_profile_event_name(e, name, sizeof name);
    fputs(",\n{\"name\":", f);
    put_string(f, name);
    fprintf(f, ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%lld,\"tid\":%lld,"
               "\"args\":{\"phase\":\"%s\",\"flops\":%.17g,\"self_us\":%.3f}}",
            nnl_profile_kind_name(e->kind), 1e-3 * (double)e->start_ns, 1e-3 * (double)e->dur_ns, pid,
            (long long)r->threads[e->thread].tid, nnl_profile_phase_name(e->phase), e->flops,
            1e-3 * (double)e->self_ns);
}

static void put_trace(FILE *f, const nnl_profile_record *r)
{
    long long pid = (long long)getpid();
    fputs("{\"traceEvents\":[\n", f);
    put_metadata(f, "process_name", pid, 0, "nnlite");
    for (int t = 0; t < r->num_threads; t++) {
        fputs(",\n", f);
        put_metadata(f, "thread_name", pid, (long long)r->threads[t].tid, r->threads[t].name);
    }
    for (int64_t i = 0; i < r->count; i++)
        put_event(f, r, &r->events[i], pid);
    fprintf(f, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"dropped_events\":%lld}}\n", (long long)r->dropped);
}

nnl_status nnl_profile_write_trace(const char *path)
{
    NNL_CHECK_PTR("nnl_profile_write_trace", path);
    nnl_profile_record r;
    NNL_TRY(nnl_profile_record_take(&r, "nnl_profile_write_trace"));
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        nnl_profile_record_release(&r);
        return nnl_error(NNL_E_INVALID_ARG, "nnl_profile_write_trace: path of %zu bytes is too long", strlen(path));
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        nnl_profile_record_release(&r);
        return nnl_error(NNL_E_IO, "nnl_profile_write_trace: cannot write %s: %s", tmp, strerror(errno));
    }
    put_trace(f, &r);
    nnl_profile_record_release(&r);
    int failed = ferror(f);
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0) {
        int err = errno;
        remove(tmp);
        return nnl_error(NNL_E_IO, "nnl_profile_write_trace: cannot write %s: %s", path, strerror(err));
    }
    return NNL_OK;
}
