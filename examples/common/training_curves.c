/* Training curves from a history (training_curves.h). The rows become
 * series: step rows (the raw, noisy training values), epoch rows (means
 * over each epoch), validation values (epoch or validation rows). */
#include "training_curves.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

/* One column of some rows, against their step. */
typedef struct column {
    double *x, *y;
    int count;
} column;

static double cell(const nnl_history *h, int64_t row, nnl_history_key key)
{
    double v = NAN;
    nnl_history_get(h, row, key, &v);
    return v;
}

/* The rows of kind `kind` (or, with kind < 0, the rows that have a
 * validation value): their step and the value of `key`. */
static int gather(const nnl_history *h, int kind, nnl_history_key key, column *out)
{
    int64_t rows = nnl_history_rows(h);
    out->x = malloc((size_t)(rows + 1) * sizeof(double));
    out->y = malloc((size_t)(rows + 1) * sizeof(double));
    out->count = 0;
    if (!out->x || !out->y)
        return -1;
    for (int64_t r = 0; r < rows; r++) {
        int row_kind = (int)cell(h, r, NNL_HISTORY_KIND);
        int wanted = kind >= 0 ? row_kind == kind : !isnan(cell(h, r, NNL_HISTORY_VAL_LOSS));
        if (wanted) {
            out->x[out->count] = cell(h, r, NNL_HISTORY_STEP);
            out->y[out->count++] = cell(h, r, key);
        }
    }
    return 0;
}

/* A trailing mean over `window` points, NaN skipped: the trend of the
 * per-step values when there are no epoch means (steps mode). */
static int moving_mean(const column *in, int window, column *out)
{
    out->x = malloc((size_t)(in->count + 1) * sizeof(double));
    out->y = malloc((size_t)(in->count + 1) * sizeof(double));
    out->count = in->count;
    if (!out->x || !out->y)
        return -1;
    double sum = 0;
    int n = 0;
    for (int i = 0; i < in->count; i++) {
        if (!isnan(in->y[i]))
            sum += in->y[i], n++;
        if (i >= window && !isnan(in->y[i - window]))
            sum -= in->y[i - window], n--;
        out->x[i] = in->x[i];
        out->y[i] = n > 0 ? sum / n : NAN;
    }
    return 0;
}

static void release(column *c)
{
    free(c->x);
    free(c->y);
}

/* The series of one quantity: raw steps, their mean, validation. */
typedef struct quantity {
    column steps, mean, validation;
    chart_series series[3];
    int count;
    char mean_label[64];
} quantity;

static int build(const nnl_history *h, nnl_history_key key, nnl_history_key val_key, quantity *q)
{
    memset(q, 0, sizeof *q);
    column epochs = {NULL, NULL, 0};
    if (gather(h, NNL_HISTORY_ROW_STEP, key, &q->steps) != 0 || gather(h, NNL_HISTORY_ROW_EPOCH, key, &epochs) != 0 ||
        gather(h, -1, val_key, &q->validation) != 0) {
        release(&epochs);
        return -1;
    }
    if (epochs.count > 0) {
        q->mean = epochs;
        snprintf(q->mean_label, sizeof q->mean_label, "training, mean of each epoch");
    } else {
        release(&epochs);
        int window = q->steps.count / 10 > 1 ? q->steps.count / 10 : 1;
        if (moving_mean(&q->steps, window, &q->mean) != 0)
            return -1;
        snprintf(q->mean_label, sizeof q->mean_label, "training, mean of %d steps", window);
    }
    int few = epochs.count > 0 && epochs.count <= 60; /* a dot per epoch */
    if (q->steps.count > 0)
        q->series[q->count++] = (chart_series){"training, each step", q->steps.x, q->steps.y, q->steps.count, 0, 1.0,
                                               0, 0.3};
    if (q->mean.count > 0)
        q->series[q->count++] = (chart_series){q->mean_label, q->mean.x, q->mean.y, q->mean.count, 0, 2.5, few, 1.0};
    if (q->validation.count > 0)
        q->series[q->count++] = (chart_series){"validation", q->validation.x, q->validation.y, q->validation.count, 1,
                                               2.5, q->validation.count <= 60, 1.0};
    return 0;
}

static void drop(quantity *q)
{
    release(&q->steps);
    release(&q->mean);
    release(&q->validation);
}

int training_curves_write(const char *path, const nnl_history *history, const char *title)
{
    const char *metric = nnl_history_column_name(history, NNL_HISTORY_METRIC);
    int has_metric = metric && strcmp(metric, "metric") != 0;
    const char *loss_label = has_metric ? "loss (cross-entropy, nats per prediction)" : "loss (mean squared error)";
    const char *metric_title = metric && strcmp(metric, "micro_f1") == 0 ? "Micro-F1" : "Accuracy";
    char metric_label[64];
    snprintf(metric_label, sizeof metric_label, "%s (%%)", metric_title);
    quantity loss, score;
    int ok = build(history, NNL_HISTORY_LOSS, NNL_HISTORY_VAL_LOSS, &loss) == 0 &&
             build(history, NNL_HISTORY_METRIC, NNL_HISTORY_VAL_METRIC, &score) == 0;
    const char *x_label = "training step (optimizer updates)";
    const chart_panel panels[2] = {
        {"Loss", x_label, loss_label, loss.series, loss.count, 1.0, 1},
        {metric_title, x_label, metric_label, score.series, score.count, 100.0, 1},
    };
    int result = -1;
    if (!ok)
        errno = ENOMEM;
    else
        result = chart_write_png(path, title, panels, has_metric ? 2 : 1);
    drop(&loss);
    drop(&score);
    return result;
}

int training_outputs_write(const char *program, const nnl_history *history, const char *log_path,
                           const char *curves_path, const char *title)
{
    if (nnl_history_truncated(history) == 1)
        fprintf(stderr, "%s: warning: out of memory while training: the history misses rows\n", program);
    if (log_path) {
        if (nnl_history_write_csv(history, log_path) != NNL_OK) {
            fprintf(stderr, "%s: %s\n", program, nnl_last_error());
            return 1;
        }
        printf("wrote %s (%lld rows of training history)\n", log_path, (long long)nnl_history_rows(history));
    }
    if (curves_path) {
        if (training_curves_write(curves_path, history, title) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", program, curves_path, strerror(errno));
            return 1;
        }
        printf("wrote %s (loss and metric curves, training against validation)\n", curves_path);
    }
    return 0;
}
