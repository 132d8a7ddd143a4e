/* The one model stack below the GPT: the losses against finite differences
 * (cross-entropy at every position with ignored labels, sigmoid binary
 * cross-entropy, and its stability for large logits), a causal stack with a
 * tied output layer against finite differences, text windows as a data set,
 * steps-mode training resumed from a model file drawing the same batches,
 * generation at temperature 0 following the full forward's argmax, and
 * convolution and pooling pairs run as one pass against the layers run one
 * by one and against finite differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fixtures/fixtures.h"
#include "kernels/kernel_test.h"
#include "test_util.h"

#include "data/dataset.h"
#include "nn/loss.h"
#include "nn/model.h"
#include "nn/workspace.h"

enum { T = 6, V = 11, C = 8, B = 3 };

/* embedding(V, C) -> position_embedding(T) -> layernorm -> dense(C, tanh) ->
 * causal attention -> tied_output(0): (T,) ids -> (T, V) logits. */
static nnl_model *causal_stack(uint64_t seed)
{
    const int64_t in = T;
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_model_set_seed(m, seed));
    assert_ok(nnl_layer_embedding(&l, V, C));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_position_embedding(&l, T));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_layernorm(&l, 1e-5f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, C, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_causal_self_attention(&l, 2));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_tied_output(&l, 0));
    assert_ok(nnl_model_add(m, l));
    return m;
}

static void compile(nnl_model *m, nnl_loss loss)
{
    nnl_optimizer *o;
    assert_ok(nnl_optimizer_adam(&o, 1e-2f, 0.9f, 0.999f, 1e-7f));
    assert_ok(nnl_model_compile(m, loss, o));
}

/* B sequences of ids; targets the next id, some positions ignored. */
static nnl_dataset *sequences(int ignore)
{
    float x[B * T], y[B * T];
    for (int i = 0; i < B * T; i++) {
        x[i] = (float)((i * 7 + 3) % V);
        y[i] = ignore && i % 4 == 1 ? (float)NNL_LOSS_IGNORE_INDEX : (float)((i * 5 + 1) % V);
    }
    const int64_t dims = T;
    nnl_dataset *d;
    assert_ok(nnl_dataset_create(&d, B, 1, &dims, x, 1, &dims, y));
    return d;
}



/* Every parameter's gradient against central differences of evaluate's
 * loss, steps of h. */
static void check_gradients(nnl_model *m, const nnl_dataset *d, int64_t n, float h, double tolerance)
{
    fixture_backward(m, d, n);
    for (int i = 0; i < m->num_params; i++) {
        nnl_param *p = m->params[i].param;
        for (int64_t j = 0; j < p->value->size; j += 1 + p->value->size / 7) {
            float saved = p->value->data[j];
            p->value->data[j] = saved + h;
            double up = 0;
            assert_ok(nnl_model_evaluate(m, d, n, &up, NULL));
            p->value->data[j] = saved - h;
            double down = 0;
            assert_ok(nnl_model_evaluate(m, d, n, &down, NULL));
            p->value->data[j] = saved;
            double numeric = (up - down) / (2.0 * h), analytic = p->grad->data[j];
            if (fabs(numeric - analytic) > tolerance + 3e-2 * fabs(numeric))
                fail_msg("%s[%lld]: analytic %g, numeric %g", m->params[i].name, (long long)j, analytic, numeric);
        }
    }
}

static void causal_stack_with_tied_output_and_ignored_labels(void **state)
{
    (void)state;
    nnl_model *m = causal_stack(3);
    compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY);
    nnl_dataset *d = sequences(1);
    /* the tied table is one parameter: embedding + position + layernorm 2 + dense 2 + attention 4 */
    assert_int_equal(m->num_params, 10);
    assert_int_equal(nnl_model_param_count(m), V * C + T * C + 2 * C + C * C + C + 4 * C * C + 4 * C);
    check_gradients(m, d, B, 1e-2f, 3e-4);
    /* the loss is the mean over the positions whose label is not ignored */
    const int64_t x_dims[2] = {B, T}, y_dims[3] = {B, T, V};
    nnl_tensor *x, *logits;
    assert_ok(nnl_tensor_create(&x, 2, x_dims));
    assert_ok(nnl_tensor_create(&logits, 3, y_dims));
    memcpy(nnl_tensor_data(x), d->x, sizeof(float) * B * T);
    assert_ok(nnl_model_predict(m, x, logits));
    double sum = 0;
    int counted = 0;
    for (int r = 0; r < B * T; r++) {
        if (d->y[r] == (float)NNL_LOSS_IGNORE_INDEX)
            continue;
        int32_t label;
        const nnl_loss_input one = {nnl_tensor_data(logits) + r * V, NULL, &d->y[r], 1, 1, V, NULL, &label, "test"};
        nnl_loss_result r1;
        assert_ok(nnl_loss_compute(NNL_LOSS_SOFTMAX_CROSSENTROPY, &one, &r1));
        sum += r1.sum;
        counted++;
    }
    assert_int_equal(counted, B * T - (B * T + 2) / 4);
    assert_float_equal(fixture_mean_loss(m, d, B), sum / counted, 1e-6);
    nnl_tensor_free(x);
    nnl_tensor_free(logits);
    nnl_dataset_free(d);
    nnl_model_free(m);
}

