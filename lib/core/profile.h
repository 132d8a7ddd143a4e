/* Internal: the profiler's recording (public contract: nnlite/profile.h).
 *
 * A place that can record tests nnl_profile_on() once and, only when it is
 * true, takes a profiled path that brackets the work with
 * nnl_profile_begin() and nnl_profile_end():
 *
 *     if (nnl_profile_on())
 *         return profiled_forward(l, ...);   // begin, forward, end
 *     return l->ops->forward(l, ...);
 *
 * so with the profiler off the cost is one load of a global flag and a
 * branch the compiler lays out as not taken. Hooks: a layer's forward and
 * backward (lib/nn/workspace.c), fit's step and loss (lib/nn/train.c,
 * lib/nn/evaluate.c), the optimizer step (lib/optim/optimizer.c), every
 * kernel call (lib/kernels/profiled.c, a second dispatch table that
 * nnl_kernels_active() returns while profiling) and the parts the pool's
 * workers run (lib/core/pool.c).
 *
 * Each thread records into a log of its own (a growing array under a lock
 * that only readers contend for), found through a thread-local pointer; an
 * open event lives on the thread's stack of open events until its end,
 * where its time and FLOPs are added to its parent's, which is how self
 * time and a layer's FLOPs (those of its kernels) come out without a pass
 * over the events. */
#ifndef NNL_CORE_PROFILE_H
#define NNL_CORE_PROFILE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "nnlite/profile.h"

/* Nonzero while the profiler records. Read with relaxed order: an event
 * that races with start or stop may or may not be recorded (documented). */
extern atomic_int nnl_profile_recording;

static inline int nnl_profile_on(void)
{
    return __builtin_expect(atomic_load_explicit(&nnl_profile_recording, memory_order_relaxed), 0);
}

/* Open an event on the calling thread. `name` must be a string that lives
 * as long as the library (a literal, a layer type's name); `index` is a
 * layer's index in its sequence (-1: none); NNL_PROFILE_NO_PHASE inherits
 * the phase of the enclosing event. Never fails: an event that cannot be
 * kept is counted as dropped. */
void nnl_profile_begin(nnl_profile_kind kind, const char *name, int32_t index, nnl_profile_phase phase);
/* Close the calling thread's innermost open event; `flops` are its own
 * (the FLOPs of the events nested in it are added to them). */
void nnl_profile_end(double flops);
/* The innermost open event's name and phase on the calling thread (NULL
 * when none): the pool names its workers' parts after the kernel. */
const char *nnl_profile_current(nnl_profile_phase *phase);
/* Name the calling thread's track in the trace ("pool worker", 3); `label` a literal. */
void nnl_profile_name_thread(const char *label, int number);

/* How many enclosing layers name a layer inside blocks:
 * transformer_block[2]/residual[0]/causal_self_attention[1]. */
enum { NNL_PROFILE_OUTER = 2 };

/* One recorded event. */
typedef struct nnl_profile_event {
    const char *name;
    /* A layer inside blocks: the types of the layers around it, nearest
     * first (NULL past the outermost), and their indices. */
    const char *outer[NNL_PROFILE_OUTER];
    int32_t outer_index[NNL_PROFILE_OUTER];
    int64_t start_ns;         /* from the profiler's origin */
    int64_t dur_ns, self_ns;  /* self: less the events nested in it on the same thread */
    double flops;             /* its own and those of the events nested in it */
    int32_t index;
    uint8_t kind, phase, depth;
    uint16_t thread;          /* index into nnl_profile_record.threads */
} nnl_profile_event;

typedef struct nnl_profile_thread {
    int64_t tid;              /* the operating system's thread id */
    char name[32];            /* "main", "pool worker 1", "thread 1234" */
} nnl_profile_thread;

/* A copy of everything recorded, for the table and the trace. */
typedef struct nnl_profile_record {
    nnl_profile_event *events;
    int64_t count;
    nnl_profile_thread *threads;
    int num_threads;
    int64_t dropped;
} nnl_profile_record;

/* Copy the logs of every thread (each under its lock). */
nnl_status nnl_profile_record_take(nnl_profile_record *out, const char *who);
void nnl_profile_record_release(nnl_profile_record *r);

/* The event's display name: "conv2d[0].forward", "residual[1]/dense[0].backward",
 * "gemm", "gemm task". A layer inside more than NNL_PROFILE_OUTER blocks
 * is named after the innermost ones. */
void nnl_profile_event_name(const nnl_profile_event *e, char *buf, size_t size);

/* "step", "layer", ... and "", "forward", "backward". */
const char *nnl_profile_kind_name(int kind);
const char *nnl_profile_phase_name(int phase);

#endif
