/* Internal: the training history a model keeps (nnlite/history.h), written
 * by the trainer (train.c). */
#ifndef NNL_NN_HISTORY_H
#define NNL_NN_HISTORY_H

#include <stdint.h>

#include "nnlite/history.h"
#include "nnlite/model.h"

struct nnl_history {
    double *values;   /* rows x NNL_HISTORY_COLUMNS, row after row */
    int64_t rows, capacity;
    int truncated;    /* a growth failed: recording stopped for this fit */
    nnl_loss loss;    /* of the last fit: names the metric column */
};

/* Drop the rows of a previous fit and make room for about `expected_rows`
 * (a failure to do so truncates: the fit goes on without recording). */
void nnl_history_restart(nnl_history *h, nnl_loss loss, int64_t expected_rows);

/* Append one row of NNL_HISTORY_COLUMNS values, doubling the table when it
 * is full; after a failed growth, rows are dropped and truncated is set. */
void nnl_history_append(nnl_history *h, const double *row);

/* Free the table (the struct itself lives in its model). */
void nnl_history_release(nnl_history *h);

#endif
