/* The profiler's recording: per-thread logs, start/stop/reset, and
 * NNL_PROFILE (how and why: core/profile.h; contract: nnlite/profile.h).
 * The table is in profile_table.c, the trace file in profile_trace.c. */
#include "core/profile.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "core/alloc.h"
#include "core/error.h"

enum {
    MAX_DEPTH = 32,                 /* open events per thread (layer in block in step: 5 or so) */
    FIRST_CAPACITY = 1024,          /* events, allocated with the thread's log */
    MAX_EVENTS = 1 << 22,           /* per thread (80 bytes each: 336 MB); later events are dropped */
};

atomic_int nnl_profile_recording;

typedef struct open_event {
    const char *name;
    const char *outer[NNL_PROFILE_OUTER];
    int32_t outer_index[NNL_PROFILE_OUTER];
    int64_t start_ns;
    int64_t child_ns;               /* time of the events closed inside it */
    double child_flops;
    int32_t index;
    uint8_t kind, phase;
} open_event;

/* One thread's log. `lock` guards events/count/capacity/dropped against the
 * readers; the open stack is the thread's alone. Logs are never freed (a
 * thread that ended leaves its events to be read); reset empties them. */
typedef struct thread_log {
    pthread_mutex_t lock;
    nnl_profile_event *events;
    int64_t count, capacity, dropped;
    nnl_profile_thread thread;
    int depth;
    open_event open[MAX_DEPTH];
    struct thread_log *next;
} thread_log;

