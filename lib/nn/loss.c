/* The losses of nnl_model: cross-entropy (on probabilities, or fused with
 * the softmax on logits, over classes or over every position of a
 * sequence), sigmoid binary cross-entropy on logits, mean squared error. */
#include "nn/loss.h"

#include <math.h>
#include <string.h>

#include "core/error.h"
#include "kernels/kernels.h"

static const char *const loss_names[] = {"sparse_categorical_crossentropy", "mse", "softmax_crossentropy",
                                         "sigmoid_binary_crossentropy"};

const char *nnl_loss_name(nnl_loss loss)
{
    return (unsigned)loss < sizeof loss_names / sizeof loss_names[0] ? loss_names[loss] : "unknown";
}

int nnl_loss_parse(const char *name, nnl_loss *loss)
{
    for (unsigned i = 0; i < sizeof loss_names / sizeof loss_names[0]; i++)
        if (strcmp(name, loss_names[i]) == 0) {
            *loss = (nnl_loss)i;
            return 1;
        }
    return 0;
}

static int is_cross_entropy(nnl_loss loss)
{
    return loss == NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY || loss == NNL_LOSS_SOFTMAX_CROSSENTROPY;
}

int nnl_loss_has_accuracy(nnl_loss loss) { return loss != NNL_LOSS_MSE; }

nnl_activation nnl_loss_fused_activation(nnl_loss loss)
{
    return loss == NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? NNL_ACT_SOFTMAX
           : loss == NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY   ? NNL_ACT_SIGMOID
                                                            : NNL_ACT_NONE;
}

void nnl_loss_result_add(nnl_loss_result *total, const nnl_loss_result *r)
{
    total->sum += r->sum;
    total->count += r->count;
    total->correct += r->correct;
    total->true_positives += r->true_positives;
    total->false_positives += r->false_positives;
    total->false_negatives += r->false_negatives;
    total->labels += r->labels;
}

nnl_status nnl_loss_check_shapes(nnl_loss loss, int64_t out_count, int64_t cols, int64_t target_size,
                                 const char *who)
{
    if (is_cross_entropy(loss)) {
        if (target_size != out_count / cols)
            return nnl_error(NNL_E_SHAPE, "%s: cross-entropy needs one integer label per prediction (%lld per "
                             "sample); targets have %lld values", who, (long long)(out_count / cols),
                             (long long)target_size);
    } else if (target_size != out_count) {
        return nnl_error(NNL_E_SHAPE, "%s: %s targets have %lld values per sample, the model outputs %lld", who,
                         nnl_loss_name(loss), (long long)target_size, (long long)out_count);
    }
    return NNL_OK;
}

static int64_t argmax_row(const float *row, int64_t n)
{
    int64_t best = 0;
    for (int64_t j = 1; j < n; j++)
        if (row[j] > row[best])
            best = j;
    return best;
}

/* Labels from float targets; the ignore index passes when `ignore` is set. */
static nnl_status read_labels(const nnl_loss_input *in, int ignore, int64_t *valid)
{
    int64_t n = 0;
    for (int64_t r = 0; r < in->rows; r++) {
        float t = in->targets[r];
        if (ignore && t == (float)NNL_LOSS_IGNORE_INDEX) {
            in->labels[r] = NNL_LOSS_IGNORE_INDEX;
            continue;
        }
        if (!(t >= 0.0f && t < (float)in->cols) || t != floorf(t))
            return nnl_error(NNL_E_INVALID_ARG, "%s: label %g is not a class index in [0, %lld)", in->who, (double)t,
                             (long long)in->cols);
        in->labels[r] = (int32_t)t;
        n++;
    }
    *valid = n;
    return NNL_OK;
}

/* Softmax + cross-entropy on logits, kernel-fused over each run of rows
 * whose labels count; ignored rows get no loss and a zero gradient.
 * *correct counts the rows whose label has the largest logit. */
static double softmax_xent_rows(const nnl_loss_input *in, const float *logits, float scale, int64_t *correct)
{
    const nnl_kernels *k = nnl_kernels_active();
    double sum = 0;
    int64_t r = 0;
    *correct = 0;
    while (r < in->rows) {
        int64_t end = r, hits = 0;
        while (end < in->rows && in->labels[end] != NNL_LOSS_IGNORE_INDEX)
            end++;
        if (end > r)
            sum += k->softmax_xent(end - r, in->cols, logits + r * in->cols, in->labels + r, scale, NULL,
                                   in->dy ? in->dy + r * in->cols : NULL, &hits);
        *correct += hits;
        for (r = end; r < in->rows && in->labels[r] == NNL_LOSS_IGNORE_INDEX; r++)
            if (in->dy)
                memset(in->dy + r * in->cols, 0, sizeof(float) * (size_t)in->cols);
    }
    return sum;
}

/* -log p of probabilities, clamped as Keras does; *correct counts the
 * rows whose label has the largest probability. */
