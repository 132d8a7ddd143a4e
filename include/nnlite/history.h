/**
 * @file nnlite/history.h
 * @brief Training history: the rows nnl_model_fit() and nnl_model_fit_with() record.
 *
 * @defgroup history Training history
 * Every fit call (the GPT's nnl_gpt_train() included: it trains its model,
 * nnl_gpt_model(), through nnl_model_fit_with()) records rows into its
 * model's history:
 *
 * - a ::NNL_HISTORY_ROW_STEP row after each recorded optimizer step
 *   (nnl_fit_options::history_interval; every step by default): the loss and
 *   metric of that step's batch alone;
 * - a ::NNL_HISTORY_ROW_EPOCH row after each epoch (epochs mode): the mean
 *   loss and metric over the epoch's batches, and the validation loss and
 *   metric when there is validation data;
 * - a ::NNL_HISTORY_ROW_VALIDATION row after each validation of steps mode
 *   (nnl_fit_options::validation_interval and the last step): the validation
 *   loss and metric, with the training loss and metric of every batch of the
 *   call so far.
 *
 * The metric is the accuracy, or the micro-F1 for
 * ::NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY, or NaN for ::NNL_LOSS_MSE; values
 * that a row does not have are NaN. Each fit call starts a new history (the
 * previous call's rows are dropped), so the history is always that of the
 * last fit; its step column counts the optimizer's steps, which go on across
 * calls and resumed checkpoints.
 *
 * The rows are recorded before the progress callback of the same step or
 * epoch is called, so the callback can read them. Recording never fails a
 * fit: the table grows by doubling, and when memory runs out it stops growing
 * and nnl_history_truncated() says so.
 *
 * Thread-safety: read the history from the thread that runs fit (e.g. in its
 * progress callback) or when no fit runs; fit writes it.
 * @{
 */
#ifndef NNLITE_HISTORY_H
#define NNLITE_HISTORY_H

#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"

NNL_BEGIN_DECLS

/** Opaque history, owned by its model (nnl_model_history()). */
typedef struct nnl_history nnl_history;

/** What a row is: the value of its ::NNL_HISTORY_KIND column. */
typedef enum nnl_history_row_kind {
    NNL_HISTORY_ROW_STEP = 0,      /**< After an optimizer step: that batch's loss and metric. */
    NNL_HISTORY_ROW_EPOCH = 1,     /**< After an epoch: the epoch's mean loss and metric, and validation. */
    NNL_HISTORY_ROW_VALIDATION = 2 /**< After a validation in steps mode. */
} nnl_history_row_kind;

/** The columns of a row, in the order of the CSV file. */
typedef enum nnl_history_key {
    NNL_HISTORY_KIND = 0,          /**< A ::nnl_history_row_kind. */
    NNL_HISTORY_EPOCH = 1,         /**< Epoch, from 1 (1 in steps mode). */
    NNL_HISTORY_STEP = 2,          /**< Optimizer steps since compile, after this row's step. */
    NNL_HISTORY_LOSS = 3,          /**< Training loss (mean per unit: a sample, or a position of a sequence). */
    NNL_HISTORY_METRIC = 4,        /**< Training metric (accuracy, micro-F1 or NaN, see the group). */
    NNL_HISTORY_VAL_LOSS = 5,      /**< Validation loss, NaN in step rows and without validation data. */
    NNL_HISTORY_VAL_METRIC = 6,    /**< Validation metric, NaN where ::NNL_HISTORY_VAL_LOSS is. */
    NNL_HISTORY_LEARNING_RATE = 7, /**< Learning rate of the last step. */
    NNL_HISTORY_SAMPLES_PER_S = 8, /**< Training samples per second since the fit call started. */
    NNL_HISTORY_TOKENS_PER_S = 9,  /**< For a model whose output is a sequence (T, classes) under
                                        ::NNL_LOSS_SOFTMAX_CROSSENTROPY (a GPT, a character model):
                                        samples per second times T, as the GPT's progress reports it;
                                        NaN for other models. */
    NNL_HISTORY_ELAPSED = 10       /**< Seconds since the fit call started. */
} nnl_history_key;

/** Number of columns (keys 0 .. NNL_HISTORY_COLUMNS - 1). */
#define NNL_HISTORY_COLUMNS 11

/**
 * @brief The model's training history.
 * @param model the model.
 * @return the history, borrowed: owned by the model, valid until it is freed; its rows
 *         change at the next fit call. NULL when @p model is NULL.
 */
NNL_API const nnl_history *nnl_model_history(const nnl_model *model);

/**
 * @brief Number of rows.
 * @param history the history.
 * @return the count (0 before the first fit), or -1 for NULL.
 */
NNL_API int64_t nnl_history_rows(const nnl_history *history);

/**
 * @brief One value of one row.
 * @param history the history.
 * @param row     0 .. nnl_history_rows() - 1.
 * @param key     the column.
 * @param value   receives the value (NaN where the row has none).
 * @return ::NNL_E_INVALID_ARG for NULL pointers, a row out of range or an unknown key.
 */
NNL_API nnl_status nnl_history_get(const nnl_history *history, int64_t row, nnl_history_key key, double *value);

/**
 * @brief The CSV name of a column: "kind", "epoch", "step", "loss", the metric's name
 *        ("accuracy", "micro_f1", or "metric" for a loss without one), "val_loss",
 *        "val_" and the metric's name, "learning_rate", "samples_per_s", "tokens_per_s",
 *        "elapsed_s".
 * @param history the history (the metric's name depends on the loss of its last fit).
 * @param key     the column.
 * @return a static string, or NULL for NULL or an unknown key.
 */
NNL_API const char *nnl_history_column_name(const nnl_history *history, nnl_history_key key);

/**
 * @brief Whether recording stopped because memory ran out (the fit itself went on).
 * @param history the history.
 * @return 1 when rows are missing, 0 when every row was recorded, -1 for NULL.
 */
NNL_API int nnl_history_truncated(const nnl_history *history);

/**
 * @brief Write the history as a CSV file: a header line of the column names
 *        (nnl_history_column_name()), then one line per row. The kind is written as
 *        "step", "epoch" or "validation"; epoch and step as integers; NaN as an empty
 *        field; the other values with 9 significant digits. Lines end in "\n".
 * @param history the history.
 * @param path    the file, created or replaced.
 * @return ::NNL_E_INVALID_ARG for NULL pointers; ::NNL_E_IO (with the path and the
 *         reason) when the file cannot be written.
 */
NNL_API nnl_status nnl_history_write_csv(const nnl_history *history, const char *path);

NNL_END_DECLS

#endif
/** @} */
