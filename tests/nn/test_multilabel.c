/* Multi-label classification: the metrics against a hand-computed example
 * (an empty predicted set, a class never present, a class never predicted),
 * threshold tuning against a hand-computed cut and against every possible
 * threshold, in-memory multi-hot datasets and their errors, prediction of
 * probabilities and label sets, and a small model trained by the ordinary
 * fit to a stated micro-F1 with the progress reporting multi-label metrics. */
#include <math.h>

#include "test_util.h"

enum { C3 = 3 };

/* ---- metrics ----------------------------------------------------------- */

/*            truth    predicted
 *   s0       1 0 0    1 0 0     exact
 *   s1       1 1 0    1 0 0     misses class 1
 *   s2       0 1 0    0 0 0     empty prediction, wrong
 *   s3       0 0 0    0 0 1     predicts class 2, which is never present
 *   s4       0 0 0    0 0 0     empty and right
 * class 0: tp 2 fp 0 fn 0; class 1: tp 0 fp 0 fn 2 (never predicted);
 * class 2: tp 0 fp 1 fn 0 (never present). */
static const uint8_t TRUTH[5 * C3] = {1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t PREDICTED[5 * C3] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

static void metrics_match_the_hand_computed_example(void **state)
{
    (void)state;
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    double p[C3], q[C3], f[C3];
    int64_t support[C3];
    assert_ok(nnl_metrics_multilabel(TRUTH, PREDICTED, 5, C3, &r, p, q, f, support));
    assert_float_equal(r.subset_accuracy, 2.0 / 5.0, 1e-12);
    assert_float_equal(r.hamming_loss, 3.0 / 15.0, 1e-12);
    assert_float_equal(r.micro_precision, 2.0 / 3.0, 1e-12);
    assert_float_equal(r.micro_recall, 2.0 / 4.0, 1e-12);
    assert_float_equal(r.micro_f1, 4.0 / 7.0, 1e-12);
    assert_float_equal(r.macro_precision, 1.0 / 3.0, 1e-12);
    assert_float_equal(r.macro_recall, 1.0 / 3.0, 1e-12);
    assert_float_equal(r.macro_f1, 1.0 / 3.0, 1e-12);
    const double want_p[C3] = {1, 0, 0}, want_q[C3] = {1, 0, 0}, want_f[C3] = {1, 0, 0};
    const int64_t want_support[C3] = {2, 2, 0};
    for (int c = 0; c < C3; c++) {
        assert_float_equal(p[c], want_p[c], 1e-12);
        assert_float_equal(q[c], want_q[c], 1e-12);
        assert_float_equal(f[c], want_f[c], 1e-12);
        assert_int_equal(support[c], want_support[c]);
    }
    /* all outputs optional; nothing at all predicted or present gives zeros, not NaN */
    const uint8_t none[2 * C3] = {0};
    assert_ok(nnl_metrics_multilabel(none, none, 2, C3, &r, NULL, NULL, NULL, NULL));
    assert_float_equal(r.subset_accuracy, 1.0, 0);
    assert_float_equal(r.hamming_loss, 0.0, 0);
    assert_float_equal(r.micro_f1, 0.0, 0);
    assert_float_equal(r.macro_f1, 0.0, 0);
}

static void metrics_refuse_bad_input(void **state)
{
    (void)state;
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    uint8_t bad[5 * C3];
    memcpy(bad, PREDICTED, sizeof bad);
    bad[1 * C3 + 2] = 2;
    assert_status_msg(nnl_metrics_multilabel(TRUTH, bad, 5, C3, &r, NULL, NULL, NULL, NULL), NNL_E_INVALID_ARG,
                      "predicted[1][2]=2, expected 0 or 1");
    assert_status_msg(nnl_metrics_multilabel(TRUTH, PREDICTED, 5, 0, &r, NULL, NULL, NULL, NULL),
                      NNL_E_INVALID_ARG, "num_classes=0");
    r.struct_size = 8;
    assert_status_msg(nnl_metrics_multilabel(TRUTH, PREDICTED, 5, C3, &r, NULL, NULL, NULL, NULL),
                      NNL_E_INVALID_ARG, "nnl_multilabel_report");
}

/* ---- threshold tuning -------------------------------------------------- */

/* F1 of one class (column c of count x classes) at a threshold. */
static double class_f1(const float *p, const uint8_t *t, int64_t count, int classes, int c, float threshold)
{
    int64_t tp = 0, fp = 0, fn = 0;
    for (int64_t i = 0; i < count; i++) {
        int predicted = p[i * classes + c] >= threshold, present = t[i * classes + c];
        tp += predicted && present;
        fp += predicted && !present;
        fn += !predicted && present;
    }
    return 2 * tp + fp + fn > 0 ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

/* Class 0: at 0.5 only the first positive is found (F1 0.5); the cut below
 * the third sample finds all three (F1 1), midway between 0.35 and 0.2.
 * Class 1 is best at 0.5 already; class 2 has no positive sample. */
static void tuned_thresholds_match_the_hand_computed_cuts(void **state)
{
    (void)state;
    const float p[5 * C3] = {0.9f, 0.8f, 0.7f, 0.4f, 0.6f, 0.2f, 0.35f, 0.3f, 0.6f, 0.2f, 0.1f, 0.1f, 0.1f, 0.05f, 0.0f};
    const uint8_t t[5 * C3] = {1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    float thresholds[C3];
    assert_ok(nnl_metrics_tune_thresholds(p, t, 5, C3, thresholds));
    assert_float_equal(thresholds[0], 0.275f, 1e-6);
    assert_float_equal(thresholds[1], 0.5f, 0);
    assert_float_equal(thresholds[2], 0.5f, 0);
    assert_float_equal(class_f1(p, t, 5, C3, 0, thresholds[0]), 1.0, 0);
    uint8_t bad_t[5 * C3];
    memcpy(bad_t, t, sizeof t);
    bad_t[7] = 9;
    assert_status_msg(nnl_metrics_tune_thresholds(p, bad_t, 5, C3, thresholds), NNL_E_INVALID_ARG,
                      "truth[2][1]=9");
    float nan_p[5 * C3];
    memcpy(nan_p, p, sizeof p);
    nan_p[4] = NAN;
    assert_status_msg(nnl_metrics_tune_thresholds(nan_p, t, 5, C3, thresholds), NNL_E_INVALID_ARG,
                      "probabilities[1][1]=nan");
}

/* Noisy probabilities of 300 samples x 6 classes: each tuned threshold's F1
 * is at least 0.5's, and equals the best F1 that any threshold (every
 * probability value, tried one by one) reaches. */
static void tuning_keeps_or_improves_f1_and_finds_the_best_threshold(void **state)
{
    (void)state;
    enum { N = 300, K = 6 };
    static float p[N * K], noise[N * K];
    static uint8_t t[N * K];
    test_fill_random(noise, N * K, 7);
    for (int i = 0; i < N * K; i++) {
        t[i] = (uint8_t)((i * 2654435761u >> 7) % (2 + i % K) == 0);
        float v = (t[i] ? 0.35f : 0.15f) + 0.3f * noise[i] + 0.1f * (float)(i % K) / K;
        p[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    float thresholds[K];
    assert_ok(nnl_metrics_tune_thresholds(p, t, N, K, thresholds));
    int improved = 0;
    for (int c = 0; c < K; c++) {
        double tuned = class_f1(p, t, N, K, c, thresholds[c]), at_half = class_f1(p, t, N, K, c, 0.5f);
        double best = at_half;
        for (int i = 0; i < N; i++)
            best = fmax(best, class_f1(p, t, N, K, c, p[i * K + c]));
        assert_true(tuned >= at_half);
        assert_float_equal(tuned, best, 1e-12);
        assert_true(thresholds[c] >= 0.0f && thresholds[c] <= 1.0f);
        improved += tuned > at_half;
    }
    assert_true(improved >= K / 2); /* the probabilities are shifted low: most classes gain */
}

/* ---- data and prediction ----------------------------------------------- */

/* Points (a, b) in [-1, 1)^2 with three classes: a > 0, b > 0, a + b > 0.5. */
static nnl_dataset *points(int64_t n, uint32_t seed)
{
    float *x = malloc(sizeof(float) * (size_t)n * 2);
    uint8_t *y = malloc((size_t)n * C3);
    assert_true(x && y);
    test_fill_random(x, n * 2, seed);
    for (int64_t i = 0; i < n; i++) {
        float a = x[2 * i], b = x[2 * i + 1];
        y[i * C3] = a > 0;
        y[i * C3 + 1] = b > 0;
        y[i * C3 + 2] = a + b > 0.5f;
    }
    const int64_t dims = 2;
    nnl_dataset *d;
    assert_ok(nnl_dataset_create_multilabel(&d, n, 1, &dims, x, n, C3, y));
    free(x);
    free(y);
    return d;
}

static void label_matrices_make_multilabel_datasets(void **state)
{
    (void)state;
    nnl_dataset *d = points(10, 1), *a, *b;
    assert_true(nnl_dataset_is_multilabel(d));
    assert_int_equal(nnl_dataset_num_classes(d), C3);
    assert_ok(nnl_dataset_shuffle(d, 3));
    assert_ok(nnl_dataset_split(d, 4, &a, &b));
    assert_true(nnl_dataset_is_multilabel(a) && nnl_dataset_is_multilabel(b));
    assert_int_equal(nnl_dataset_num_classes(b), C3);
    /* the rows still match their samples after the shuffle */
    int64_t xd[2] = {6, 2};
    nnl_tensor *x;
    assert_ok(nnl_tensor_create(&x, 2, xd));
    assert_ok(nnl_dataset_get_batch(b, 0, 6, x, NULL));
    uint8_t rows[6 * C3];
    assert_ok(nnl_dataset_get_multilabels(b, 0, 6, rows));
    for (int i = 0; i < 6; i++)
        assert_int_equal(rows[i * C3], nnl_tensor_data(x)[2 * i] > 0);
    nnl_tensor_free(x);
    nnl_dataset_free(a);
    nnl_dataset_free(b);
    /* mismatched shapes and bad bytes */
    const float xs[4] = {0};
    const uint8_t ys[6] = {0, 1, 1, 0, 3, 0};
    const int64_t one = 1;
    nnl_dataset *e = (nnl_dataset *)&e;
    assert_status_msg(nnl_dataset_create_multilabel(&e, 4, 1, &one, xs, 3, 2, ys), NNL_E_SHAPE,
                      "the label matrix has 3 rows, there are 4 samples");
    assert_null(e);
    assert_status_msg(nnl_dataset_create_multilabel(&e, 3, 1, &one, xs, 3, 2, ys), NNL_E_INVALID_ARG,
                      "labels[2][0]=3, expected 0 or 1");
    assert_int_equal(nnl_dataset_is_multilabel(NULL), 0);
    int32_t labels[10];
    assert_status_msg(nnl_dataset_get_labels(d, 0, 10, labels), NNL_E_STATE, "multi-hot");
    nnl_dataset_free(d);
}

static nnl_model *points_model(nnl_activation last, nnl_loss loss)
{
    const int64_t in = 2;
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_model_set_seed(m, 5));
    assert_ok(nnl_layer_dense(&l, 16, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, C3, last));
    assert_ok(nnl_model_add(m, l));
    nnl_optimizer *o;
    assert_ok(nnl_optimizer_adam(&o, 1e-2f, 0.9f, 0.999f, 1e-7f));
    assert_ok(nnl_model_compile(m, loss, o));
    return m;
}

typedef struct seen {
    int reports, ends;
    double micro_f1, hamming, val_micro_f1, val_hamming, accuracy, val_accuracy;
} seen;

static int record(const nnl_progress *p, void *user)
{
    seen *s = user;
    s->reports++;
    s->micro_f1 = nnl_progress_get(p, NNL_PROGRESS_MICRO_F1);
    s->hamming = nnl_progress_get(p, NNL_PROGRESS_HAMMING_LOSS);
    s->accuracy = nnl_progress_get(p, NNL_PROGRESS_ACCURACY);
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 1) {
        s->ends++;
        s->val_micro_f1 = nnl_progress_get(p, NNL_PROGRESS_VAL_MICRO_F1);
        s->val_hamming = nnl_progress_get(p, NNL_PROGRESS_VAL_HAMMING_LOSS);
        s->val_accuracy = nnl_progress_get(p, NNL_PROGRESS_VAL_ACCURACY);
    }
    return 0;
}

/* A sigmoid head trained by the ordinary fit: test micro-F1 >= 0.9 (the
 * classes are simple regions of the plane), the progress's validation
 * numbers equal the metrics of nnl_model_predict_multilabel's label sets. */
static void sigmoid_head_trains_to_a_high_micro_f1(void **state)
{
    (void)state;
    nnl_dataset *train = points(2000, 11), *test = points(500, 12);
    nnl_model *m = points_model(NNL_ACT_SIGMOID, NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY);
    seen s = {0};
    assert_ok(nnl_model_fit(m, train, test, 8, 32, 1, record, &s));
    assert_int_equal(s.ends, 8);
    assert_true(s.micro_f1 > 0.8 && s.hamming < 0.2 && s.accuracy > 0.5);
    uint8_t *truth = malloc(500 * C3), *predicted = malloc(500 * C3);
    float *probabilities = malloc(sizeof(float) * 500 * C3);
    assert_true(truth && predicted && probabilities);
    assert_ok(nnl_dataset_get_multilabels(test, 0, 500, truth));
    assert_ok(nnl_model_predict_multilabel(m, test, 64, NULL, probabilities, predicted));
    nnl_multilabel_report r = NNL_MULTILABEL_REPORT_INIT;
    assert_ok(nnl_metrics_multilabel(truth, predicted, 500, C3, &r, NULL, NULL, NULL, NULL));
    print_message("test: micro_f1=%.4f macro_f1=%.4f subset_accuracy=%.4f hamming_loss=%.4f\n", r.micro_f1,
                  r.macro_f1, r.subset_accuracy, r.hamming_loss);
    assert_true(r.micro_f1 >= 0.9);
    assert_float_equal(s.val_micro_f1, r.micro_f1, 1e-9);
    assert_float_equal(s.val_hamming, r.hamming_loss, 1e-9);
    assert_float_equal(s.val_accuracy, r.subset_accuracy, 1e-9);
    double loss, accuracy;
    assert_ok(nnl_model_evaluate(m, test, 100, &loss, &accuracy));
    assert_float_equal(accuracy, r.subset_accuracy, 1e-9);
    /* label sets are the probabilities at the thresholds */
    const float thresholds[C3] = {0.2f, 0.5f, 0.9f};
    assert_ok(nnl_model_predict_multilabel(m, test, 500, thresholds, NULL, predicted));
    for (int i = 0; i < 500 * C3; i++)
        assert_int_equal(predicted[i], probabilities[i] >= thresholds[i % C3]);
    const float bad[C3] = {0.5f, 1.5f, 0.5f};
    assert_status_msg(nnl_model_predict_multilabel(m, test, 10, bad, NULL, predicted), NNL_E_INVALID_ARG,
                      "thresholds[1]=1.5");
    free(truth);
    free(predicted);
    free(probabilities);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
}

/* A linear head with the loss: its outputs are logits, and the
 * probabilities their sigmoid. A softmax classifier has no multi-label
 * probabilities, and its progress no multi-label numbers. */
static void logits_head_gives_sigmoid_probabilities(void **state)
{
    (void)state;
    nnl_dataset *d = points(20, 3);
    nnl_model *m = points_model(NNL_ACT_NONE, NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY);
    float probabilities[20 * C3], logits[20 * C3];
    assert_ok(nnl_model_predict_multilabel(m, d, 7, NULL, probabilities, NULL));
    assert_ok(nnl_model_predict_dataset(m, d, 7, logits, NULL));
    for (int i = 0; i < 20 * C3; i++)
        assert_float_equal(probabilities[i], 1.0 / (1.0 + exp(-(double)logits[i])), 1e-6);
    nnl_model_free(m);
    m = points_model(NNL_ACT_SOFTMAX, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    assert_status_msg(nnl_model_predict_multilabel(m, d, 7, NULL, probabilities, NULL), NNL_E_STATE,
                      "not class probabilities");
    /* single-label training: accuracy, no multi-label numbers */
    int64_t xd[2] = {20, 2};
    nnl_tensor *x;
    assert_ok(nnl_tensor_create(&x, 2, xd));
    assert_ok(nnl_dataset_get_batch(d, 0, 20, x, NULL));
    int32_t labels[20];
    for (int i = 0; i < 20; i++)
        labels[i] = nnl_tensor_data(x)[2 * i] > 0;
    const int64_t two = 2;
    nnl_dataset *single;
    assert_ok(nnl_dataset_create_labeled(&single, 20, 1, &two, nnl_tensor_data(x), labels));
    seen s = {0};
    assert_ok(nnl_model_fit(m, single, single, 1, 8, 1, record, &s));
    assert_true(isnan(s.micro_f1) && isnan(s.hamming) && isnan(s.val_micro_f1) && isnan(s.val_hamming));
    assert_true(s.accuracy >= 0.0 && s.val_accuracy >= 0.0);
    nnl_tensor_free(x);
    nnl_dataset_free(single);
    nnl_model_free(m);
    nnl_dataset_free(d);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_match_the_hand_computed_example),
        cmocka_unit_test(metrics_refuse_bad_input),
        cmocka_unit_test(tuned_thresholds_match_the_hand_computed_cuts),
        cmocka_unit_test(tuning_keeps_or_improves_f1_and_finds_the_best_threshold),
        cmocka_unit_test(label_matrices_make_multilabel_datasets),
        cmocka_unit_test(sigmoid_head_trains_to_a_high_micro_f1),
        cmocka_unit_test(logits_head_gives_sigmoid_probabilities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