static double probability_xent(const nnl_loss_input *in, float scale, int64_t *correct)
{
    double sum = 0;
    *correct = 0;
    if (in->dy)
        memset(in->dy, 0, sizeof(float) * (size_t)(in->rows * in->cols));
    for (int64_t r = 0; r < in->rows; r++) {
        float p = in->y[r * in->cols + in->labels[r]];
        p = p < 1e-7f ? 1e-7f : p;
        sum -= log((double)p);
        if (in->dy)
            in->dy[r * in->cols + in->labels[r]] = -scale / p;
        *correct += argmax_row(in->y + r * in->cols, in->cols) == in->labels[r];
    }
    return sum;
}

static nnl_status cross_entropy(nnl_loss loss, const nnl_loss_input *in, nnl_loss_result *out)
{
    int64_t valid = 0;
    NNL_TRY(read_labels(in, loss == NNL_LOSS_SOFTMAX_CROSSENTROPY, &valid));
    float scale = valid > 0 ? 1.0f / (float)valid : 0.0f;
    const float *logits = loss == NNL_LOSS_SOFTMAX_CROSSENTROPY ? in->y : in->logits;
    out->sum = logits ? softmax_xent_rows(in, logits, scale, &out->correct)
                      : probability_xent(in, scale, &out->correct);
    out->count = valid;
    return NNL_OK;
}

/* Mean over a sample's values of (y - t)^2. */
static void mean_squared_error(const nnl_loss_input *in, nnl_loss_result *out)
{
    const int64_t size = in->rows * in->cols;
    const float scale = 2.0f / (float)size;
    double sum = 0;
    for (int64_t i = 0; i < size; i++) {
        float d = in->y[i] - in->targets[i];
        sum += (double)d * d;
        if (in->dy)
            in->dy[i] = scale * d;
    }
    out->sum = sum / (double)(size / in->batch);
    out->count = in->batch;
    out->correct = 0;
}

/* s(z) - t without cancellation: with e = e^-|z|, s(z) = 1 / (1 + e) for
 * z >= 0 and e / (1 + e) below, so s(z) - t = (1 - t) - e / (1 + e) or
 * e / (1 + e) - t. For t = 1 and z = 80 that is -e^-80 (about -1.8e-35),
 * where 1 / (1 + e^-z) - t rounds to 0; e^-|z| never overflows. */
static float sigmoid_minus(float z, float t)
{
    float e = expf(-fabsf(z)), small = e / (1.0f + e);
    return z >= 0.0f ? (1.0f - t) - small : small - t;
}

/* Mean over a sample's classes of t log s(z) + (1 - t) log(1 - s(z)), as
 * max(z, 0) - z t + log(1 + e^-|z|), which neither overflows nor loses the
 * small probabilities of large logits; dL/dz = s(z) - t. A sample counts as
 * correct when every class is on the right side of 0.5; the counts of
 * true positives, false positives and false negatives (at 0.5) give the
 * progress its micro-F1 and Hamming loss. */
static void sigmoid_binary_xent(const nnl_loss_input *in, nnl_loss_result *out)
{
    const int64_t per_sample = in->rows * in->cols / in->batch;
    const float scale = 1.0f / (float)(in->rows * in->cols);
    const float *logits = in->logits ? in->logits : in->y;
    double sum = 0;
    int64_t correct = 0, tp = 0, fp = 0, fn = 0;
    for (int64_t b = 0; b < in->batch; b++) {
        int all_right = 1;
        for (int64_t j = 0; j < per_sample; j++) {
            int64_t i = b * per_sample + j;
            float z = logits[i], t = in->targets[i];
            sum += (double)(fmaxf(z, 0.0f) - z * t) + log1p(exp(-fabs((double)z)));
            const int predicted = z >= 0.0f, present = t >= 0.5f;
            all_right &= predicted == present;
            tp += predicted && present;
            fp += predicted && !present;
            fn += !predicted && present;
            if (in->dy)
                in->dy[i] = scale * sigmoid_minus(z, t);
        }
        correct += all_right;
    }
    out->sum = sum / (double)per_sample;
    out->count = in->batch;
    out->correct = correct;
    out->true_positives = tp;
    out->false_positives = fp;
    out->false_negatives = fn;
    out->labels = in->batch * per_sample;
}

nnl_status nnl_loss_compute(nnl_loss loss, const nnl_loss_input *in, nnl_loss_result *out)
{
    memset(out, 0, sizeof *out);
    switch (loss) {
    case NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
    case NNL_LOSS_SOFTMAX_CROSSENTROPY:
        return cross_entropy(loss, in, out);
    case NNL_LOSS_MSE:
        mean_squared_error(in, out);
        return NNL_OK;
    case NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY:
        sigmoid_binary_xent(in, out);
        return NNL_OK;
    }
    return nnl_error(NNL_E_INVALID_ARG, "%s: unknown loss %d", in->who, (int)loss);
}
