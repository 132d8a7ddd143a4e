/**
 * @file nnlite/input_check.h
 * @brief Abnormal input: telling when an image looks unlike the training data,
 *        so that a program can say "not sure" instead of naming a class.
 *
 * @defgroup input_check Abnormal input
 * A classifier always names a class, even for a blank canvas or a scribble
 * that fills it. The check looks at the input and at the model's answer:
 *
 * - **ink**, the fraction of input values above nnl_input_check_options.ink_level:
 *   too little is a blank or nearly blank canvas (::NNL_INPUT_BLANK), too much
 *   is strokes filling it (::NNL_INPUT_FULL);
 * - **confidence**, the largest class probability: below
 *   nnl_input_check_options.min_confidence the model itself is unsure
 *   (::NNL_INPUT_UNSURE).
 *
 * The defaults are for images whose ink is high and background 0, in [0, 1]
 * (MNIST and the digit pictures of the examples once preprocessed), and come
 * from measurements on the MNIST training images; docs/seeing-inside.md gives
 * the distributions. Nothing assumes a size: any image shape works, and other
 * data sets set their own thresholds.
 * @{
 */
#ifndef NNLITE_INPUT_CHECK_H
#define NNLITE_INPUT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"
#include "tensor.h"

NNL_BEGIN_DECLS

/** What the check found; the first that applies, in this order. Values are fixed forever. */
typedef enum nnl_input_reason {
    NNL_INPUT_OK = 0,     /**< Nothing unusual: the prediction can be shown. */
    NNL_INPUT_BLANK = 1,  /**< Ink below nnl_input_check_options.min_ink: blank or nearly blank. */
    NNL_INPUT_FULL = 2,   /**< Ink above nnl_input_check_options.max_ink: strokes fill the canvas. */
    NNL_INPUT_UNSURE = 3  /**< Top probability below nnl_input_check_options.min_confidence. */
} nnl_input_reason;

/** Thresholds of the check. Initialise with ::NNL_INPUT_CHECK_OPTIONS_INIT, then set fields. */
typedef struct nnl_input_check_options {
    size_t struct_size;   /**< sizeof(nnl_input_check_options) (docs/versioning.md). */
    float ink_level;      /**< An input value above this is ink (default 0.5, half of full ink). */
    float min_ink;        /**< Less ink than this fraction is ::NNL_INPUT_BLANK (default 0.02; the
                               MNIST training digits have 0.028 to 0.351 at level 0.5). 0 disables. */
    float max_ink;        /**< More ink than this fraction is ::NNL_INPUT_FULL (default 0.45). 1 disables. */
    float min_confidence; /**< A top probability below this is ::NNL_INPUT_UNSURE (default 0.6).
                               0 disables. */
} nnl_input_check_options;

/** Default ::nnl_input_check_options (docs/seeing-inside.md says where each number comes from). */
#define NNL_INPUT_CHECK_OPTIONS_INIT { sizeof(nnl_input_check_options), 0.5f, 0.02f, 0.45f, 0.6f }

/** What nnl_input_check() measured and decided. Initialise with ::NNL_INPUT_REPORT_INIT. */
typedef struct nnl_input_report {
    size_t struct_size;      /**< sizeof(nnl_input_report): the library writes the members within it. */
    int32_t reason;          /**< An ::nnl_input_reason. */
    int32_t top_class;       /**< The class of the largest probability (-1 without probabilities). */
    float top_probability;   /**< That probability (NaN without probabilities). */
    float ink;               /**< Fraction of input values above the ink level. */
} nnl_input_report;

/** Default ::nnl_input_report: struct_size set, the rest zero. */
#define NNL_INPUT_REPORT_INIT { sizeof(nnl_input_report), 0, 0, 0.0f, 0.0f }

/**
 * @brief Check one input, and the probabilities a model gave it, against the thresholds.
 * @param x             one sample, any shape (its values are all that is read); borrowed.
 * @param probabilities the model's @p classes outputs for @p x (e.g. from nnl_model_predict()),
 *                      or NULL to check the ink alone; borrowed.
 * @param classes       number of probabilities, >= 1 (ignored when @p probabilities is NULL).
 * @param options       the thresholds (borrowed), or NULL for ::NNL_INPUT_CHECK_OPTIONS_INIT.
 * @param report        receives the measures and the reason (its struct_size set).
 * @return ::NNL_OK whatever the reason (the reason is in @p report); ::NNL_E_INVALID_ARG for NULL
 *         pointers, an empty @p x, a bad @p classes or thresholds out of range (named in the
 *         message); ::NNL_E_NUMERIC when an input or probability is NaN or infinite.
 * Thread-safety: a pure function, safe from any thread.
 */
NNL_API nnl_status nnl_input_check(const nnl_tensor *x, const float *probabilities, int64_t classes,
                                   const nnl_input_check_options *options, nnl_input_report *report);

/**
 * @brief nnl_model_predict() of one sample followed by nnl_input_check() of it.
 *
 * The model's outputs are taken as probabilities (a classifier ending in a
 * softmax; nnl_input_check() reads them as they are).
 * @param model   the model. Thread-safe, as nnl_model_predict().
 * @param x       one sample: the input shape, or {1, input shape...}; borrowed.
 * @param y       receives the outputs, as from nnl_model_predict().
 * @param options the thresholds (borrowed), or NULL for the defaults.
 * @param report  receives the measures and the reason.
 * @return the errors of nnl_model_predict() and nnl_input_check(); ::NNL_E_SHAPE when @p x
 *         holds more than one sample.
 */
NNL_API nnl_status nnl_model_predict_checked(const nnl_model *model, const nnl_tensor *x, nnl_tensor *y,
                                             const nnl_input_check_options *options, nnl_input_report *report);

/**
 * @brief A short English name of a reason, for messages: "ok", "blank", "too much ink",
 *        "low confidence".
 * @param reason an ::nnl_input_reason (int32_t, as in ::nnl_input_report).
 * @return a static string; "unknown" for a value this library does not know.
 */
NNL_API const char *nnl_input_reason_name(int32_t reason);

NNL_END_DECLS

#endif
/** @} */
