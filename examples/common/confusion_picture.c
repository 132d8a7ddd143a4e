/* The confusion-matrix picture (confusion_picture.h). Layout, left to
 * right: the axis title "true class", the class names, the matrix, the
 * recall of each row; the predicted class names under the matrix (turned
 * upright when wider than a cell) and the axis title "predicted class". */
#include "confusion_picture.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlite.h"
#include "picture.h"

enum { TITLE_H = 64, RECALL_W = 90, MARGIN = 20 };

typedef struct layout {
    int classes;
    double cell, left, top, label_w; /* label_w: the widest class name */
    int upright;                     /* column names turned 90 degrees */
} layout;

static const char *name_of(const char *const *names, int c, char *buffer, size_t size)
{
    if (names && names[c])
        return names[c];
    snprintf(buffer, size, "%d", c);
    return buffer;
}

/* Shade of a cell: t in [0, 1] from white to deep blue (right) or red (wrong). */
static void cell_colour(cairo_t *cr, double t, int diagonal)
{
    static const double blue[2][3] = {{0.97, 0.98, 1.0}, {0.03, 0.19, 0.42}};
    static const double red[2][3] = {{1.0, 0.96, 0.94}, {0.65, 0.06, 0.08}};
    const double(*c)[3] = diagonal ? blue : red;
    cairo_set_source_rgb(cr, c[0][0] + t * (c[1][0] - c[0][0]), c[0][1] + t * (c[1][1] - c[0][1]),
                         c[0][2] + t * (c[1][2] - c[0][2]));
}

static void draw_cells(cairo_t *cr, const layout *l, const int64_t *matrix)
{
    char text[32];
    picture_font(cr, l->cell * 0.3 > 16 ? 16 : l->cell * 0.3, 0);
    for (int r = 0; r < l->classes; r++) {
        int64_t total = 0;
        for (int c = 0; c < l->classes; c++)
            total += matrix[r * l->classes + c];
        for (int c = 0; c < l->classes; c++) {
            int64_t n = matrix[r * l->classes + c];
            double share = total > 0 ? (double)n / (double)total : 0;
            /* square root: an error of 1% is still seen beside a diagonal of 99% */
            double t = r == c ? share : sqrt(share);
            double x = l->left + c * l->cell, y = l->top + r * l->cell;
            if (n > 0)
                cell_colour(cr, t, r == c);
            else
                cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_rectangle(cr, x, y, l->cell, l->cell);
            cairo_fill(cr);
            if (l->cell < 26)
                continue; /* too small for a number */
            double grey = n == 0 ? 0.72 : t > 0.55 ? 1.0 : 0.1;
            cairo_set_source_rgb(cr, grey, grey, grey);
            snprintf(text, sizeof text, "%lld", (long long)n);
            picture_text(cr, x + l->cell / 2, y + l->cell / 2, text, 0.5, 0.5);
        }
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        snprintf(text, sizeof text, total > 0 ? "%.1f%%" : "-", 100.0 * (double)matrix[r * l->classes + r] / (double)total);
        picture_text(cr, l->left + l->classes * l->cell + 12, l->top + (r + 0.5) * l->cell, text, 0, 0.5);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, l->left, l->top, l->classes * l->cell, l->classes * l->cell);
    cairo_stroke(cr);
}

static void draw_labels(cairo_t *cr, const layout *l, const char *const *names)
{
    char buffer[16];
    double side = l->classes * l->cell, below = l->top + side + 8;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    picture_font(cr, 14, 0);
    for (int c = 0; c < l->classes; c++) {
        const char *name = name_of(names, c, buffer, sizeof buffer);
        picture_text(cr, l->left - 8, l->top + (c + 0.5) * l->cell, name, 1, 0.5);
        if (!l->upright) {
            picture_text(cr, l->left + (c + 0.5) * l->cell, below, name, 0.5, 0);
            continue;
        }
        cairo_save(cr);
        cairo_translate(cr, l->left + (c + 0.5) * l->cell, below);
        cairo_rotate(cr, -1.5707963267948966);
        picture_text(cr, 0, 0, name, 1, 0.5);
        cairo_restore(cr);
    }
    picture_text(cr, l->left + side + 12, l->top - 8, "recall", 0, 1);
    picture_font(cr, 15, 1);
    double names_h = l->upright ? l->label_w : 20;
    picture_text(cr, l->left + side / 2, below + names_h + 10, "predicted class", 0.5, 0);
    picture_text_vertical(cr, l->left - l->label_w - 24, l->top + side / 2, "true class");
}

int confusion_picture_write(const char *path, const int64_t *matrix, int classes, const char *const *names,
                            const char *title)
{
    if (classes < 2 || classes > 100) {
        errno = EINVAL;
        return -1;
    }
    layout l = {classes, classes <= 10 ? 56 : 560.0 / classes < 20 ? 20 : 560.0 / classes, 0, TITLE_H, 0, 0};
    int64_t total = 0, right = 0;
    for (int i = 0; i < classes * classes; i++)
        total += matrix[i];
    for (int c = 0; c < classes; c++)
        right += matrix[c * classes + c];
    char heading[256], buffer[16];
    snprintf(heading, sizeof heading, "%s: accuracy %.2f%% of %lld", title,
             total > 0 ? 100.0 * (double)right / (double)total : 0.0, (long long)total);
    /* measure the names and the heading on a scratch canvas */
    cairo_t *cr = picture_create(8, 8);
    if (!cr)
        return -1;
    cairo_text_extents_t e;
    picture_font(cr, 14, 0);
    for (int c = 0; c < classes; c++) {
        cairo_text_extents(cr, name_of(names, c, buffer, sizeof buffer), &e);
        l.label_w = e.x_advance > l.label_w ? e.x_advance : l.label_w;
    }
    picture_font(cr, 18, 1);
    cairo_text_extents(cr, heading, &e);
    cairo_destroy(cr);
    l.upright = l.label_w > l.cell - 6;
    l.left = MARGIN + 34 + l.label_w;
    double side = classes * l.cell, names_h = l.upright ? l.label_w : 20;
    int width = (int)(l.left + side + RECALL_W), height = (int)(l.top + side + 8 + names_h + 44);
    if (width < e.x_advance + 2 * MARGIN) /* a long heading: the matrix moves to the middle */
        l.left += (e.x_advance + 2 * MARGIN - width) / 2, width = (int)(e.x_advance + 2 * MARGIN);
    if (!(cr = picture_create(width, height)))
        return -1;
    picture_font(cr, 18, 1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    picture_text(cr, width / 2.0, TITLE_H / 2.0 - 4, heading, 0.5, 0.5);
    draw_cells(cr, &l, matrix);
    draw_labels(cr, &l, names);
    return picture_finish(cr, path);
}

int confusion_picture_save(const char *program, const char *path, const int32_t *truth, const int32_t *predicted,
                           int64_t count, int classes, const char *const *names, const char *title)
{
    int64_t *matrix = malloc((size_t)classes * (size_t)classes * sizeof *matrix);
    if (!matrix) {
        fprintf(stderr, "%s: out of memory for the confusion matrix\n", program);
        return 1;
    }
    int status = 0;
    if (nnl_metrics_confusion(truth, predicted, count, classes, matrix) != NNL_OK) {
        fprintf(stderr, "%s: confusion matrix: %s\n", program, nnl_last_error());
        status = 1;
    } else if (confusion_picture_write(path, matrix, classes, names, title) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", program, path, strerror(errno));
        status = 1;
    } else
        printf("wrote %s (confusion matrix: rows true class, columns predicted)\n", path);
    free(matrix);
    return status;
}
