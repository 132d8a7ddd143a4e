/* What a training run of the examples leaves besides its model: the
 * history as CSV (--log) and its loss and metric curves as PNG (--curves).
 *
 *   nnl_model_fit(model, ...);
 *   training_outputs_write("mnist_cnn", nnl_model_history(model), log_path, curves_path, "MNIST CNN");
 */
#ifndef NNL_EXAMPLES_TRAINING_CURVES_H
#define NNL_EXAMPLES_TRAINING_CURVES_H

#include "nnlite.h"

/* Two panels against the optimizer step: the loss, and the metric (accuracy
 * or micro-F1 in percent; left out for a loss without one); in each the
 * training value of every recorded step (faint), its mean per epoch (or a
 * moving mean in steps mode), and the validation values. Returns 0, or -1
 * (errno set) when the picture cannot be written. */
int training_curves_write(const char *path, const nnl_history *history, const char *title);

/* Write the CSV file to log_path and the curves to curves_path, each when
 * not NULL, saying "wrote ..." on stdout. Returns 0, or 1 after printing
 * "<program>: ..." to stderr. */
int training_outputs_write(const char *program, const nnl_history *history, const char *log_path,
                           const char *curves_path, const char *title);

#endif
