/* Saliency, occlusion and the abnormal-input check.
 *
 * - saliency equals central finite differences of the class's logit, on a
 *   dense model, on a conv model with batch normalisation (running
 *   statistics), average pooling and dropout (off at inference), and on an
 *   LSTM over float vectors with layer normalisation; the logit,
 *   not the probability: a softmax model and the same model without its
 *   softmax give the same map;
 * - occlusion equals a loop of nnl_model_predict() over the patches, and a
 *   region already equal to the baseline gets nothing from patches inside it;
 * - the input check flags blank and full canvases, a filled rectangle, noise
 *   and low confidence, and passes the real MNIST test digits (data/mnist,
 *   skipped without it) with the default model (models/digits.safetensors);
 * - misuse: NULL, wrong sizes, classes out of range, token-id models, bad
 *   options. */
#include <math.h>

#include "test_util.h"

/* ---- models ------------------------------------------------------------- */

/* dense 6 -> 5 tanh -> 3 (softmax or none). */
static nnl_model *dense_model(nnl_activation last)
{
    const int64_t in[1] = {6};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, in));
    assert_ok(nnl_model_set_seed(m, 11));
    assert_ok(nnl_layer_dense(&l, 5, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 3, last));
    assert_ok(nnl_model_add(m, l));
    return m;
}

/* Give a batch-norm layer running statistics far from 0 and 1, so that the
 * map depends on them being used. */
static void set_running_statistics(nnl_layer *bn)
{
    nnl_tensor *mean, *var;
    assert_ok(nnl_layer_param(bn, 2, NULL, &mean, NULL));
    assert_ok(nnl_layer_param(bn, 3, NULL, &var, NULL));
    float *m = nnl_tensor_data(mean), *v = nnl_tensor_data(var);
    for (int64_t i = 0; i < nnl_tensor_size(mean); i++) {
        m[i] = 0.1f * (float)i - 0.15f;
        v[i] = 0.5f + 0.25f * (float)i;
    }
}

/* {6, 6, 2} -> conv 3x3x4 tanh -> batchnorm -> avgpool 2 -> flatten ->
 * dropout 0.5 -> dense 3 softmax. */
