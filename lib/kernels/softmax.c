/* Row-wise softmax and fused softmax + cross-entropy, scalar reference (the
 * oracle of softmax_simd.h).
 *
 *   softmax:      logits[rows, cols] -> probs[rows, cols]
 *   softmax_xent: logits[rows, cols], labels[rows] in [0, cols)
 *                 -> probs[rows, cols] or NULL,
 *                    dlogits[rows, cols] = (probs - onehot) * scale, or NULL
 *                    (dlogits may alias logits when probs is NULL),
 *                    returns the sum over rows of -log(probs[r, label]).
 *
 * Each row subtracts its maximum m before exp, so no logit overflows, and the
 * loss is computed as log(sum_c exp(x_c - m)) + m - x_label: the same value
 * as -log(prob) but finite even when the label's probability underflows. */
#include <math.h>
#include <stddef.h>

#include "kernels/isa.h"

static float row_max(int64_t cols, const float *x)
{
    float m = x[0];
    for (int64_t c = 1; c < cols; c++)
        m = x[c] > m ? x[c] : m;
    return m;
}

/* out[c] = exp(x[c] - m) when out is not NULL (out may be x); returns the sum. */
static double exp_row(int64_t cols, const float *x, float m, float *out)
{
    double sum = 0.0;
    for (int64_t c = 0; c < cols; c++) {
        float e = expf(x[c] - m);
        if (out)
            out[c] = e;
        sum += e;
    }
    return sum;
}

void nnl_softmax_scalar(int64_t rows, int64_t cols, const float *logits, float *probs)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *x = logits + r * cols;
        float *p = probs + r * cols;
        float inv = (float)(1.0 / exp_row(cols, x, row_max(cols, x), p));
        for (int64_t c = 0; c < cols; c++)
            p[c] *= inv;
    }
}

double nnl_softmax_xent_scalar(int64_t rows, int64_t cols, const float *logits,
                               const int32_t *labels, float scale, float *probs, float *dlogits,
                               int64_t *correct)
{
    double total = 0.0;
    int64_t hits = 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *x = logits + r * cols;
        float *p = probs ? probs + r * cols : NULL;
        float *d = dlogits ? dlogits + r * cols : NULL;
        int32_t label = labels[r];
        float x_label = x[label]; /* before d, which may alias x, is written */
        float m = row_max(cols, x);
        float *e = p ? p : d; /* where the exps go, if anywhere */
        double sum = exp_row(cols, x, m, e);
        total += log(sum) + (double)m - (double)x_label;
        hits += x_label >= m;
        if (!e)
            continue;
        float inv = (float)(1.0 / sum);
        for (int64_t c = 0; c < cols; c++) {
            float pc = e[c] * inv;
            if (p)
                p[c] = pc;
            if (d)
                d[c] = (pc - (c == label ? 1.0f : 0.0f)) * scale;
        }
    }
    if (correct)
        *correct = hits;
    return total;
}
