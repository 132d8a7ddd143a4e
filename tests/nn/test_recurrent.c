/* Recurrent layers (rnn, lstm, gru): every parameter's and the input's
 * gradient against central differences, for one step and several, a batch
 * of one and more, with and without a learned initial state, one direction
 * and both, every step's output or the final state only; generation that
 * carries the state between calls giving the logits of a whole-sequence
 * pass; a model file round trip bit for bit; the batch shared out over
 * threads giving what one thread gives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

#include "nn/generate.h"

#include "fixtures/rnn/rnn_fixture.inc"

typedef nnl_status (*rnn_ctor)(nnl_layer **, const nnl_rnn_options *);

static const struct {
    const char *name;
    rnn_ctor make;
} cells[] = {{"rnn", nnl_layer_rnn}, {"lstm", nnl_layer_lstm}, {"gru", nnl_layer_gru}};

enum { I = 3, H = 4 };

static nnl_tensor *tensor(int ndim, const int64_t *dims, uint32_t seed)
{
    nnl_tensor *t;
    assert_ok(nnl_tensor_create(&t, ndim, dims));
    test_fill_random(nnl_tensor_data(t), nnl_tensor_size(t), seed);
    return t;
}

/* L = sum(w * layer(x)), inference. */
static double loss(nnl_layer *l, const nnl_tensor *x, nnl_tensor *y, const nnl_tensor *w)
{
    assert_ok(nnl_layer_forward(l, x, y, 0));
    double sum = 0;
    for (int64_t i = 0; i < nnl_tensor_size(y); i++)
        sum += (double)nnl_tensor_data(y)[i] * nnl_tensor_data((nnl_tensor *)w)[i];
    return sum;
}

static void check(const char *what, double analytic, double numeric)
{
    if (fabs(analytic - numeric) > 2e-3 + 2e-2 * fabs(numeric))
        fail_msg("%s: analytic %.6g, numeric %.6g", what, analytic, numeric);
}

static void gradients_of(int cell, int64_t B, int64_t T, int bidirectional, int learn, int sequences)
{
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = H, o.bidirectional = bidirectional, o.learn_initial_state = learn, o.return_sequences = sequences;
    nnl_layer *l;
    assert_ok(cells[cell].make(&l, &o));
    const int64_t in[2] = {T, I};
    assert_ok(nnl_layer_build(l, 2, in, 11));
    const int dirs = bidirectional ? 2 : 1;
    const int64_t x_dims[3] = {B, T, I}, seq_dims[3] = {B, T, dirs * H}, last_dims[2] = {B, dirs * H};
    nnl_tensor *x = tensor(3, x_dims, 1), *w = sequences ? tensor(3, seq_dims, 2) : tensor(2, last_dims, 2);
    nnl_tensor *y = sequences ? tensor(3, seq_dims, 0) : tensor(2, last_dims, 0), *dx = tensor(3, x_dims, 0);
    /* learned initial states away from zero, so that their path is exercised */
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *value;
        assert_ok(nnl_layer_param(l, p, &name, &value, NULL));
        if (name[0] == 'h' || name[0] == 'c')
            test_fill_random(nnl_tensor_data(value), nnl_tensor_size(value), 30 + (uint32_t)p);
    }
    assert_ok(nnl_layer_zero_grad(l));
    assert_ok(nnl_layer_forward(l, x, y, 1));
    assert_ok(nnl_layer_backward(l, w, dx));
    char what[160];
    const float h = 1e-2f;
    for (int64_t i = 0; i < nnl_tensor_size(x); i++) {
        float *v = nnl_tensor_data(x) + i, saved = *v;
        *v = saved + h;
        double up = loss(l, x, y, w);
        *v = saved - h;
        double down = loss(l, x, y, w);
        *v = saved;
        snprintf(what, sizeof what, "%s B=%lld T=%lld bi=%d learn=%d seq=%d dx[%lld]", cells[cell].name,
                 (long long)B, (long long)T, bidirectional, learn, sequences, (long long)i);
        check(what, nnl_tensor_data(dx)[i], (up - down) / (2.0 * h));
    }
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *value, *grad;
        assert_ok(nnl_layer_param(l, p, &name, &value, &grad));
        for (int64_t i = 0; i < nnl_tensor_size(value); i += 1 + nnl_tensor_size(value) / 9) {
            float *v = nnl_tensor_data(value) + i, saved = *v;
            *v = saved + h;
            double up = loss(l, x, y, w);
            *v = saved - h;
            double down = loss(l, x, y, w);
            *v = saved;
            snprintf(what, sizeof what, "%s B=%lld T=%lld bi=%d learn=%d seq=%d %s[%lld]", cells[cell].name,
                     (long long)B, (long long)T, bidirectional, learn, sequences, name, (long long)i);
            check(what, nnl_tensor_data(grad)[i], (up - down) / (2.0 * h));
        }
    }
    nnl_tensor_free(x), nnl_tensor_free(w), nnl_tensor_free(y), nnl_tensor_free(dx);
    nnl_layer_free(l);
}