static nnl_model *conv_model(void)
{
    const int64_t in[3] = {6, 6, 2};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 3, in));
    assert_ok(nnl_model_set_seed(m, 5));
    assert_ok(nnl_layer_conv2d(&l, 4, 3, 3, 1, NNL_PAD_VALID, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_batchnorm(&l, 0.9f, 1e-3f));
    assert_ok(nnl_model_add(m, l));
    set_running_statistics(l);
    assert_ok(nnl_layer_avgpool2d(&l, 2, 2, 2));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dropout(&l, 0.5f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    return m;
}

static nnl_tensor *tensor_of(int ndim, const int64_t *dims, uint32_t seed)
{
    nnl_tensor *t;
    assert_ok(nnl_tensor_create(&t, ndim, dims));
    test_fill_random(nnl_tensor_data(t), nnl_tensor_size(t), seed);
    return t;
}

/* ---- saliency ----------------------------------------------------------- */

/* The logit of class c for sample b of x {batch, ...}: the input of the last
 * layer's softmax is not visible from outside, but log p_c differs from the
 * logit z_c by a constant of the sample (log sum exp z), which central
 * differences in one input value see as the sum over classes; so the test
 * uses log p_c - mean_k log p_k = z_c - mean_k z_k, and compares with
 * saliency(c) - mean_k saliency(k). */
static double centred_log_probability(const nnl_model *m, nnl_tensor *x, nnl_tensor *y, int64_t b, int c,
                                      int classes)
{
    assert_ok(nnl_model_predict(m, x, y));
    const float *p = nnl_tensor_data(y) + b * classes;
    double mean = 0;
    for (int k = 0; k < classes; k++)
        mean += log((double)p[k]) / classes;
    return log((double)p[c]) - mean;
}

/* Central differences of the centred logit against the saliency maps of
 * every class, for every input value of every sample. */
static void check_against_finite_differences(nnl_model *m, nnl_tensor *x, int classes, double h, double tolerance)
{
    const int64_t batch = nnl_tensor_dim(x, 0), size = nnl_tensor_size(x), per = size / batch;
    nnl_tensor *y, *maps[3];
    const int64_t ydims[2] = {batch, classes};
    assert_ok(nnl_tensor_create(&y, 2, ydims));
    int32_t *cls = malloc((size_t)batch * sizeof *cls);
    for (int c = 0; c < classes; c++) {
        assert_ok(nnl_tensor_create(&maps[c], 1, &size));
        for (int64_t b = 0; b < batch; b++)
            cls[b] = c;
        assert_ok(nnl_model_saliency(m, x, cls, maps[c]));
    }
    float *xs = nnl_tensor_data(x);
    double worst = 0, largest = 0;
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < per; i++)
            for (int c = 0; c < classes; c++) {
                float keep = xs[b * per + i];
                xs[b * per + i] = (float)(keep + h);
                double up = centred_log_probability(m, x, y, b, c, classes);
                xs[b * per + i] = (float)(keep - h);
                double down = centred_log_probability(m, x, y, b, c, classes);
                xs[b * per + i] = keep;
                double numeric = (up - down) / (2 * h), analytic = 0;
                for (int k = 0; k < classes; k++)
                    analytic += (c == k ? 1.0 - 1.0 / classes : -1.0 / classes) * nnl_tensor_data(maps[k])[b * per + i];
                worst = fmax(worst, fabs(numeric - analytic));
                largest = fmax(largest, fabs(analytic));
            }
    printf("# %lld values: largest |gradient| %.4f, largest difference from finite differences %.2e\n",
           (long long)size, largest, worst);
    assert_true(largest > 0.05); /* a map of zeros would pass any tolerance */
    assert_true(worst < tolerance);
    for (int c = 0; c < classes; c++)
        nnl_tensor_free(maps[c]);
    free(cls);
    nnl_tensor_free(y);
}

static void saliency_of_a_dense_model_matches_finite_differences(void **state)
{
    (void)state;
    nnl_model *m = dense_model(NNL_ACT_SOFTMAX);
    const int64_t dims[2] = {2, 6};
    nnl_tensor *x = tensor_of(2, dims, 3);
    /* float32 forward: h = 1e-2 keeps the rounding error (1e-7 / h) and the
     * truncation error (h^2 times the third derivative, < 1) both near 1e-5;
     * measured: 2.1e-5 at most (dense, conv and LSTM, scalar and AVX2) */
    check_against_finite_differences(m, x, 3, 1e-2, 1e-4);
    nnl_tensor_free(x);
    nnl_model_free(m);
}

static void saliency_of_a_conv_model_matches_finite_differences(void **state)
{
    (void)state;
    nnl_model *m = conv_model();
    const int64_t dims[4] = {2, 6, 6, 2};
    nnl_tensor *x = tensor_of(4, dims, 9);
    check_against_finite_differences(m, x, 3, 1e-2, 1e-4);
    nnl_tensor_free(x);
    nnl_model_free(m);
}

/* A sequence of float vectors {5, 3} -> LSTM 4 (final state) -> layernorm
 * -> dense 3 softmax: saliency is for any stack with float inputs. */
static void saliency_of_a_recurrent_model_matches_finite_differences(void **state)
{
    (void)state;
    const int64_t in[2] = {5, 3}, dims[3] = {2, 5, 3};
    nnl_model *m;
    nnl_layer *l;
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = 4;
    o.return_sequences = 0;
    assert_ok(nnl_model_create(&m, 2, in));
    assert_ok(nnl_model_set_seed(m, 8));
    assert_ok(nnl_layer_lstm(&l, &o));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_layernorm(&l, 1e-5f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(m, l));
    nnl_tensor *x = tensor_of(3, dims, 12);
    check_against_finite_differences(m, x, 3, 1e-2, 1e-4);
    nnl_tensor_free(x);
    nnl_model_free(m);
}