/* A loss that counts a quarter of the positions (a masked language model's
 * share) runs the position-wise head on those rows only (counted_head.c):
 * loss and every gradient are those of the full head, computed here by the
 * full forward, the loss over all rows and the whole stack's backward. */
static void counted_positions_run_the_head_alone_with_the_full_gradients(void **state)
{
    (void)state;
    nnl_model *m = causal_stack(4);
    compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY);
    float x[B * T], y[B * T];
    for (int i = 0; i < B * T; i++) {
        x[i] = (float)((i * 7 + 3) % V);
        y[i] = i % 4 == 2 ? (float)((i * 5 + 1) % V) : (float)NNL_LOSS_IGNORE_INDEX;
    }
    const int64_t dims = T;
    nnl_dataset *d;
    assert_ok(nnl_dataset_create(&d, B, 1, &dims, x, 1, &dims, y));
    fixture_backward(m, d, B);
    assert_int_equal(m->head_kept, (B * T + 1) / 4);
    assert_int_equal(nnl_counted_head_start(m), m->num_layers - 1); /* tied_output */
    int64_t total = 0;
    for (int i = 0; i < m->num_params; i++)
        total += m->params[i].param->grad->size;
    float *counted = malloc(sizeof(float) * (size_t)total);
    for (int i = 0, at = 0; i < m->num_params; at += (int)m->params[i].param->grad->size, i++)
        memcpy(counted + at, m->params[i].param->grad->data, sizeof(float) * (size_t)m->params[i].param->grad->size);
    const double counted_loss = fixture_mean_loss(m, d, B);

    nnl_workspace *ws;
    nnl_tensor *ids, *dy;
    const int64_t x_dims[2] = {B, T}, y_dims[3] = {B, T, V};
    assert_ok(nnl_workspace_create(&ws, m->num_layers));
    assert_ok(nnl_tensor_create_from(&ids, 2, x_dims, x));
    assert_ok(nnl_tensor_create(&dy, 3, y_dims));
    const nnl_forward_ctx training = {.training = 1};
    const nnl_tensor *logits;
    assert_ok(nnl_model_forward(m, ws, ids, &training, &logits));
    int32_t labels[B * T];
    const nnl_loss_input all = {logits->data, NULL, y, B, B * T, V, nnl_tensor_data(dy), labels, "test"};
    nnl_loss_result full;
    assert_ok(nnl_loss_compute(NNL_LOSS_SOFTMAX_CROSSENTROPY, &all, &full));
    assert_float_equal(counted_loss, full.sum / (double)full.count, 1e-6);
    nnl_model_zero_grads(m);
    assert_ok(nnl_sequence_backward(m->layers, m->num_layers, ws, ids, dy, 0, NULL));
    for (int i = 0, at = 0; i < m->num_params; at += (int)m->params[i].param->grad->size, i++)
        for (int64_t j = 0; j < m->params[i].param->grad->size; j++) {
            float want = m->params[i].param->grad->data[j], got = counted[at + j];
            if (fabsf(got - want) > 1e-6f + 1e-5f * fabsf(want))
                fail_msg("%s[%lld]: %.8g with the counted head, %.8g with the full one", m->params[i].name,
                         (long long)j, got, want);
        }
    /* a GPT's batch (every position counted) keeps the full head */
    nnl_dataset *every = sequences(0);
    fixture_backward(m, every, B);
    assert_true(m->head_kept < 0);
    nnl_dataset_free(every);
    nnl_tensor_free(ids);
    nnl_tensor_free(dy);
    nnl_workspace_free(ws);
    free(counted);
    nnl_dataset_free(d);
    nnl_model_free(m);
}