static void gradients_match_finite_differences(void **state)
{
    (void)state;
    for (int cell = 0; cell < 3; cell++) {
        gradients_of(cell, 1, 1, 0, 0, 1);
        gradients_of(cell, 3, 4, 0, 0, 1);
        gradients_of(cell, 2, 5, 0, 1, 1);
        gradients_of(cell, 2, 4, 1, 0, 1);
        gradients_of(cell, 3, 3, 1, 1, 0);
        gradients_of(cell, 1, 4, 0, 0, 0);
    }
}

/* The output, dL/dx and every parameter's gradient of one training pass
 * (L = sum(w * y)) of `l` at `threads` threads, concatenated into out. */
static int64_t pass_at(nnl_layer *l, int threads, const nnl_tensor *x, nnl_tensor *y, nnl_tensor *w,
                       nnl_tensor *dx, float *out)
{
    assert_ok(nnl_set_num_threads(threads));
    assert_ok(nnl_layer_zero_grad(l));
    assert_ok(nnl_layer_forward(l, x, y, 1));
    assert_ok(nnl_layer_backward(l, w, dx));
    int64_t n = 0;
    for (int64_t i = 0; i < nnl_tensor_size(y); i++)
        out[n++] = nnl_tensor_data(y)[i];
    for (int64_t i = 0; i < nnl_tensor_size(dx); i++)
        out[n++] = nnl_tensor_data(dx)[i];
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *value, *grad;
        assert_ok(nnl_layer_param(l, p, &name, &value, &grad));
        for (int64_t i = 0; i < nnl_tensor_size(grad); i++)
            out[n++] = nnl_tensor_data(grad)[i];
    }
    return n;
}

/* A batch large enough for the steps to be shared out by rows of the batch
 * (recurrent_pass.c) gives, at 2 and 3 threads (uneven shares of 5 rows),
 * what one thread gives, up to the rounding of the per-step GEMMs, whose
 * path depends on the rows they get. */
static void threads_share_the_batch(void **state)
{
    (void)state;
    enum { B = 5, T = 60, IN = 16, HID = 96 };
    const int64_t x_dims[3] = {B, T, IN}, y_dims[3] = {B, T, 2 * HID};
    for (int cell = 0; cell < 3; cell++) {
        nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
        o.hidden = HID, o.bidirectional = 1, o.learn_initial_state = 1;
        nnl_layer *l;
        assert_ok(cells[cell].make(&l, &o));
        const int64_t in[2] = {T, IN};
        assert_ok(nnl_layer_build(l, 2, in, 5));
        nnl_tensor *x = tensor(3, x_dims, 1), *w = tensor(3, y_dims, 2), *y = tensor(3, y_dims, 0);
        nnl_tensor *dx = tensor(3, x_dims, 0);
        const size_t cap = 200000;
        float *one = malloc(cap * sizeof *one), *more = malloc(cap * sizeof *more);
        assert_non_null(one), assert_non_null(more);
        int64_t n = pass_at(l, 1, x, y, w, dx, one);
        assert_true((size_t)n <= cap);
        for (int threads = 2; threads <= 3; threads++) {
            assert_int_equal(pass_at(l, threads, x, y, w, dx, more), n);
            for (int64_t i = 0; i < n; i++)
                if (fabsf(more[i] - one[i]) > 1e-5f * (1.0f + fabsf(one[i])))
                    fail_msg("%s, %d threads: value %lld is %.8g, on one thread %.8g", cells[cell].name, threads,
                             (long long)i, more[i], one[i]);
        }
        assert_ok(nnl_set_num_threads(1));
        free(one), free(more);
        nnl_tensor_free(x), nnl_tensor_free(w), nnl_tensor_free(y), nnl_tensor_free(dx);
        nnl_layer_free(l);
    }
}