/* The score is the logit: with or without the final softmax, the same map
 * (same seed, same weights); and the predicted class is the argmax. */
static void saliency_is_of_the_logit(void **state)
{
    (void)state;
    nnl_model *soft = dense_model(NNL_ACT_SOFTMAX), *plain = dense_model(NNL_ACT_NONE);
    const int64_t dims[2] = {3, 6};
    nnl_tensor *x = tensor_of(2, dims, 4), *a = tensor_of(2, dims, 0), *b = tensor_of(2, dims, 0);
    const int32_t classes[3] = {0, 2, 1};
    assert_ok(nnl_model_saliency(soft, x, classes, a));
    assert_ok(nnl_model_saliency(plain, x, classes, b));
    for (int64_t i = 0; i < 18; i++)
        assert_float_equal(nnl_tensor_data(a)[i], nnl_tensor_data(b)[i], 1e-6);
    /* NULL classes = each sample's predicted class */
    const int64_t ydims[2] = {3, 3};
    nnl_tensor *y;
    assert_ok(nnl_tensor_create(&y, 2, ydims));
    assert_ok(nnl_model_predict(soft, x, y));
    int32_t predicted[3];
    for (int s = 0; s < 3; s++) {
        const float *p = nnl_tensor_data(y) + s * 3;
        predicted[s] = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
    }
    const int32_t all_predicted[3] = {NNL_SALIENCY_PREDICTED_CLASS, NNL_SALIENCY_PREDICTED_CLASS,
                                      NNL_SALIENCY_PREDICTED_CLASS};
    assert_ok(nnl_model_saliency(soft, x, predicted, a));
    assert_ok(nnl_model_saliency(soft, x, NULL, b));
    assert_memory_equal(nnl_tensor_data(a), nnl_tensor_data(b), 18 * sizeof(float));
    assert_ok(nnl_model_saliency(soft, x, all_predicted, b));
    assert_memory_equal(nnl_tensor_data(a), nnl_tensor_data(b), 18 * sizeof(float));
    nnl_tensor_free(y);
    nnl_tensor_free(x);
    nnl_tensor_free(a);
    nnl_tensor_free(b);
    nnl_model_free(soft);
    nnl_model_free(plain);
}

/* Saliency between training steps changes nothing about training: fit
 * zeroes the gradients before each backward pass. */
static void saliency_leaves_training_alone(void **state)
{
    (void)state;
    nnl_model *a = dense_model(NNL_ACT_SOFTMAX), *b = dense_model(NNL_ACT_SOFTMAX);
    nnl_optimizer *oa, *ob;
    assert_ok(nnl_optimizer_sgd(&oa, 0.1f, 0.0f, 0));
    assert_ok(nnl_optimizer_sgd(&ob, 0.1f, 0.0f, 0));
    assert_ok(nnl_model_compile(a, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, oa));
    assert_ok(nnl_model_compile(b, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, ob));
    float xs[8 * 6];
    int32_t ys[8];
    test_fill_random(xs, 48, 21);
    for (int i = 0; i < 8; i++)
        ys[i] = i % 3;
    nnl_dataset *d;
    const int64_t sample[1] = {6};
    assert_ok(nnl_dataset_create_labeled(&d, 8, 1, sample, xs, ys));
    const int64_t dims[2] = {8, 6};
    nnl_tensor *x = tensor_of(2, dims, 21), *map = tensor_of(2, dims, 0);
    assert_ok(nnl_model_fit(a, d, NULL, 1, 4, 1, NULL, NULL));
    assert_ok(nnl_model_fit(b, d, NULL, 1, 4, 1, NULL, NULL));
    assert_ok(nnl_model_saliency(a, x, NULL, map));
    assert_ok(nnl_model_fit(a, d, NULL, 1, 4, 1, NULL, NULL));
    assert_ok(nnl_model_fit(b, d, NULL, 1, 4, 1, NULL, NULL));
    nnl_tensor *ya = tensor_of(2, (const int64_t[]){8, 3}, 0), *yb = tensor_of(2, (const int64_t[]){8, 3}, 0);
    assert_ok(nnl_model_predict(a, x, ya));
    assert_ok(nnl_model_predict(b, x, yb));
    assert_memory_equal(nnl_tensor_data(ya), nnl_tensor_data(yb), 24 * sizeof(float));
    nnl_tensor_free(ya);
    nnl_tensor_free(yb);
    nnl_tensor_free(x);
    nnl_tensor_free(map);
    nnl_dataset_free(d);
    nnl_model_free(a);
    nnl_model_free(b);
}

