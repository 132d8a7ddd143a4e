/* A confusion matrix as a PNG picture: one square per (true, predicted)
 * pair holding its count, shaded by the share of its true class (blue on
 * the diagonal, red off it), with each class's recall at the end of its row. */
#ifndef NNL_EXAMPLES_CONFUSION_PICTURE_H
#define NNL_EXAMPLES_CONFUSION_PICTURE_H

#include <stdint.h>

/* matrix: classes x classes counts, row = true class, column = predicted
 * (as nnl_metrics_confusion() writes it); names: a label per class, or NULL
 * for "0", "1", ...; title: above the matrix (the overall accuracy is added
 * to it). 2 <= classes <= 100. Returns 0, or -1 (errno set). */
int confusion_picture_write(const char *path, const int64_t *matrix, int classes, const char *const *names,
                            const char *title);

/* The same for predicted and true labels in [0, classes): counts them
 * (nnl_metrics_confusion()) and draws the picture; says "wrote ..." on
 * stdout, or prints "<program>: ..." to stderr and returns 1. */
int confusion_picture_save(const char *program, const char *path, const int32_t *truth, const int32_t *predicted,
                           int64_t count, int classes, const char *const *names, const char *title);

#endif