/* embedding(V, 8) -> cell(H=6) -> cell(H=5) -> dense(V): (T,) ids -> (T, V) logits */
static nnl_model *char_model(int cell, int64_t T, int64_t V)
{
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &T));
    assert_ok(nnl_model_set_seed(m, 5));
    assert_ok(nnl_layer_embedding(&l, V, 8));
    assert_ok(nnl_model_add(m, l));
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = 6, o.learn_initial_state = 1;
    assert_ok(cells[cell].make(&l, &o));
    assert_ok(nnl_model_add(m, l));
    o.hidden = 5, o.learn_initial_state = 0;
    assert_ok(cells[cell].make(&l, &o));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, V, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    return m;
}

static void full_logits(const nnl_model *m, const int32_t *tokens, int64_t T, int64_t V, float *out)
{
    const int64_t x_dims[2] = {1, T}, y_dims[3] = {1, T, V};
    nnl_tensor *x, *y;
    assert_ok(nnl_tensor_create(&x, 2, x_dims));
    assert_ok(nnl_tensor_wrap(&y, 3, y_dims, out));
    for (int64_t i = 0; i < T; i++)
        nnl_tensor_data(x)[i] = (float)tokens[i];
    assert_ok(nnl_model_predict(m, x, y));
    nnl_tensor_free(x), nnl_tensor_free(y);
}

/* One token at a time, the state carried in the layers' cache, gives the
 * logits of the whole sequence at once; so does a prefix fed together. */
static void generation_carries_the_state(void **state)
{
    (void)state;
    enum { T = 9, V = 7 };
    const int32_t tokens[T] = {1, 4, 0, 6, 2, 2, 5, 3, 1};
    for (int cell = 0; cell < 3; cell++) {
        nnl_model *m = char_model(cell, T, V);
        float full[T * V];
        full_logits(m, tokens, T, V, full);
        nnl_decoder *dec;
        const float *logits;
        assert_ok(nnl_decoder_create(&dec, m, "test"));
        for (int t = 0; t < T; t++) {
            assert_ok(nnl_decoder_feed(dec, &tokens[t], 1, &logits));
            for (int v = 0; v < V; v++)
                if (fabsf(logits[v] - full[t * V + v]) > 1e-5f * (1.0f + fabsf(full[t * V + v])))
                    fail_msg("%s step %d logit %d: %.7g carried, %.7g whole", cells[cell].name, t, v, logits[v],
                             full[t * V + v]);
        }
        nnl_decoder_reset(dec);
        assert_ok(nnl_decoder_feed(dec, tokens, 5, &logits));
        assert_ok(nnl_decoder_feed(dec, tokens + 5, 1, &logits));
        for (int v = 0; v < V; v++)
            assert_float_equal(logits[v], full[5 * V + v], 1e-5 * (1.0 + fabs(full[5 * V + v])));
        nnl_decoder_free(dec);
        nnl_model_free(m);
    }
}

static void bidirectional_layers_do_not_generate(void **state)
{
    (void)state;
    const int64_t T = 4;
    nnl_model *m;
    nnl_layer *l;
    assert_ok(nnl_model_create(&m, 1, &T));
    assert_ok(nnl_layer_embedding(&l, 5, 3));
    assert_ok(nnl_model_add(m, l));
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = 3, o.bidirectional = 1;
    assert_ok(nnl_layer_lstm(&l, &o));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_dense(&l, 5, NNL_ACT_NONE));
    assert_ok(nnl_model_add(m, l));
    nnl_decoder *dec = NULL;
    assert_status_msg(nnl_decoder_create(&dec, m, "test"), NNL_E_UNSUPPORTED, "lstm");
    nnl_model_free(m);
}

