/* Abnormal input (include/nnlite/input_check.h): ink fraction and top
 * probability against thresholds, and prediction with the check.
 * The defaults' measured basis is in docs/seeing-inside.md. */
#include <math.h>

#include "core/error.h"
#include "core/finite.h"
#include "core/options.h"
#include "nn/model.h"
#include "nnlite/input_check.h"

static nnl_status check_thresholds(const nnl_input_check_options *o, const char *who)
{
    if (!isfinite(o->ink_level) || !(o->min_ink >= 0 && o->min_ink <= o->max_ink && o->max_ink <= 1) ||
        !(o->min_confidence >= 0 && o->min_confidence <= 1))
        return nnl_error(NNL_E_INVALID_ARG, "%s: ink_level=%g min_ink=%g max_ink=%g min_confidence=%g: need a "
                         "finite ink level, 0 <= min_ink <= max_ink <= 1 and min_confidence in [0, 1]", who,
                         (double)o->ink_level, (double)o->min_ink, (double)o->max_ink, (double)o->min_confidence);
    return NNL_OK;
}

static float ink_fraction(const float *x, int64_t n, float level)
{
    int64_t ink = 0;
    for (int64_t i = 0; i < n; i++)
        ink += x[i] > level;
    return (float)((double)ink / (double)n);
}

/* The first reason that applies, in the order of nnl_input_reason. */
static int32_t decide(const nnl_input_check_options *o, const nnl_input_report *r)
{
    if (r->ink < o->min_ink)
        return NNL_INPUT_BLANK;
    if (r->ink > o->max_ink)
        return NNL_INPUT_FULL;
    if (r->top_class >= 0 && r->top_probability < o->min_confidence)
        return NNL_INPUT_UNSURE;
    return NNL_INPUT_OK;
}

static nnl_status input_check(const nnl_tensor *x, const float *probabilities, int64_t classes,
                              const nnl_input_check_options *options, nnl_input_report *report, const char *who)
{
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, report);
    nnl_input_check_options o = NNL_INPUT_CHECK_OPTIONS_INIT;
    if (options)
        NNL_TRY(NNL_OPTIONS_READ(nnl_input_check_options, NNL_INPUT_CHECK_OPTIONS_INIT,
                                 NNL_INPUT_CHECK_OPTIONS_MIN_SIZE, &o, options, who));
    NNL_TRY(check_thresholds(&o, who));
    if (x->size < 1)
        return nnl_error(NNL_E_INVALID_ARG, "%s: x is empty", who);
    if (probabilities && (classes < 1 || classes > ((int64_t)1 << 31)))
        return nnl_error(NNL_E_INVALID_ARG, "%s: classes=%lld, expected 1..2^31", who, (long long)classes);
    NNL_TRY(nnl_check_finite(x->data, x->size, who, "input"));
    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    r.ink = ink_fraction(x->data, x->size, o.ink_level);
    r.top_class = -1;
    r.top_probability = NAN;
    if (probabilities) {
        NNL_TRY(nnl_check_finite(probabilities, classes, who, "probabilities"));
        r.top_class = 0;
        for (int64_t c = 1; c < classes; c++)
            r.top_class = probabilities[c] > probabilities[r.top_class] ? (int32_t)c : r.top_class;
        r.top_probability = probabilities[r.top_class];
    }
    r.reason = decide(&o, &r);
    return NNL_OPTIONS_WRITE(nnl_input_report, NNL_INPUT_REPORT_INIT, NNL_INPUT_REPORT_MIN_SIZE, report, &r, who);
}

nnl_status nnl_input_check(const nnl_tensor *x, const float *probabilities, int64_t classes,
                           const nnl_input_check_options *options, nnl_input_report *report)
{
    return input_check(x, probabilities, classes, options, report, "nnl_input_check");
}

nnl_status nnl_model_predict_checked(const nnl_model *model, const nnl_tensor *x, nnl_tensor *y,
                                     const nnl_input_check_options *options, nnl_input_report *report)
{
    static const char who[] = "nnl_model_predict_checked";
    NNL_CHECK_PTR(who, model);
    NNL_CHECK_PTR(who, x);
    NNL_CHECK_PTR(who, y);
    NNL_CHECK_PTR(who, report);
    int64_t one;
    NNL_TRY(nnl_model_input_batch(model, x, 1, who, &one));
    NNL_TRY(nnl_error_in(nnl_model_predict(model, x, y), who));
    return input_check(x, y->data, y->size, options, report, who);
}

const char *nnl_input_reason_name(int32_t reason)
{
    switch (reason) {
    case NNL_INPUT_OK: return "ok";
    case NNL_INPUT_BLANK: return "blank";
    case NNL_INPUT_FULL: return "too much ink";
    case NNL_INPUT_UNSURE: return "low confidence";
    default: return "unknown";
    }
}