/* ---- occlusion ---------------------------------------------------------- */

/* The map by hand: every patch position through nnl_model_predict(). */
static void occlusion_by_hand(const nnl_model *m, const float *image, int c, int patch, int stride, float *map)
{
    enum { H = 6, W = 6, C = 2 };
    double sum[H * W] = {0};
    int count[H * W] = {0};
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 3, (const int64_t[]){H, W, C}));
    assert_ok(nnl_tensor_create(&y, 1, (const int64_t[]){3}));
    memcpy(nnl_tensor_data(x), image, sizeof(float) * H * W * C);
    assert_ok(nnl_model_predict(m, x, y));
    const double base = nnl_tensor_data(y)[c];
    for (int y0 = 0;; y0 += stride) {
        y0 = y0 > H - patch ? H - patch : y0;
        for (int x0 = 0;; x0 += stride) {
            x0 = x0 > W - patch ? W - patch : x0;
            memcpy(nnl_tensor_data(x), image, sizeof(float) * H * W * C);
            for (int r = y0; r < y0 + patch; r++)
                for (int q = x0; q < x0 + patch; q++)
                    for (int k = 0; k < C; k++)
                        nnl_tensor_data(x)[(r * W + q) * C + k] = 0;
            assert_ok(nnl_model_predict(m, x, y));
            for (int r = y0; r < y0 + patch; r++)
                for (int q = x0; q < x0 + patch; q++) {
                    sum[r * W + q] += base - nnl_tensor_data(y)[c];
                    count[r * W + q]++;
                }
            if (x0 == W - patch)
                break;
        }
        if (y0 == H - patch)
            break;
    }
    for (int i = 0; i < H * W; i++)
        map[i] = (float)(sum[i] / count[i]);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

static void occlusion_matches_a_loop_of_predictions(void **state)
{
    (void)state;
    nnl_model *m = conv_model();
    const int64_t dims[3] = {6, 6, 2}, map_dims[2] = {6, 6};
    nnl_tensor *x = tensor_of(3, dims, 13), *map = tensor_of(2, map_dims, 0);
    /* stride 3 does not reach the edge with patch 2 (0, 3, then 4 against it);
     * batch 4 splits the 9 positions into 3 passes */
    nnl_occlusion_options o = NNL_OCCLUSION_OPTIONS_INIT;
    o.patch = 2;
    o.stride = 3;
    o.batch_size = 4;
    for (int c = 0; c < 3; c++) {
        float want[36];
        occlusion_by_hand(m, nnl_tensor_data(x), c, 2, 3, want);
        assert_ok(nnl_model_occlusion(m, x, c, &o, map));
        double largest = 0;
        for (int i = 0; i < 36; i++) {
            assert_float_equal(nnl_tensor_data(map)[i], want[i], 1e-6);
            largest = fmax(largest, fabs(want[i]));
        }
        assert_true(largest > 1e-3);
    }
    nnl_tensor_free(x);
    nnl_tensor_free(map);
    nnl_model_free(m);
}

/* The right half already equals the baseline: patches inside it change
 * nothing, so pixels only they cover get 0; the inked half does not. */