/* A model of every cell saved and loaded: the same parameters and outputs, bit for bit. */
static void files_round_trip(void **state)
{
    (void)state;
    enum { T = 6, V = 5 };
    const int32_t tokens[T] = {0, 1, 2, 3, 4, 0};
    char path[] = "/tmp/nnl-rnn-XXXXXX";
    close(mkstemp(path));
    for (int cell = 0; cell < 3; cell++) {
        nnl_model *m = char_model(cell, T, V), *back;
        nnl_optimizer *o;
        assert_ok(nnl_optimizer_adam(&o, 1e-3f, 0.9f, 0.999f, 1e-7f));
        assert_ok(nnl_model_compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, o));
        assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
        assert_ok(nnl_model_load(&back, path));
        assert_int_equal(nnl_model_param_count(back), nnl_model_param_count(m));
        float a[T * V], b[T * V];
        full_logits(m, tokens, T, V, a);
        full_logits(back, tokens, T, V, b);
        assert_memory_equal(a, b, sizeof a);
        assert_string_equal(nnl_layer_type(nnl_model_layer(back, 1)), cells[cell].name);
        nnl_model_free(m);
        nnl_model_free(back);
    }
    unlink(path);
}

static const float *fixture(const char *prefix, const char *name)
{
    char full[128];
    snprintf(full, sizeof full, "%s_%s", prefix, name);
    for (int i = 0; i < RNN_FIXTURE_NTENSORS; i++)
        if (strcmp(rnn_fixture_tensors[i].name, full) == 0)
            return rnn_fixture_tensors[i].data;
    return NULL;
}

static void expect_close(const char *what, int64_t i, float got, float want)
{
    if (fabsf(got - want) > 1e-5f * (1.0f + fabsf(want)))
        fail_msg("%s[%lld]: nnlite %.9g, PyTorch %.9g", what, (long long)i, got, want);
}

/* One sample of a case: PyTorch's initial state per sample becomes the
 * layer's learned initial state; outputs, dL/dx and dL/dh0 compared, the
 * parameter gradients added to sums[] (they are sums over the batch). */
static void fixture_sample(const char *prefix, int cell, int dirs, int has_h0, int64_t b, float **sums)
{
    enum { FB = RNN_FIXTURE_B, FT = RNN_FIXTURE_T, FI = RNN_FIXTURE_I, FH = RNN_FIXTURE_H };
    nnl_rnn_options o = NNL_RNN_OPTIONS_INIT;
    o.hidden = FH, o.bidirectional = dirs == 2, o.learn_initial_state = has_h0;
    nnl_layer *l;
    assert_ok(cells[cell].make(&l, &o));
    const int64_t in[2] = {FT, FI}, x_dims[3] = {1, FT, FI}, y_dims[3] = {1, FT, dirs * FH};
    assert_ok(nnl_layer_build(l, 2, in, 1));
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *value;
        assert_ok(nnl_layer_param(l, p, &name, &value, NULL));
        int state = name[0] == 'h' || name[0] == 'c', dir = strstr(name, "_reverse") != NULL;
        const float *src = fixture(prefix, state ? (name[0] == 'h' ? "h0" : "c0") : name);
        assert_non_null(src);
        memcpy(nnl_tensor_data(value), src + (state ? (dir * FB + b) * FH : 0),
               sizeof(float) * (size_t)nnl_tensor_size(value));
    }
    nnl_tensor *x, *y, *dy, *dx;
    assert_ok(nnl_tensor_create_from(&x, 3, x_dims, fixture(prefix, "x") + b * FT * FI));
    assert_ok(nnl_tensor_create_from(&dy, 3, y_dims, fixture(prefix, "w") + b * FT * dirs * FH));
    assert_ok(nnl_tensor_create(&y, 3, y_dims));
    assert_ok(nnl_tensor_create(&dx, 3, x_dims));
    assert_ok(nnl_layer_zero_grad(l));
    assert_ok(nnl_layer_forward(l, x, y, 1));
    assert_ok(nnl_layer_backward(l, dy, dx));
    char what[128];
    snprintf(what, sizeof what, "%s output (sample %lld)", prefix, (long long)b);
    for (int64_t i = 0; i < FT * dirs * FH; i++)
        expect_close(what, i, nnl_tensor_data(y)[i], fixture(prefix, "output")[b * FT * dirs * FH + i]);
    snprintf(what, sizeof what, "%s grad_x (sample %lld)", prefix, (long long)b);
    for (int64_t i = 0; i < FT * FI; i++)
        expect_close(what, i, nnl_tensor_data(dx)[i], fixture(prefix, "grad_x")[b * FT * FI + i]);
    for (int p = 0; p < nnl_layer_num_params(l); p++) {
        const char *name;
        nnl_tensor *grad;
        assert_ok(nnl_layer_param(l, p, &name, NULL, &grad));
        if (name[0] == 'h' || name[0] == 'c') { /* per sample in PyTorch: compare here */
            int dir = strstr(name, "_reverse") != NULL;
            const float *want = fixture(prefix, name[0] == 'h' ? "grad_h0" : "grad_c0") + (dir * FB + b) * FH;
            snprintf(what, sizeof what, "%s grad of %s (sample %lld)", prefix, name, (long long)b);
            for (int64_t i = 0; i < FH; i++)
                expect_close(what, i, nnl_tensor_data(grad)[i], want[i]);
            continue;
        }
        /* the sums are kept as PyTorch orders them: per direction ih, hh weights then biases */
        int which = (strncmp(name, "bias", 4) == 0) * 2 + (strstr(name, "_hh") != NULL);
        float *sum = sums[(strstr(name, "_reverse") != NULL) * 4 + which];
        for (int64_t i = 0; i < nnl_tensor_size(grad); i++)
            sum[i] += nnl_tensor_data(grad)[i];
    }
    nnl_tensor_free(x), nnl_tensor_free(y), nnl_tensor_free(dy), nnl_tensor_free(dx);
    nnl_layer_free(l);
}