/* dense(3) logits with multi-hot targets. */
static void sigmoid_binary_cross_entropy_gradients(void **state)
{
    (void)state;
    const int64_t in = 4;
    float x[2 * 4] = {0.5f, -1.0f, 2.0f, 0.1f, -0.3f, 0.8f, 0.0f, 1.5f}, y[2 * 3] = {1, 0, 1, 0, 1, 1};
    const int64_t classes = 3;
    nnl_dataset *d;
    assert_ok(nnl_dataset_create(&d, 2, 1, &in, x, 1, &classes, y));
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    compile(m, NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY);
    check_gradients(m, d, 2, 1e-2f, 1e-4);
    nnl_dataset_free(d);
    nnl_model_free(m);
}

static void sigmoid_binary_cross_entropy_is_exact_for_large_logits(void **state)
{
    (void)state;
    const float z[4] = {100.0f, -100.0f, 30.0f, -0.5f}, t[4] = {0.0f, 1.0f, 1.0f, 1.0f};
    float dy[4];
    const nnl_loss_input in = {z, NULL, t, 1, 1, 4, dy, NULL, "test"};
    nnl_loss_result r;
    assert_ok(nnl_loss_compute(NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY, &in, &r));
    /* -log(1 - s(100)) = 100 + log(1 + e^-100), -log s(-100) likewise, -log s(30), -log s(-0.5) */
    double want = (100.0 + 100.0 + log1p(exp(-30.0)) + 0.5 + log1p(exp(-0.5))) / 4.0;
    assert_true(isfinite(r.sum));
    assert_float_equal(r.sum, want, 1e-9 * want);
    assert_int_equal(r.correct, 0); /* the first two are confidently wrong */
    assert_float_equal(dy[0], 0.25f, 1e-7);
    assert_float_equal(dy[1], -0.25f, 1e-7);
}

/* dL/dz of the loss against central differences of its value (in double)
 * at logits of +-80 for both targets, one logit at a time so that the tiny
 * values are not lost in a sum: their relative error too (e^-80 =
 * 1.8e-35, which 1 / (1 + e^-z) - t would round to 0). */
static void sigmoid_binary_cross_entropy_gradient_at_large_logits(void **state)
{
    (void)state;
    enum { N = 8 };
    const float z[N] = {80.0f, 80.0f, -80.0f, -80.0f, 3.0f, -2.0f, 0.5f, 0.0f};
    const float t[N] = {1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f};
    for (int i = 0; i < N; i++) {
        float dy, up = z[i] + 1e-2f, down = z[i] - 1e-2f;
        nnl_loss_result r, ru, rd;
        assert_ok(nnl_loss_compute(NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY,
                                   &(const nnl_loss_input){&z[i], NULL, &t[i], 1, 1, 1, &dy, NULL, "test"}, &r));
        assert_ok(nnl_loss_compute(NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY,
                                   &(const nnl_loss_input){&up, NULL, &t[i], 1, 1, 1, NULL, NULL, "test"}, &ru));
        assert_ok(nnl_loss_compute(NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY,
                                   &(const nnl_loss_input){&down, NULL, &t[i], 1, 1, 1, NULL, NULL, "test"}, &rd));
        double numeric = (ru.sum - rd.sum) / ((double)up - (double)down);
        if (!(fabs(dy - numeric) <= 1e-3 * fabs(numeric)))
            fail_msg("z=%g t=%g: analytic %g, numeric %g", (double)z[i], (double)t[i], (double)dy, numeric);
        if (fabsf(z[i]) == 80.0f && (z[i] > 0) == (t[i] > 0))
            assert_true(dy != 0.0f && fabsf(dy) < 1e-34f); /* -+e^-80, not 0 */
    }
}

/* A sigmoid last layer: the loss takes its logits (fused), the gradient
 * skips the sigmoid; right at ordinary and at +-80 logits. */