static void occluding_a_blank_region_changes_nothing(void **state)
{
    (void)state;
    nnl_model *m = conv_model();
    const int64_t dims[3] = {6, 6, 2}, map_dims[2] = {6, 6};
    nnl_tensor *x = tensor_of(3, dims, 17), *map = tensor_of(2, map_dims, 0);
    float *xs = nnl_tensor_data(x);
    for (int r = 0; r < 6; r++)
        for (int q = 3; q < 6; q++)
            xs[(r * 6 + q) * 2] = xs[(r * 6 + q) * 2 + 1] = 0.25f;
    nnl_occlusion_options o = NNL_OCCLUSION_OPTIONS_INIT;
    o.patch = 1;
    o.stride = 1;
    o.baseline = 0.25f;
    assert_ok(nnl_model_occlusion(m, x, NNL_SALIENCY_PREDICTED_CLASS, &o, map));
    double inked = 0;
    for (int r = 0; r < 6; r++)
        for (int q = 0; q < 6; q++) {
            float v = nnl_tensor_data(map)[r * 6 + q];
            if (q >= 3)
                assert_float_equal(v, 0.0f, 1e-6); /* rounding of a batched forward at most */
            else
                inked = fmax(inked, fabs(v));
        }
    assert_true(inked > 1e-3);
    nnl_tensor_free(x);
    nnl_tensor_free(map);
    nnl_model_free(m);
}

/* ---- input check -------------------------------------------------------- */

static int32_t reason_of(const float *image, int64_t n, const float *probabilities, int64_t classes)
{
    nnl_tensor *x;
    assert_ok(nnl_tensor_wrap(&x, 1, &n, (float *)image));
    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    assert_ok(nnl_input_check(x, probabilities, classes, NULL, &r));
    nnl_tensor_free(x);
    return r.reason;
}

/* The rules on inputs of any size, with probabilities given. */
static void the_check_follows_its_thresholds(void **state)
{
    (void)state;
    float img[10 * 30] = {0};
    const float sure[3] = {0.05f, 0.9f, 0.05f}, unsure[3] = {0.3f, 0.3f, 0.4f};
    assert_int_equal(reason_of(img, 300, sure, 3), NNL_INPUT_BLANK);
    for (int i = 0; i < 5; i++) /* 5 of 300 = 1.7% < 2% */
        img[i * 7] = 1.0f;
    assert_int_equal(reason_of(img, 300, sure, 3), NNL_INPUT_BLANK);
    for (int i = 0; i < 40; i++)
        img[i * 7] = 1.0f;
    assert_int_equal(reason_of(img, 300, sure, 3), NNL_INPUT_OK);
    assert_int_equal(reason_of(img, 300, unsure, 3), NNL_INPUT_UNSURE);
    assert_int_equal(reason_of(img, 300, NULL, 0), NNL_INPUT_OK);
    for (int i = 0; i < 300; i++)
        img[i] = 0.51f; /* every value above the level */
    assert_int_equal(reason_of(img, 300, sure, 3), NNL_INPUT_FULL);
    /* the report carries its measures; thresholds can be changed or disabled */
    nnl_tensor *x;
    const int64_t n = 300;
    assert_ok(nnl_tensor_wrap(&x, 1, &n, img));
    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    nnl_input_check_options o = NNL_INPUT_CHECK_OPTIONS_INIT;
    o.ink_level = 0.6f;
    o.min_ink = 0.0f;
    assert_ok(nnl_input_check(x, unsure, 3, &o, &r));
    assert_int_equal(r.reason, NNL_INPUT_UNSURE);
    assert_float_equal(r.ink, 0.0f, 0);
    assert_int_equal(r.top_class, 2);
    assert_float_equal(r.top_probability, 0.4f, 0);
    o.min_confidence = 0.0f;
    assert_ok(nnl_input_check(x, unsure, 3, &o, &r));
    assert_int_equal(r.reason, NNL_INPUT_OK);
    assert_string_equal(nnl_input_reason_name(NNL_INPUT_FULL), "too much ink");
    assert_string_equal(nnl_input_reason_name(99), "unknown");
    nnl_tensor_free(x);
}