/* PyTorch's nn.RNN/LSTM/GRU (tests/fixtures/rnn, made by
 * bench/torch/rnn_fixture.py) with the same weights: the same outputs and
 * gradients within 1e-5, one direction and both, zero and given initial states. */
static void pytorch_fixture_is_matched(void **state)
{
    (void)state;
    static const char *const cell_names[3] = {"rnn", "lstm", "gru"};
    for (int cell = 0; cell < 3; cell++)
        for (int dirs = 1; dirs <= 2; dirs++)
            for (int has_h0 = 0; has_h0 <= 1; has_h0++) {
                char prefix[32];
                snprintf(prefix, sizeof prefix, "%s_%s_%s", cell_names[cell], dirs == 2 ? "bi" : "uni",
                         has_h0 ? "h0" : "zero");
                float *sums[12] = {0};
                const int per_dir = 4;
                for (int p = 0; p < dirs * per_dir; p++)
                    sums[p] = calloc(4 * RNN_FIXTURE_H * (RNN_FIXTURE_H + RNN_FIXTURE_I), sizeof(float));
                for (int64_t b = 0; b < RNN_FIXTURE_B; b++)
                    fixture_sample(prefix, cell, dirs, has_h0, b, sums);
                static const char *const names[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
                for (int p = 0; p < dirs * per_dir; p++) {
                    char name[64];
                    snprintf(name, sizeof name, "grad_%s%s", names[p % per_dir], p >= per_dir ? "_reverse" : "");
                    const float *want = fixture(prefix, name);
                    assert_non_null(want);
                    int64_t n = (p % per_dir < 2 ? (p % 2 ? RNN_FIXTURE_H : RNN_FIXTURE_I) : 1) *
                                (cell == 1 ? 4 : cell == 2 ? 3 : 1) * RNN_FIXTURE_H;
                    char what[96];
                    snprintf(what, sizeof what, "%s %s", prefix, name);
                    for (int64_t i = 0; i < n; i++)
                        expect_close(what, i, sums[p][i], want[i]);
                }
                for (int p = 0; p < 12; p++)
                    free(sums[p]);
            }
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gradients_match_finite_differences),
        cmocka_unit_test(threads_share_the_batch),
        cmocka_unit_test(generation_carries_the_state),
        cmocka_unit_test(bidirectional_layers_do_not_generate),
        cmocka_unit_test(files_round_trip),
        cmocka_unit_test(pytorch_fixture_is_matched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