static void sigmoid_output_fuses_with_binary_cross_entropy(void **state)
{
    (void)state;
    const int64_t in = 4, classes = 3;
    float x[2 * 4] = {0.5f, -1.0f, 2.0f, 0.1f, -0.3f, 0.8f, 0.0f, 1.5f}, y[2 * 3] = {1, 0, 1, 0, 1, 1};
    nnl_dataset *d;
    assert_ok(nnl_dataset_create(&d, 2, 1, &in, x, 1, &classes, y));
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &in));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SIGMOID));
    assert_ok(nnl_model_add(m, l));
    compile(m, NNL_LOSS_SIGMOID_BINARY_CROSSENTROPY);
    check_gradients(m, d, 2, 1e-2f, 1e-4);
    /* logits near +80, -80, +80 for both samples: two classes confidently wrong in one of them */
    nnl_tensor *kernel = m->params[0].param->value, *bias = m->params[1].param->value;
    for (int64_t i = 0; i < nnl_tensor_size(kernel); i++)
        nnl_tensor_data(kernel)[i] *= 0.01f;
    const float large[3] = {80.0f, -80.0f, 80.0f};
    memcpy(nnl_tensor_data(bias), large, sizeof large);
    double loss;
    assert_ok(nnl_model_evaluate(m, d, 2, &loss, NULL));
    /* sample 1 has two classes wrong by 80: (80 + 80) / 3 of its mean; not clamped by rounding to 0 or 1 */
    assert_float_equal(loss, 160.0 / 3.0 / 2.0, 1e-2);
    check_gradients(m, d, 2, 1e-2f, 1e-4);
    nnl_dataset_free(d);
    nnl_model_free(m);
}

static void text_windows_are_shifted_by_one(void **state)
{
    (void)state;
    char path[] = "/tmp/nnl-windows-XXXXXX";
    int fd = mkstemp(path);
    const char text[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    assert_true(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    nnl_text_dataset *t;
    assert_ok(nnl_text_dataset_load(&t, path, NULL, 0, 1));
    nnl_dataset *w;
    assert_ok(nnl_dataset_from_text(&w, t, NNL_SPLIT_TRAIN, 5));
    assert_int_equal(nnl_dataset_size(w), nnl_text_dataset_length(t, NNL_SPLIT_TRAIN) - 5);
    int64_t dims[2];
    int ndim;
    assert_ok(nnl_dataset_sample_shape(w, dims, 2, &ndim));
    assert_int_equal(ndim, 1);
    assert_int_equal(dims[0], 5);
    const int64_t shape[2] = {2, 5};
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 2, shape));
    assert_ok(nnl_tensor_create(&y, 2, shape));
    assert_ok(nnl_dataset_get_batch(w, 3, 2, x, y));
    int32_t ids[64];
    int64_t n;
    assert_ok(nnl_tokenizer_encode(nnl_text_dataset_tokenizer(t), text, sizeof text - 1, 0, ids, 64, &n));
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 5; i++) {
            assert_true(nnl_tensor_data(x)[s * 5 + i] == (float)ids[3 + s + i]);
            assert_true(nnl_tensor_data(y)[s * 5 + i] == (float)ids[3 + s + i + 1]);
        }
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_dataset_free(w);
    nnl_text_dataset_free(t);
    unlink(path);
}

typedef struct losses {
    double values[16];
    int count;
} losses;

static int record(const nnl_progress *p, void *user)
{
    losses *l = user;
    if (nnl_progress_get(p, NNL_PROGRESS_EPOCH_END) == 0 && l->count < 16)
        l->values[l->count++] = nnl_progress_get(p, NNL_PROGRESS_STEP_LOSS);
    return 0;
}

static void fit_steps(nnl_model *m, const nnl_dataset *d, int64_t steps, losses *l)
{
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.steps = steps, o.batch_size = 2, o.seed = 9, o.progress = record, o.user = l, o.clip_norm = 1.0f;
    assert_ok(nnl_model_fit_with(m, d, &o));
}