static struct {
    pthread_mutex_t lock;           /* the list of logs, and starting and stopping */
    thread_log *logs;
    int num_logs;
    int64_t origin_ns;              /* time 0 of the trace: the first start, or the last reset */
    int64_t dropped_unlogged;       /* events of threads whose log could not be allocated */
    char env_path[4096];            /* NNL_PROFILE, when it started the profiler */
} prof = {.lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local thread_log *my_log;
static _Thread_local const char *my_label;
static _Thread_local int my_number;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t thread_id(void)
{
#if defined(__linux__)
    return (int64_t)syscall(SYS_gettid);
#else
    static atomic_int next = 1;
    return atomic_fetch_add(&next, 1);
#endif
}

void nnl_profile_name_thread(const char *label, int number)
{
    my_label = label;
    my_number = number;
}

static void name_thread(nnl_profile_thread *t)
{
    t->tid = thread_id();
    if (my_label)
        snprintf(t->name, sizeof t->name, "%s %d", my_label, my_number);
    else if (t->tid == (int64_t)getpid())
        snprintf(t->name, sizeof t->name, "main");
    else
        snprintf(t->name, sizeof t->name, "thread %lld", (long long)t->tid);
}

/* The calling thread's log, made and listed on its first event; NULL when
 * memory is short (the event is then dropped). */
static thread_log *get_log(void)
{
    if (my_log)
        return my_log;
    thread_log *log = nnl_alloc_zeroed(sizeof *log);
    nnl_profile_event *events = nnl_alloc(FIRST_CAPACITY * sizeof *events);
    pthread_mutex_lock(&prof.lock);
    if (!log || !events || prof.num_logs == UINT16_MAX) {
        prof.dropped_unlogged++;
        pthread_mutex_unlock(&prof.lock);
        nnl_dealloc(log);
        nnl_dealloc(events);
        return NULL;
    }
    pthread_mutex_init(&log->lock, NULL);
    log->events = events;
    log->capacity = FIRST_CAPACITY;
    name_thread(&log->thread);
    log->next = prof.logs;
    prof.logs = log;
    prof.num_logs++;
    pthread_mutex_unlock(&prof.lock);
    my_log = log;
    return log;
}

void nnl_profile_begin(nnl_profile_kind kind, const char *name, int32_t index, nnl_profile_phase phase)
{
    thread_log *log = get_log();
    if (!log)
        return;
    int d = log->depth++;
    if (d >= MAX_DEPTH)
        return; /* counted as dropped at its end */
    open_event *e = &log->open[d];
    const open_event *parent = d > 0 ? &log->open[d - 1] : NULL;
    e->name = name;
    e->index = index;
    e->kind = (uint8_t)kind;
    e->phase = (uint8_t)(phase != NNL_PROFILE_NO_PHASE || !parent ? phase : parent->phase);
    int outer = 0;
    for (int up = d - 1; kind == NNL_PROFILE_LAYER && up >= 0 && outer < NNL_PROFILE_OUTER; up--)
        if (log->open[up].kind == NNL_PROFILE_LAYER) {
            e->outer[outer] = log->open[up].name;
            e->outer_index[outer++] = log->open[up].index;
        }
    for (; outer < NNL_PROFILE_OUTER; outer++) {
        e->outer[outer] = NULL;
        e->outer_index[outer] = -1;
    }
    e->child_ns = 0;
    e->child_flops = 0;
    e->start_ns = now_ns(); /* last: the bookkeeping above is not the event's time */
}

/* Make room for one more event; 0 when the log is full or memory short. */
static int reserve(thread_log *log)
{
    if (log->count < log->capacity)
        return 1;
    if (log->capacity >= MAX_EVENTS)
        return 0;
    nnl_profile_event *bigger = nnl_alloc((size_t)log->capacity * 2 * sizeof *bigger);
    if (!bigger)
        return 0;
    memcpy(bigger, log->events, (size_t)log->count * sizeof *bigger);
    nnl_dealloc(log->events);
    log->events = bigger;
    log->capacity *= 2;
    return 1;
}

void nnl_profile_end(double flops)
{
    int64_t end = now_ns();
    thread_log *log = my_log;
    if (!log || log->depth == 0)
        return; /* its begin found no log */
    int d = --log->depth;
    if (d >= MAX_DEPTH) {
        pthread_mutex_lock(&log->lock);
        log->dropped++;
        pthread_mutex_unlock(&log->lock);
        return;
    }
    const open_event *o = &log->open[d];
    int64_t dur = end - o->start_ns;
    double all_flops = flops + o->child_flops;
    if (d > 0) {
        log->open[d - 1].child_ns += dur;
        log->open[d - 1].child_flops += all_flops;
    }
    pthread_mutex_lock(&log->lock);
    if (reserve(log)) {
        nnl_profile_event *e = &log->events[log->count++];
        *e = (nnl_profile_event){.name = o->name, .start_ns = o->start_ns, .dur_ns = dur,
                                 .self_ns = dur - o->child_ns, .flops = all_flops, .index = o->index,
                                 .kind = o->kind, .phase = o->phase, .depth = (uint8_t)d};
        memcpy(e->outer, o->outer, sizeof e->outer);
        memcpy(e->outer_index, o->outer_index, sizeof e->outer_index);
    } else {
        log->dropped++;
    }
    pthread_mutex_unlock(&log->lock);
}

const char *nnl_profile_current(nnl_profile_phase *phase)
{
    thread_log *log = my_log;
    if (!log || log->depth == 0 || log->depth > MAX_DEPTH)
        return NULL;
    *phase = (nnl_profile_phase)log->open[log->depth - 1].phase;
    return log->open[log->depth - 1].name;
}

nnl_status nnl_profile_record_take(nnl_profile_record *out, const char *who)
{
    *out = (nnl_profile_record){0};
    pthread_mutex_lock(&prof.lock);
    int64_t total = 0;
    for (thread_log *log = prof.logs; log; log = log->next) {
        pthread_mutex_lock(&log->lock);
        total += log->count;
        pthread_mutex_unlock(&log->lock);
    }
    /* Threads may add events after the count: take at most what was counted. */
    out->events = nnl_alloc((size_t)(total > 0 ? total : 1) * sizeof *out->events);
    out->threads = nnl_alloc((size_t)(prof.num_logs > 0 ? prof.num_logs : 1) * sizeof *out->threads);
    if (!out->events || !out->threads) {
        pthread_mutex_unlock(&prof.lock);
        nnl_profile_record_release(out);
        return nnl_error(NNL_E_NOMEM, "%s: out of memory for %lld events", who, (long long)total);
    }
    out->dropped = prof.dropped_unlogged;
    for (thread_log *log = prof.logs; log; log = log->next) {
        int t = out->num_threads++;
        out->threads[t] = log->thread;
        pthread_mutex_lock(&log->lock);
        int64_t n = log->count < total - out->count ? log->count : total - out->count;
        for (int64_t i = 0; i < n; i++) {
            out->events[out->count + i] = log->events[i];
            out->events[out->count + i].thread = (uint16_t)t;
            out->events[out->count + i].start_ns -= prof.origin_ns;
        }
        out->count += n;
        out->dropped += log->dropped;
        pthread_mutex_unlock(&log->lock);
    }
    pthread_mutex_unlock(&prof.lock);
    return NNL_OK;
}

void nnl_profile_record_release(nnl_profile_record *r)
{
    nnl_dealloc(r->events);
    nnl_dealloc(r->threads);
    *r = (nnl_profile_record){0};
}

/* Names for the table and the trace. */

static const char *const kind_names[] = {"step", "layer", "loss", "optimizer", "kernel", "pool task"};
static const char *const phase_names[] = {"", "forward", "backward"};

const char *nnl_profile_kind_name(int kind)
{
    return kind >= 0 && kind <= NNL_PROFILE_POOL_TASK ? kind_names[kind] : "unknown";
}

const char *nnl_profile_phase_name(int phase)
{
    return phase >= 0 && phase <= NNL_PROFILE_BACKWARD ? phase_names[phase] : "unknown";
}

void nnl_profile_event_name(const nnl_profile_event *e, char *buf, size_t size)
{
    if (e->kind == NNL_PROFILE_POOL_TASK) {
        snprintf(buf, size, "%s task", e->name);
    } else if (e->kind != NNL_PROFILE_LAYER) {
        snprintf(buf, size, "%s", e->name);
    } else {
        size_t used = 0;
        for (int i = NNL_PROFILE_OUTER - 1; i >= 0; i--)
            if (e->outer[i] && used < size)
                used += (size_t)snprintf(buf + used, size - used, "%s[%d]/", e->outer[i], (int)e->outer_index[i]);
        if (used < size)
            snprintf(buf + used, size - used, "%s[%d].%s", e->name, (int)e->index, nnl_profile_phase_name(e->phase));
    }
}

/* Start, stop, reset. */

nnl_status nnl_profile_start(void)
{
    pthread_mutex_lock(&prof.lock);
    int was = atomic_load(&nnl_profile_recording);
    if (!was) {
        if (prof.origin_ns == 0)
            prof.origin_ns = now_ns();
        atomic_store(&nnl_profile_recording, 1);
    }
    pthread_mutex_unlock(&prof.lock);
    if (was)
        return nnl_error(NNL_E_STATE, "nnl_profile_start: the profiler already runs (nnl_profile_stop first)");
    return NNL_OK;
}

int nnl_profile_is_active(void) { return atomic_load(&nnl_profile_recording) != 0; }

/* The files of NNL_PROFILE: the trace at `path`, the table beside it. */
static nnl_status write_env_files(const char *path)
{
    NNL_TRY(nnl_profile_write_trace(path));
    char txt[sizeof prof.env_path + 8];
    size_t len = strlen(path);
    if (len > 5 && strcmp(path + len - 5, ".json") == 0)
        len -= 5;
    snprintf(txt, sizeof txt, "%.*s.txt", (int)len, path);
    nnl_profile_table *table;
    NNL_TRY(nnl_profile_table_create(&table));
    FILE *f = fopen(txt, "w");
    nnl_status s = f ? nnl_profile_table_write(table, f)
                     : nnl_error(NNL_E_IO, "NNL_PROFILE: cannot write %s", txt);
    if (f && fclose(f) != 0 && s == NNL_OK)
        s = nnl_error(NNL_E_IO, "NNL_PROFILE: cannot write %s", txt);
    nnl_profile_table_free(table);
    return s;
}

nnl_status nnl_profile_stop(void)
{
    char path[sizeof prof.env_path];
    pthread_mutex_lock(&prof.lock);
    int was = atomic_load(&nnl_profile_recording);
    atomic_store(&nnl_profile_recording, 0);
    snprintf(path, sizeof path, "%s", was ? prof.env_path : "");
    if (was)
        prof.env_path[0] = '\0'; /* written once: now, not again at exit */
    pthread_mutex_unlock(&prof.lock);
    if (!was)
        return nnl_error(NNL_E_STATE, "nnl_profile_stop: the profiler does not run");
    return path[0] ? write_env_files(path) : NNL_OK;
}

void nnl_profile_reset(void)
{
    pthread_mutex_lock(&prof.lock);
    for (thread_log *log = prof.logs; log; log = log->next) {
        pthread_mutex_lock(&log->lock);
        log->count = 0;
        log->dropped = 0;
        pthread_mutex_unlock(&log->lock);
    }
    prof.dropped_unlogged = 0;
    prof.origin_ns = now_ns();
    pthread_mutex_unlock(&prof.lock);
}

/* A forked child has only the forking thread: a lock another thread held
 * at the fork would never be released, so the child starts them afresh.
 * It keeps the record so far but does not write NNL_PROFILE's files: the
 * parent does, and two processes would overwrite each other's. */
static void profile_after_fork_in_child(void)
{
    pthread_mutex_init(&prof.lock, NULL);
    for (thread_log *log = prof.logs; log; log = log->next)
        pthread_mutex_init(&log->lock, NULL);
    prof.env_path[0] = '\0';
}

/* NNL_PROFILE=FILE.json: profile the whole run, written when the library
 * is unloaded (at exit) unless nnl_profile_stop() wrote it before. */
__attribute__((constructor)) static void profile_from_environment(void)
{
    pthread_atfork(NULL, NULL, profile_after_fork_in_child);
    const char *path = getenv("NNL_PROFILE");
    if (!path || !path[0] || strlen(path) >= sizeof prof.env_path)
        return;
    snprintf(prof.env_path, sizeof prof.env_path, "%s", path);
    nnl_profile_start();
}

__attribute__((destructor)) static void profile_write_at_exit(void)
{
    if (nnl_profile_is_active() && nnl_profile_stop() != NNL_OK)
        nnl_log(NNL_LOG_WARN, "%s", nnl_last_error());
}