static nnl_model *default_digits_model(void)
{
    const char *root = getenv("NNL_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/models/digits.safetensors", root ? root : ".");
    nnl_model *m = NULL;
    return nnl_model_load(&m, path) == NNL_OK ? m : NULL;
}

/* The reason the default model's check gives an image of 28x28. */
static int32_t check_digit(const nnl_model *m, const float *image, nnl_input_report *r)
{
    nnl_tensor *x, *y;
    const int64_t dims[3] = {28, 28, 1}, classes = 10;
    assert_ok(nnl_tensor_wrap(&x, 3, dims, (float *)image));
    assert_ok(nnl_tensor_create(&y, 1, &classes));
    *r = (nnl_input_report)NNL_INPUT_REPORT_INIT;
    assert_ok(nnl_model_predict_checked(m, x, y, NULL, r));
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    return r->reason;
}

/* Drawings that are not digits, made here, each flagged by the default
 * model's check (the reason it gives is printed). */
static void non_digits_are_flagged(void **state)
{
    (void)state;
    nnl_model *m = default_digits_model();
    if (!m)
        skip();
    float img[28 * 28];
    nnl_input_report r;
    memset(img, 0, sizeof img);
    assert_int_equal(check_digit(m, img, &r), NNL_INPUT_BLANK);
    img[14 * 28 + 14] = img[14 * 28 + 15] = 1.0f; /* a speck */
    assert_int_equal(check_digit(m, img, &r), NNL_INPUT_BLANK);
    for (int i = 0; i < 28 * 28; i++)
        img[i] = 1.0f;
    assert_int_equal(check_digit(m, img, &r), NNL_INPUT_FULL);
    /* a filled rectangle in the digits' 20x20 box */
    memset(img, 0, sizeof img);
    for (int y = 4; y < 24; y++)
        for (int x = 6; x < 22; x++)
            img[y * 28 + x] = 1.0f;
    assert_int_not_equal(check_digit(m, img, &r), NNL_INPUT_OK);
    printf("# filled 16x20 rectangle: %s (ink %.3f, p %.3f)\n", nnl_input_reason_name(r.reason), (double)r.ink,
           (double)r.top_probability);
    /* uniform noise over the whole field */
    test_fill_random(img, 28 * 28, 77);
    for (int i = 0; i < 28 * 28; i++)
        img[i] = 0.5f * (img[i] + 1.0f);
    assert_int_not_equal(check_digit(m, img, &r), NNL_INPUT_OK);
    printf("# uniform noise: %s (ink %.3f, p %.3f)\n", nnl_input_reason_name(r.reason), (double)r.ink,
           (double)r.top_probability);
    nnl_model_free(m);
}

/* The real test digits pass: few are flagged, and those are mostly ones
 * the model gets wrong. */
static void real_digits_pass(void **state)
{
    (void)state;
    nnl_model *m = default_digits_model();
    const char *root = getenv("NNL_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/mnist", root ? root : ".");
    nnl_dataset *train = NULL, *test = NULL;
    if (!m || nnl_dataset_load_idx_dir(&train, &test, dir) != NNL_OK) {
        nnl_model_free(m);
        skip();
    }
    const int64_t n = nnl_dataset_size(test), dims[4] = {1, 28, 28, 1};
    nnl_tensor *x;
    assert_ok(nnl_tensor_create(&x, 4, dims));
    int64_t flagged = 0, wrong = 0, flagged_wrong = 0, reasons[4] = {0};
    for (int64_t i = 0; i < n; i++) {
        int32_t label;
        assert_ok(nnl_dataset_get_batch(test, i, 1, x, NULL));
        assert_ok(nnl_dataset_get_labels(test, i, 1, &label));
        nnl_input_report r;
        int32_t reason = check_digit(m, nnl_tensor_data(x), &r);
        int is_wrong = r.top_class != label;
        reasons[reason]++;
        flagged += reason != NNL_INPUT_OK;
        wrong += is_wrong;
        flagged_wrong += is_wrong && reason != NNL_INPUT_OK;
    }
    printf("# %lld test digits: %lld flagged (blank %lld, full %lld, unsure %lld); %lld wrong, %lld of them "
           "flagged\n", (long long)n, (long long)flagged, (long long)reasons[1], (long long)reasons[2],
           (long long)reasons[3], (long long)wrong, (long long)flagged_wrong);
    assert_int_equal(reasons[NNL_INPUT_BLANK] + reasons[NNL_INPUT_FULL], 0);
    assert_true(flagged * 100 <= n); /* at most 1% of real digits */
    assert_true(flagged_wrong * 4 >= wrong); /* a quarter of the mistakes or more said "not sure" */
    nnl_tensor_free(x);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    nnl_model_free(m);
}