static void steps_resumed_from_a_file_draw_the_same_batches(void **state)
{
    (void)state;
    nnl_dataset *d = sequences(0);
    nnl_model *straight = causal_stack(5), *first = causal_stack(5), *resumed;
    compile(straight, NNL_LOSS_SOFTMAX_CROSSENTROPY);
    compile(first, NNL_LOSS_SOFTMAX_CROSSENTROPY);
    losses a = {{0}, 0}, b = {{0}, 0};
    fit_steps(straight, d, 8, &a);
    fit_steps(first, d, 4, &b);
    char path[] = "/tmp/nnl-steps-XXXXXX";
    close(mkstemp(path));
    assert_ok(nnl_model_save(first, path, NNL_SAVE_OPTIMIZER));
    assert_ok(nnl_model_load(&resumed, path));
    fit_steps(resumed, d, 4, &b);
    assert_int_equal(b.count, 8);
    for (int i = 0; i < 8; i++)
        assert_true(a.values[i] == b.values[i]);
    assert_true(a.values[7] < a.values[0]);
    for (int i = 0; i < straight->num_params; i++)
        assert_memory_equal(straight->params[i].param->value->data, resumed->params[i].param->value->data,
                            sizeof(float) * (size_t)straight->params[i].param->value->size);
    unlink(path);
    nnl_model_free(straight);
    nnl_model_free(first);
    nnl_model_free(resumed);
    nnl_dataset_free(d);
}

typedef struct tokens {
    int32_t ids[32];
    int count;
} tokens;

static int keep(int32_t token, void *user)
{
    tokens *t = user;
    t->ids[t->count++] = token;
    return 0;
}

/* At temperature 0, each token is the argmax of the full forward's logits
 * at the last position of the sequence so far (the KV cache changes nothing),
 * also past the context (the sliding window restarts at position 0). */
static void greedy_generation_follows_the_full_forward(void **state)
{
    (void)state;
    nnl_model *m = causal_stack(7);
    nnl_generate_options o = NNL_GENERATE_OPTIONS_INIT;
    o.temperature = 0.0f, o.max_tokens = 4;
    const int32_t prompt[2] = {3, 9};
    tokens got = {{0}, 0};
    assert_ok(nnl_model_generate(m, prompt, 2, &o, keep, &got));
    assert_int_equal(got.count, 4);
    int32_t seq[T] = {3, 9};
    const int64_t x_dims[2] = {1, T}, y_dims[3] = {1, T, V};
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 2, x_dims));
    assert_ok(nnl_tensor_create(&y, 3, y_dims));
    for (int k = 0; k < 4; k++) {
        int n = 2 + k; /* tokens so far; later positions do not matter (causal) */
        for (int i = 0; i < T; i++)
            nnl_tensor_data(x)[i] = (float)(i < n ? seq[i] : 0);
        assert_ok(nnl_model_predict(m, x, y));
        const float *row = nnl_tensor_data(y) + (n - 1) * V;
        int best = 0;
        for (int v = 1; v < V; v++)
            best = row[v] > row[best] ? v : best;
        assert_int_equal(got.ids[k], best);
        seq[n] = best;
    }
    /* the same seed gives the same tokens when sampling, past the context too */
    o.temperature = 1.0f, o.max_tokens = 20, o.seed = 4;
    tokens s1 = {{0}, 0}, s2 = {{0}, 0};
    assert_ok(nnl_model_generate(m, prompt, 2, &o, keep, &s1));
    assert_ok(nnl_model_generate(m, prompt, 2, &o, keep, &s2));
    assert_int_equal(s1.count, 20);
    assert_memory_equal(s1.ids, s2.ids, sizeof s1.ids);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

/* input (9, 10, 3) -> conv2d(5, 3x3, act) -> maxpool 2 -> conv2d(4, 2x2, same,
 * act) -> maxpool 2 -> flatten -> dense(3): two convolution and pooling
 * pairs, the second one's input gradient needed. */
static nnl_model *conv_pool_stack(nnl_activation act)
{
    const int64_t in[3] = {9, 10, 3};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 3, in));
    assert_ok(nnl_model_set_seed(m, 5));
    assert_ok(nnl_layer_conv2d(&l, 5, 3, 3, 1, NNL_PAD_VALID, act));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_conv2d(&l, 4, 2, 2, 1, NNL_PAD_SAME, act));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_maxpool2d(&l, 2, 2, 0));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    compile(m, NNL_LOSS_MSE);
    return m;
}

typedef struct pass {
    nnl_tensor *y, *dx;
    float *grads; /* every parameter's gradient, one after the other */
    int fused;    /* whether the first pair ran fused */
} pass;

