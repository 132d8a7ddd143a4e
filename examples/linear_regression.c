/* The article's house-price example (section 4.1.1): price = w1 * area +
 * w2 * year + b, learned by gradient descent on the mean squared error.
 *
 * Features are standardised (zero mean, unit variance) and prices are
 * expressed in units of 100,000 so that plain gradient descent converges
 * quickly; the learned weights are then mapped back to the original units. */
#include <math.h>
#include <stdio.h>

#include "nnlite.h"

enum { HOUSES = 3, FEATURES = 2 };

static const float area[HOUSES] = {100, 200, 300};
static const float year[HOUSES] = {2000, 1990, 2005};
static const float price[HOUSES] = {150000, 180000, 200000};
static const float price_unit = 100000;

static void standardise(const float *v, float *out, float *mean, float *std)
{
    double m = 0, s = 0;
    for (int i = 0; i < HOUSES; i++)
        m += v[i];
    m /= HOUSES;
    for (int i = 0; i < HOUSES; i++)
        s += (v[i] - m) * (v[i] - m);
    s = sqrt(s / HOUSES);
    for (int i = 0; i < HOUSES; i++)
        out[i * FEATURES] = (float)((v[i] - m) / s);
    *mean = (float)m;
    *std = (float)s;
}

static int fail(const char *what, nnl_status s)
{
    fprintf(stderr, "linear_regression: %s: %s (%s)\n", what, nnl_last_error(), nnl_status_str(s));
    return 1;
}

int main(void)
{
    float x[HOUSES * FEATURES], y[HOUSES], mean[FEATURES], std[FEATURES];
    standardise(area, x, &mean[0], &std[0]);
    standardise(year, x + 1, &mean[1], &std[1]);
    for (int i = 0; i < HOUSES; i++)
        y[i] = price[i] / price_unit;

    const int64_t feature_dims[1] = {FEATURES}, target_dims[1] = {1};
    nnl_dataset *data = NULL;
    nnl_model *model = NULL;
    nnl_layer *dense = NULL;
    nnl_optimizer *sgd = NULL;
    nnl_status s;
    if ((s = nnl_dataset_create(&data, HOUSES, 1, feature_dims, x, 1, target_dims, y)) != NNL_OK)
        return fail("dataset", s);
    if ((s = nnl_model_create(&model, 1, feature_dims)) != NNL_OK || (s = nnl_layer_dense(&dense, 1, NNL_ACT_NONE)) != NNL_OK ||
        (s = nnl_model_add(model, dense)) != NNL_OK || (s = nnl_optimizer_sgd(&sgd, 0.1f, 0.0f, 0)) != NNL_OK ||
        (s = nnl_model_compile(model, NNL_LOSS_MSE, sgd)) != NNL_OK)
        return fail("model", s);
    /* full-batch gradient descent: one step per epoch */
    if ((s = nnl_model_fit(model, data, NULL, 2000, HOUSES, 0, NULL, NULL)) != NNL_OK)
        return fail("training", s);

    nnl_tensor *kernel, *bias;
    nnl_layer_param(dense, 0, NULL, &kernel, NULL);
    nnl_layer_param(dense, 1, NULL, &bias, NULL);
    const float *w = nnl_tensor_data(kernel);
    /* back to original units: price = sum_j w_j * (x_j - mean_j) / std_j * unit + b * unit */
    float w1 = w[0] / std[0] * price_unit, w2 = w[1] / std[1] * price_unit;
    float b = (nnl_tensor_data(bias)[0] - w[0] * mean[0] / std[0] - w[1] * mean[1] / std[1]) * price_unit;
    printf("learned: price = %.2f * area + %.2f * year + %.2f\n", w1, w2, b);
    printf("standardised weights: w1=%.4f w2=%.4f b=%.4f (features standardised, price / %.0f)\n", w[0], w[1],
           nnl_tensor_data(bias)[0], price_unit);

    nnl_tensor *in = NULL, *out = NULL;
    const int64_t in_dims[2] = {HOUSES, FEATURES}, out_dims[2] = {HOUSES, 1};
    nnl_tensor_wrap(&in, 2, in_dims, x);
    nnl_tensor_create(&out, 2, out_dims);
    if ((s = nnl_model_predict(model, in, out)) != NNL_OK)
        return fail("prediction", s);
    printf("%8s %6s %12s %12s\n", "area", "year", "price", "predicted");
    for (int i = 0; i < HOUSES; i++)
        printf("%8.0f %6.0f %12.0f %12.0f\n", area[i], year[i], price[i], nnl_tensor_data(out)[i] * price_unit);
    nnl_tensor_free(in);
    nnl_tensor_free(out);
    nnl_model_free(model);
    nnl_dataset_free(data);
    return 0;
}
