/**
 * @file nnlite/profile.h
 * @brief The profiler: where the time of training and inference goes, per
 *        layer, per kernel and per thread.
 *
 * While the profiler runs, the library records one event for every layer's
 * forward and backward (named by the layer type and its index in its model,
 * `conv2d[0].forward`; a layer inside blocks is named after the blocks
 * too, up to two: `transformer_block[2]/residual[1]/dense[1].backward`), every training step
 * (`fit.step`), loss (`loss`), optimizer step (`optimizer.step`), call of a
 * compute kernel (`gemm`, `conv2d_forward`, `attention_backward` ..., with
 * its floating-point operations where they are known: 2mnk for a matrix
 * product) and every part of a kernel that the library's thread pool runs
 * on one of its workers (`gemm task`). Two things read the record: a table
 * like PyTorch Profiler's `key_averages()` (::nnl_profile_table, one row per
 * name, sorted by total time) and a Chrome trace-event file that Perfetto
 * (https://ui.perfetto.dev) and chrome://tracing open, one track per thread
 * (nnl_profile_write_trace()).
 *
 * Two ways to switch it on: call nnl_profile_start(), or set the environment
 * variable `NNL_PROFILE=FILE.json` before the library is loaded: it then
 * profiles from the start and, when the program exits (or calls
 * nnl_profile_stop()), writes the trace to FILE.json and the table to
 * FILE.txt (FILE.json with its `.json` replaced by `.txt`, or `.txt`
 * appended). A child process made by fork() records on but leaves the
 * files to its parent. docs/seeing-inside.md shows both.
 *
 * Cost: with the profiler off, each place that could record tests one
 * global flag (a predicted branch); on, an event costs two clock reads and
 * an uncontended lock on the calling thread's own buffer, and the buffers
 * grow by doubling, so events are not allocated one by one. A thread keeps
 * at most 4,194,304 events; later ones are counted as dropped
 * (nnl_profile_table_totals(), and in both outputs).
 *
 * Thread-safety: every function here may be called from any thread, and
 * any number of threads may be recording at once. An event is recorded if
 * the profiler ran when the event began; start, stop and reset while other
 * threads compute are safe, but which of their events are kept is then
 * a matter of timing.
 *
 * @defgroup profile Profiler
 * @{
 */
#ifndef NNLITE_PROFILE_H
#define NNLITE_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "export.h"
#include "status.h"

NNL_BEGIN_DECLS

/** What an event measures (the row's `kind`). Values are fixed forever. */
typedef enum nnl_profile_kind {
    NNL_PROFILE_STEP = 0,      /**< One training step of fit (`fit.step`): forward, loss, backward, optimizer. */
    NNL_PROFILE_LAYER = 1,     /**< A layer's forward or backward. */
    NNL_PROFILE_LOSS = 2,      /**< The loss and its gradient (`loss`). */
    NNL_PROFILE_OPTIMIZER = 3, /**< One optimizer step over every parameter (`optimizer.step`), or the
                                    clearing of every gradient before a backward pass (`optimizer.zero_grad`). */
    NNL_PROFILE_KERNEL = 4,    /**< One call of a compute kernel (`gemm`, `conv2d_forward` ...). */
    NNL_PROFILE_POOL_TASK = 5  /**< A kernel's part run by a worker of the thread pool (`gemm task`). */
} nnl_profile_kind;

/** Forward or backward (the row's `phase`). Values are fixed forever. */
typedef enum nnl_profile_phase {
    NNL_PROFILE_NO_PHASE = 0,  /**< Neither: steps, the optimizer, work outside any layer. */
    NNL_PROFILE_FORWARD = 1,   /**< In a layer's forward (kernels inherit the phase of their layer). */
    NNL_PROFILE_BACKWARD = 2   /**< In a layer's backward. */
} nnl_profile_phase;

/**
 * @brief Start recording.
 *
 * Events already recorded are kept (nnl_profile_reset() clears them), so
 * start and stop may bracket several pieces of a run.
 * @return ::NNL_OK, or ::NNL_E_STATE when the profiler already runs.
 */
NNL_API nnl_status nnl_profile_start(void);

/**
 * @brief Stop recording; what was recorded stays readable.
 *
 * When the profiler was started by `NNL_PROFILE=FILE.json`, this also writes
 * FILE.json and FILE.txt (and the exit then writes nothing more).
 * @return ::NNL_OK; ::NNL_E_STATE when the profiler does not run;
 *         ::NNL_E_IO when the files of `NNL_PROFILE` cannot be written
 *         (recording stops all the same).
 */
NNL_API nnl_status nnl_profile_stop(void);

/**
 * @brief Forget every recorded event and the count of dropped ones. The
 *        profiler keeps running if it ran.
 */
NNL_API void nnl_profile_reset(void);

/**
 * @brief Whether the profiler is recording.
 * @return 1 or 0.
 */
NNL_API int nnl_profile_is_active(void);