/* Forward and backward of x {batch, 9, 10, 3} with dL/dy = dy, on `threads` threads. */
static pass run_pass(nnl_model *m, const nnl_tensor *x, const nnl_tensor *dy, int threads)
{
    const int saved_threads = nnl_get_num_threads();
    assert_ok(nnl_set_num_threads(threads));
    nnl_workspace *ws;
    assert_ok(nnl_workspace_create(&ws, m->num_layers));
    const nnl_forward_ctx training = {.training = 1};
    const nnl_tensor *y;
    nnl_tensor *dx, *g;
    assert_ok(nnl_model_forward(m, ws, x, &training, &y));
    pass r = {.fused = ws->buffers[0].fused_with_next};
    assert_ok(nnl_tensor_create(&r.y, y->ndim, y->dims));
    memcpy(r.y->data, y->data, sizeof(float) * (size_t)y->size);
    nnl_model_zero_grads(m);
    assert_ok(nnl_tensor_create(&g, dy->ndim, dy->dims));
    memcpy(g->data, dy->data, sizeof(float) * (size_t)dy->size);
    assert_ok(nnl_sequence_backward(m->layers, m->num_layers, ws, x, g, 1, &dx));
    assert_ok(nnl_tensor_create(&r.dx, dx->ndim, dx->dims));
    memcpy(r.dx->data, dx->data, sizeof(float) * (size_t)dx->size);
    r.grads = malloc(sizeof(float) * (size_t)nnl_model_param_count(m));
    for (int i = 0, at = 0; i < m->num_params; i++) {
        const nnl_tensor *grad = m->params[i].param->grad;
        memcpy(r.grads + at, grad->data, sizeof(float) * (size_t)grad->size);
        at += (int)grad->size;
    }
    nnl_tensor_free(g);
    nnl_workspace_free(ws);
    assert_ok(nnl_set_num_threads(saved_threads));
    return r;
}

static void free_pass(pass *p)
{
    nnl_tensor_free(p->y);
    nnl_tensor_free(p->dx);
    free(p->grads);
}

/* A batch of at least 4 images per thread runs each convolution and its
 * pooling as one pass (lib/nn/layers/conv_pool.c); on 8 threads the same
 * batch runs layer by layer. Outputs are the same bits, gradients the same
 * up to rounding; on 1 and 2 threads the fused gradients are the same bits.
 * 13 images: the last chunk of 4 is short. */
static void conv_pool_pairs_fused_match_the_layers(void **state)
{
    (void)state;
    const nnl_activation acts[] = {NNL_ACT_RELU, NNL_ACT_TANH, NNL_ACT_SIGMOID, NNL_ACT_NONE};
    for (int a = 0; a < 4; a++)
        for (int64_t batch = 13; batch <= 16; batch += 3) {
            nnl_model *m = conv_pool_stack(acts[a]);
            const int64_t x_dims[4] = {batch, 9, 10, 3}, y_dims[2] = {batch, 3};
            nnl_tensor *x, *dy;
            assert_ok(nnl_tensor_create(&x, 4, x_dims));
            assert_ok(nnl_tensor_create(&dy, 2, y_dims));
            test_fill_random(x->data, x->size, 21 + (uint64_t)a);
            test_fill_random(dy->data, dy->size, 22 + (uint64_t)a);
            pass fused = run_pass(m, x, dy, 2), fused1 = run_pass(m, x, dy, 1), layers = run_pass(m, x, dy, 8);
            assert_true(fused.fused && fused1.fused && !layers.fused);
            assert_memory_equal(fused.y->data, layers.y->data, sizeof(float) * (size_t)fused.y->size);
            int64_t params = nnl_model_param_count(m);
            assert_close("gradient, fused against layer by layer", fused.grads, layers.grads, params, 1e-5, 1e-5);
            assert_close("dx, fused against layer by layer", fused.dx->data, layers.dx->data, fused.dx->size, 1e-5,
                         1e-5);
            assert_memory_equal(fused.grads, fused1.grads, sizeof(float) * (size_t)params);
            assert_memory_equal(fused.dx->data, fused1.dx->data, sizeof(float) * (size_t)fused.dx->size);
            free_pass(&fused);
            free_pass(&fused1);
            free_pass(&layers);
            nnl_tensor_free(x);
            nnl_tensor_free(dy);
            nnl_model_free(m);
        }
}

/* The fused pairs' gradients against central differences (tanh: no kink
 * but the pooling's, which small steps rarely cross). */