/* ---- misuse ------------------------------------------------------------- */

static void misuse_is_refused(void **state)
{
    (void)state;
    nnl_model *m = conv_model();
    const int64_t dims[3] = {6, 6, 2}, map_dims[2] = {6, 6}, wrong[3] = {6, 5, 2};
    nnl_tensor *x = tensor_of(3, dims, 1), *s = tensor_of(3, dims, 0), *map = tensor_of(2, map_dims, 0);
    nnl_tensor *bad = tensor_of(3, wrong, 1);
    const int32_t out_of_range[1] = {3}, negative[1] = {-2};
    assert_status_msg(nnl_model_saliency(NULL, x, NULL, s), NNL_E_INVALID_ARG, "model is NULL");
    assert_status_msg(nnl_model_saliency(m, NULL, NULL, s), NNL_E_INVALID_ARG, "x is NULL");
    assert_status_msg(nnl_model_saliency(m, x, NULL, NULL), NNL_E_INVALID_ARG, "saliency is NULL");
    assert_status_msg(nnl_model_saliency(m, bad, NULL, s), NNL_E_SHAPE, "expected [batch] + [6, 6, 2]");
    assert_status_msg(nnl_model_saliency(m, x, NULL, map), NNL_E_SHAPE, "saliency has 36 elements");
    assert_status_msg(nnl_model_saliency(m, x, out_of_range, s), NNL_E_INVALID_ARG, "classes[0]=3");
    assert_status_msg(nnl_model_saliency(m, x, negative, s), NNL_E_INVALID_ARG, "classes[0]=-2");
    nnl_tensor_data(x)[5] = NAN;
    assert_status_msg(nnl_model_saliency(m, x, NULL, s), NNL_E_NUMERIC, "input");
    assert_status_msg(nnl_model_occlusion(m, x, 0, NULL, map), NNL_E_NUMERIC, "input");
    nnl_tensor_data(x)[5] = 0;

    nnl_occlusion_options o = NNL_OCCLUSION_OPTIONS_INIT;
    assert_status_msg(nnl_model_occlusion(NULL, x, 0, NULL, map), NNL_E_INVALID_ARG, "model is NULL");
    assert_status_msg(nnl_model_occlusion(m, x, 0, NULL, s), NNL_E_SHAPE, "map has 72 elements");
    assert_status_msg(nnl_model_occlusion(m, bad, 0, NULL, map), NNL_E_SHAPE, "expected one sample");
    assert_status_msg(nnl_model_occlusion(m, x, 3, NULL, map), NNL_E_INVALID_ARG, "class_index=3");
    o.patch = 7;
    assert_status_msg(nnl_model_occlusion(m, x, 0, &o, map), NNL_E_INVALID_ARG, "patch=7");
    o = (nnl_occlusion_options)NNL_OCCLUSION_OPTIONS_INIT;
    o.baseline = INFINITY;
    assert_status_msg(nnl_model_occlusion(m, x, 0, &o, map), NNL_E_INVALID_ARG, "finite baseline");
    o = (nnl_occlusion_options)NNL_OCCLUSION_OPTIONS_INIT;
    o.struct_size = 3;
    assert_status_msg(nnl_model_occlusion(m, x, 0, &o, map), NNL_E_INVALID_ARG, "NNL_OCCLUSION_OPTIONS_INIT");

    nnl_input_report r = NNL_INPUT_REPORT_INIT;
    nnl_input_check_options c = NNL_INPUT_CHECK_OPTIONS_INIT;
    const float p[2] = {0.5f, NAN};
    assert_status_msg(nnl_input_check(NULL, NULL, 0, NULL, &r), NNL_E_INVALID_ARG, "x is NULL");
    assert_status_msg(nnl_input_check(x, NULL, 0, NULL, NULL), NNL_E_INVALID_ARG, "report is NULL");
    assert_status_msg(nnl_input_check(x, p, 0, NULL, &r), NNL_E_INVALID_ARG, "classes=0");
    assert_status_msg(nnl_input_check(x, p, 2, NULL, &r), NNL_E_NUMERIC, "probabilities");
    c.min_ink = 0.5f;
    c.max_ink = 0.4f;
    assert_status_msg(nnl_input_check(x, NULL, 0, &c, &r), NNL_E_INVALID_ARG, "min_ink=0.5");
    r.struct_size = 2;
    assert_status_msg(nnl_input_check(x, NULL, 0, NULL, &r), NNL_E_INVALID_ARG, "nnl_input_report");
    r = (nnl_input_report)NNL_INPUT_REPORT_INIT;
    nnl_tensor *y = tensor_of(1, (const int64_t[]){3}, 0), *two = tensor_of(4, (const int64_t[]){2, 6, 6, 2}, 1);
    assert_status_msg(nnl_model_predict_checked(m, two, y, NULL, &r), NNL_E_SHAPE, "expected one sample");
    assert_status_msg(nnl_model_predict_checked(m, x, map, NULL, &r), NNL_E_SHAPE, "y has 36 elements");
    assert_ok(nnl_model_predict_checked(m, x, y, NULL, &r));

    /* a model of token ids has no input gradient; one without layers no score */
    nnl_model *tokens, *empty;
    nnl_layer *l;
    const int64_t t[1] = {4};
    assert_ok(nnl_model_create(&tokens, 1, t));
    assert_ok(nnl_layer_embedding(&l, 10, 8));
    assert_ok(nnl_model_add(tokens, l));
    nnl_tensor *ids = tensor_of(1, t, 0), *ids_map = tensor_of(1, t, 0);
    assert_status_msg(nnl_model_saliency(tokens, ids, NULL, ids_map), NNL_E_UNSUPPORTED, "token ids");
    assert_ok(nnl_model_create(&empty, 1, t));
    assert_status_msg(nnl_model_saliency(empty, ids, NULL, ids_map), NNL_E_UNSUPPORTED, "no layers");
    assert_status_msg(nnl_model_occlusion(tokens, ids, 0, NULL, ids_map), NNL_E_SHAPE, "needs an image");

    nnl_model_free(tokens);
    nnl_model_free(empty);
    nnl_tensor_free(ids);
    nnl_tensor_free(ids_map);
    nnl_tensor_free(y);
    nnl_tensor_free(two);
    nnl_tensor_free(x);
    nnl_tensor_free(s);
    nnl_tensor_free(map);
    nnl_tensor_free(bad);
    nnl_model_free(m);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(saliency_of_a_dense_model_matches_finite_differences),
        cmocka_unit_test(saliency_of_a_conv_model_matches_finite_differences),
        cmocka_unit_test(saliency_of_a_recurrent_model_matches_finite_differences),
        cmocka_unit_test(saliency_is_of_the_logit),
        cmocka_unit_test(saliency_leaves_training_alone),
        cmocka_unit_test(occlusion_matches_a_loop_of_predictions),
        cmocka_unit_test(occluding_a_blank_region_changes_nothing),
        cmocka_unit_test(the_check_follows_its_thresholds),
        cmocka_unit_test(non_digits_are_flagged),
        cmocka_unit_test(real_digits_pass),
        cmocka_unit_test(misuse_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