/**
 * @brief Write what was recorded as a Chrome trace-event JSON file.
 *
 * `{"traceEvents":[...]}`: one complete ("X") event per recorded event,
 * times in microseconds from the first start of the profiler, `pid` the
 * process and `tid` the thread (its operating-system id), a `thread_name`
 * metadata event per thread ("main", "pool worker 1", "thread 1234"), and
 * the event's kind, phase and floating-point operations in its `args`. The
 * file is written to a temporary name and renamed, so a reader never sees
 * half of it.
 * @param path the file to write (replaced).
 * @return ::NNL_OK, ::NNL_E_INVALID_ARG for a NULL path, ::NNL_E_IO when the
 *         file cannot be written (the path and the reason in the message),
 *         ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_profile_write_trace(const char *path);

/** The aggregated record: a snapshot taken by nnl_profile_table_create(). */
typedef struct nnl_profile_table nnl_profile_table;

/**
 * @brief One row of an ::nnl_profile_table: every event of one name, kind
 *        and phase.
 *
 * A sized struct the library only writes (docs/versioning.md): set
 * struct_size (::NNL_PROFILE_ROW_INFO_INIT does) before nnl_profile_table_row().
 */
typedef struct nnl_profile_row_info {
    size_t struct_size;      /**< sizeof(nnl_profile_row_info) as the caller was compiled. */
    char name[96];           /**< `conv2d[0].forward`, `gemm`, `gemm task` ... (cut to 95 bytes, NUL-terminated). */
    nnl_profile_kind kind;   /**< What the events measure. */
    nnl_profile_phase phase; /**< Forward, backward or neither. */
    int64_t calls;           /**< Number of events. */
    double total_ms;         /**< Their summed duration, milliseconds. */
    double self_ms;          /**< total_ms less the time of the events nested in them on the same thread. */
    double flops;            /**< Floating-point operations of the events and of the kernels inside them (0: unknown). */
    double gflops_per_s;     /**< flops / total time, 10^9 per second (0 when flops is 0). */
    double step_share;       /**< total_ms over the total of the `fit.step` events (over the total of all
                                  outermost events when no step was recorded), 0..1 and more for
                                  parallel work on several threads. */
} nnl_profile_row_info;

/** Default ::nnl_profile_row_info: struct_size set, every value 0. */
#define NNL_PROFILE_ROW_INFO_INIT { sizeof(nnl_profile_row_info), {0}, NNL_PROFILE_STEP, NNL_PROFILE_NO_PHASE, 0, 0, 0, 0, 0, 0 }

/**
 * @brief Aggregate what was recorded so far into a table (a snapshot:
 *        later events do not change it).
 * @param out receives the table; owned by the caller, freed with
 *            nnl_profile_table_free().
 * @return ::NNL_OK, ::NNL_E_INVALID_ARG for NULL, ::NNL_E_NOMEM.
 */
NNL_API nnl_status nnl_profile_table_create(nnl_profile_table **out);

/**
 * @brief Free a table.
 * @param table from nnl_profile_table_create(), or NULL.
 */
NNL_API void nnl_profile_table_free(nnl_profile_table *table);

/**
 * @brief Number of rows of a table.
 * @param table the table, or NULL.
 * @return the count, 0 for NULL.
 */
NNL_API int64_t nnl_profile_table_count(const nnl_profile_table *table);

/**
 * @brief Row `i` of a table; rows are sorted by total time, largest first.
 * @param table the table.
 * @param i     0 .. nnl_profile_table_count() - 1.
 * @param row receives the row (its struct_size set by the caller).
 * @return ::NNL_OK; ::NNL_E_INVALID_ARG for NULL, an index outside
 *         [0, count) or a struct_size that is not a version of ::nnl_profile_row_info.
 */
NNL_API nnl_status nnl_profile_table_row(const nnl_profile_table *table, int64_t i, nnl_profile_row_info *row);

/**
 * @brief What a table covers: steps, their time, and events lost.
 * @param table    the table.
 * @param steps    receives the number of `fit.step` events, or NULL.
 * @param step_ms  receives their total time in milliseconds, or NULL.
 * @param dropped  receives the number of events not recorded (a thread's
 *                 buffer full or out of memory, or nesting deeper than 32), or NULL.
 * @return ::NNL_OK, ::NNL_E_INVALID_ARG for a NULL table.
 */
NNL_API nnl_status nnl_profile_table_totals(const nnl_profile_table *table, int64_t *steps, double *step_ms,
                                            int64_t *dropped);

/**
 * @brief The table as text: a heading line with the steps and dropped
 *        events, then one line per row with its name, kind, phase, calls,
 *        total, self and average time, GFLOP, GFLOP/s and share of the step.
 *
 * As snprintf: writes at most `size` bytes including the NUL.
 * @param table   the table.
 * @param buffer  receives the text (cut if too small), or NULL when size is 0.
 * @param size    bytes available at buffer.
 * @param needed  receives the length of the whole text without the NUL, or NULL.
 * @return ::NNL_OK (also when the text was cut: compare needed with size),
 *         ::NNL_E_INVALID_ARG for a NULL table, or a NULL buffer with size > 0.
 */
NNL_API nnl_status nnl_profile_table_format(const nnl_profile_table *table, char *buffer, size_t size,
                                            size_t *needed);

/**
 * @brief Write the text of nnl_profile_table_format() to a stream.
 * @param table  the table.
 * @param stream an open stream, e.g. stderr; not closed.
 * @return ::NNL_OK, ::NNL_E_INVALID_ARG for NULL, ::NNL_E_IO when the write fails.
 */
NNL_API nnl_status nnl_profile_table_write(const nnl_profile_table *table, FILE *stream);

NNL_END_DECLS

/** @} */

#endif