static void conv_pool_pairs_fused_gradients(void **state)
{
    (void)state;
    enum { N = 8 };
    const int64_t in[3] = {9, 10, 3}, out = 3;
    float x[N * 9 * 10 * 3], y[N * 3];
    test_fill_random(x, N * 270, 31);
    test_fill_random(y, N * 3, 32);
    nnl_dataset *d;
    assert_ok(nnl_dataset_create(&d, N, 3, in, x, 1, &out, y));
    nnl_model *m = conv_pool_stack(NNL_ACT_TANH);
    const int saved_threads = nnl_get_num_threads();
    assert_ok(nnl_set_num_threads(1));
    check_gradients(m, d, N, 1e-3f, 1e-3);
    assert_ok(nnl_set_num_threads(saved_threads));
    assert_int_equal(m->train_ws->buffers[0].fused_with_next, 1);
    nnl_dataset_free(d);
    nnl_model_free(m);
}

/* Flatten copies nothing: its output is its input's buffer under the new
 * shape, and its dL/dx is the next layer's dL/dx buffer (the values through
 * it are test_layer_grads.c's). A dense layer on each position, flatten, a
 * dense layer on the whole. */
static void flatten_copies_nothing(void **state)
{
    (void)state;
    const int64_t in[2] = {3, 4};
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 2, in));
    assert_ok(nnl_layer_dense(&l, 5, NNL_ACT_TANH));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_flatten(&l));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 2, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    compile(m, NNL_LOSS_MSE);
    float x[2 * 3 * 4];
    for (int i = 0; i < 24; i++)
        x[i] = 0.1f * (float)(i % 7) - 0.3f;
    const int64_t x_dims[3] = {2, 3, 4}, y_dims[2] = {2, 2};
    nnl_workspace *ws;
    nnl_tensor *xt, *dy, *dx;
    assert_ok(nnl_workspace_create(&ws, m->num_layers));
    assert_ok(nnl_tensor_create_from(&xt, 3, x_dims, x));
    assert_ok(nnl_tensor_create(&dy, 2, y_dims));
    for (int i = 0; i < 4; i++)
        dy->data[i] = 1.0f - 0.5f * (float)i;
    const nnl_forward_ctx training = {.training = 1};
    const nnl_tensor *y;
    assert_ok(nnl_model_forward(m, ws, xt, &training, &y));
    const nnl_tensor *dense_out = ws->buffers[0].out, *flat = ws->buffers[1].out;
    assert_ptr_equal(flat->data, dense_out->data);
    assert_int_equal(flat->ndim, 2);
    assert_int_equal(flat->dims[0], 2);
    assert_int_equal(flat->dims[1], 15);
    assert_ok(nnl_sequence_backward(m->layers, m->num_layers, ws, xt, dy, 1, &dx));
    assert_ptr_equal(ws->buffers[1].dx->data, ws->buffers[2].dx->data);
    assert_int_equal(ws->buffers[1].dx->ndim, 3);
    assert_int_equal(ws->buffers[1].dx->dims[2], 5);
    /* a second batch of another size reshapes the views */
    const int64_t one_dims[3] = {1, 3, 4};
    nnl_tensor *one;
    assert_ok(nnl_tensor_create_from(&one, 3, one_dims, x));
    assert_ok(nnl_model_forward(m, ws, one, &training, &y));
    assert_ptr_equal(ws->buffers[1].out->data, ws->buffers[0].out->data);
    assert_int_equal(ws->buffers[1].out->dims[0], 1);
    nnl_tensor_free(one);
    nnl_tensor_free(xt);
    nnl_tensor_free(dy);
    nnl_workspace_free(ws);
    nnl_model_free(m);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(causal_stack_with_tied_output_and_ignored_labels),
        cmocka_unit_test(counted_positions_run_the_head_alone_with_the_full_gradients),
        cmocka_unit_test(sigmoid_binary_cross_entropy_gradients),
        cmocka_unit_test(sigmoid_binary_cross_entropy_is_exact_for_large_logits),
        cmocka_unit_test(sigmoid_binary_cross_entropy_gradient_at_large_logits),
        cmocka_unit_test(sigmoid_output_fuses_with_binary_cross_entropy),
        cmocka_unit_test(text_windows_are_shifted_by_one),
        cmocka_unit_test(steps_resumed_from_a_file_draw_the_same_batches),
        cmocka_unit_test(greedy_generation_follows_the_full_forward),
        cmocka_unit_test(flatten_copies_nothing),
        cmocka_unit_test(conv_pool_pairs_fused_match_the_layers),
        cmocka_unit_test(conv_pool_pairs_fused_gradients),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
