/* The training history: a table of NNL_HISTORY_COLUMNS doubles per row that
 * fit appends to (amortised doubling, never failing a fit), read by key or
 * written as CSV. */
#include "nn/history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "nn/model.h"

/* Rows reserved at most ahead of time (5.8 MB); more come by doubling. */
enum { RESERVE_LIMIT = 1 << 16 };

static int grow_to(nnl_history *h, int64_t capacity)
{
    size_t bytes = nnl_mul_size3((size_t)capacity, NNL_HISTORY_COLUMNS, sizeof(double));
    double *values = bytes ? nnl_alloc(bytes) : NULL;
    if (!values)
        return -1;
    if (h->rows > 0)
        memcpy(values, h->values, (size_t)h->rows * NNL_HISTORY_COLUMNS * sizeof(double));
    nnl_dealloc(h->values);
    h->values = values;
    h->capacity = capacity;
    return 0;
}

void nnl_history_restart(nnl_history *h, nnl_loss loss, int64_t expected_rows)
{
    h->rows = 0;
    h->truncated = 0;
    h->loss = loss;
    int64_t wanted = expected_rows < 1 ? 1 : expected_rows > RESERVE_LIMIT ? RESERVE_LIMIT : expected_rows;
    if (h->capacity < wanted && grow_to(h, wanted) != 0)
        h->truncated = 1;
}

void nnl_history_append(nnl_history *h, const double *row)
{
    if (h->truncated)
        return;
    if (h->rows == h->capacity && grow_to(h, h->capacity > 0 ? 2 * h->capacity : 64) != 0) {
        h->truncated = 1;
        return;
    }
    memcpy(h->values + h->rows * NNL_HISTORY_COLUMNS, row, NNL_HISTORY_COLUMNS * sizeof(double));
    h->rows++;
}

void nnl_history_release(nnl_history *h)
{
    nnl_dealloc(h->values);
    *h = (nnl_history){0};
}

const nnl_history *nnl_model_history(const nnl_model *model)
{
    return model ? &model->history : NULL;
}

int64_t nnl_history_rows(const nnl_history *history)
{
    return history ? history->rows : -1;
}

int nnl_history_truncated(const nnl_history *history)
{
    return history ? history->truncated : -1;
}

nnl_status nnl_history_get(const nnl_history *history, int64_t row, nnl_history_key key, double *value)
{
    static const char who[] = "nnl_history_get";
    NNL_CHECK_PTR(who, history);
    NNL_CHECK_PTR(who, value);
    if (row < 0 || row >= history->rows)
        return nnl_error(NNL_E_INVALID_ARG, "%s: row %lld out of range (the history has %lld rows)", who,
                         (long long)row, (long long)history->rows);
    if ((unsigned)key >= NNL_HISTORY_COLUMNS)
        return nnl_error(NNL_E_INVALID_ARG, "%s: key %d is not an nnl_history_key", who, (int)key);
    *value = history->values[row * NNL_HISTORY_COLUMNS + key];
    return NNL_OK;
}

const char *nnl_history_column_name(const nnl_history *history, nnl_history_key key)
{
    static const char *const names[NNL_HISTORY_COLUMNS] = {
        "kind", "epoch", "step", "loss", NULL, "val_loss", NULL, "learning_rate", "samples_per_s", "tokens_per_s",
        "elapsed_s"};
    if (!history || (unsigned)key >= NNL_HISTORY_COLUMNS)
        return NULL;
    const int bce = history->loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY, mse = history->loss == NNL_LOSS_MSE;
    if (key == NNL_HISTORY_METRIC)
        return bce ? "micro_f1" : mse ? "metric" : "accuracy";
    if (key == NNL_HISTORY_VAL_METRIC)
        return bce ? "val_micro_f1" : mse ? "val_metric" : "val_accuracy";
    return names[key];
}

static void write_value(FILE *f, nnl_history_key key, double v)
{
    static const char *const kinds[] = {"step", "epoch", "validation"};
    if (key == NNL_HISTORY_KIND && v >= 0 && v <= 2)
        fputs(kinds[(int)v], f);
    else if (isnan(v))
        return; /* an empty field */
    else if (key == NNL_HISTORY_EPOCH || key == NNL_HISTORY_STEP)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.9g", v);
}

nnl_status nnl_history_write_csv(const nnl_history *history, const char *path)
{
    static const char who[] = "nnl_history_write_csv";
    NNL_CHECK_PTR(who, history);
    NNL_CHECK_PTR(who, path);
    FILE *f = fopen(path, "w");
    if (!f)
        return nnl_error(NNL_E_IO, "%s: cannot create '%s': %s", who, path, strerror(errno));
    for (int k = 0; k < NNL_HISTORY_COLUMNS; k++)
        fprintf(f, "%s%s", k ? "," : "", nnl_history_column_name(history, (nnl_history_key)k));
    fputc('\n', f);
    for (int64_t r = 0; r < history->rows; r++) {
        for (int k = 0; k < NNL_HISTORY_COLUMNS; k++) {
            if (k)
                fputc(',', f);
            write_value(f, (nnl_history_key)k, history->values[r * NNL_HISTORY_COLUMNS + k]);
        }
        fputc('\n', f);
    }
    int failed = ferror(f);
    int err = errno;
    if (fclose(f) != 0 && !failed)
        failed = 1, err = errno;
    if (failed)
        return nnl_error(NNL_E_IO, "%s: cannot write '%s': %s", who, path, strerror(err));
    return NNL_OK;
}
