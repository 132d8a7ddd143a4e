/* nnl_model_attention_weights(): the weights equal a double-precision
 * softmax(q k^T / sqrt(hs)) computed here from the model's own parameters
 * (embedding -> causal attention, random biases included); a causal stack's
 * weights of a prefix are the top-left block of the longer sequence's; a
 * bidirectional encoder (two blocks, reached through their children) has
 * rows summing to 1 over the given tokens and zeros past them, and a GPT's
 * row sums hold in every layer and head; and every misuse returns its
 * status. */
#include <math.h>

#include "test_util.h"

enum { V = 11, C = 8, NH = 2, HS = C / NH, T = 6 };

static nnl_model *model_of(nnl_layer *const *layers, int n, int64_t context)
{
    nnl_model *m;
    assert_ok(nnl_model_create(&m, 1, &context));
    assert_ok(nnl_model_set_seed(m, 3));
    for (int i = 0; i < n; i++)
        assert_ok(nnl_model_add(m, layers[i]));
    return m;
}

/* embedding (V, C) -> causal attention of NH heads, with random biases. */
static nnl_model *single_attention(void)
{
    nnl_layer *l[2];
    assert_ok(nnl_layer_embedding(&l[0], V, C));
    assert_ok(nnl_layer_causal_self_attention(&l[1], NH));
    nnl_model *m = model_of(l, 2, T);
    nnl_tensor *bias;
    assert_ok(nnl_layer_param(nnl_model_layer(m, 1), 1, NULL, &bias, NULL));
    test_fill_random(nnl_tensor_data(bias), nnl_tensor_size(bias), 9);
    return m;
}

static const float *param(nnl_model *m, int layer, int index)
{
    nnl_tensor *t;
    assert_ok(nnl_layer_param(nnl_model_layer(m, layer), index, NULL, &t, NULL));
    return nnl_tensor_data(t);
}

/* The oracle: qkv (n, 3C) = E[tokens] W + b in double, then each head's softmax. */
static void reference_weights(nnl_model *m, const int32_t *tokens, int n, double *out)
{
    const float *table = param(m, 0, 0), *w = param(m, 1, 0), *b = param(m, 1, 1);
    double qkv[T][3 * C];
    for (int t = 0; t < n; t++)
        for (int o = 0; o < 3 * C; o++) {
            qkv[t][o] = b[o];
            for (int i = 0; i < C; i++)
                qkv[t][o] += (double)table[tokens[t] * C + i] * w[i * 3 * C + o];
        }
    for (int h = 0; h < NH; h++)
        for (int i = 0; i < n; i++) {
            double s[T], max = -INFINITY, sum = 0.0;
            for (int j = 0; j <= i; j++) {
                s[j] = 0.0;
                for (int e = 0; e < HS; e++)
                    s[j] += qkv[i][h * HS + e] * qkv[j][C + h * HS + e];
                s[j] /= sqrt((double)HS);
                max = fmax(max, s[j]);
            }
            for (int j = 0; j <= i; j++)
                sum += exp(s[j] - max);
            for (int j = 0; j < n; j++)
                out[(h * n + i) * n + j] = j <= i ? exp(s[j] - max) / sum : 0.0;
        }
}

static void weights_match_a_double_precision_softmax(void **state)
{
    (void)state;
    nnl_model *m = single_attention();
    const int32_t tokens[T] = {3, 7, 0, 10, 7, 2};
    for (int n = 1; n <= T; n++) {
        float got[NH * T * T];
        double want[NH * T * T];
        int64_t layers = 0, heads = 0;
        assert_ok(nnl_model_attention_weights(m, tokens, n, got, NH * n * n, &layers, &heads));
        assert_int_equal(layers, 1);
        assert_int_equal(heads, NH);
        reference_weights(m, tokens, n, want);
        for (int i = 0; i < NH * n * n; i++)
            if (fabs(got[i] - want[i]) > 2e-6)
                fail_msg("n=%d weight %d: %.8g, expected %.8g", n, i, (double)got[i], want[i]);
    }
    nnl_model_free(m);
}

/* Every row of every (layer, head) sums to 1 over its first `seen(i)` keys and is 0 after them. */
static void assert_rows(const float *w, int64_t matrices, int64_t n, int causal)
{
    for (int64_t a = 0; a < matrices; a++)
        for (int64_t i = 0; i < n; i++) {
            const float *row = w + (a * n + i) * n;
            int64_t last = causal ? i : n - 1;
            double sum = 0.0;
            for (int64_t j = 0; j < n; j++) {
                if (j > last && row[j] != 0.0f)
                    fail_msg("matrix %lld row %lld: key %lld after the last seen has %g", (long long)a,
                             (long long)i, (long long)j, (double)row[j]);
                if (row[j] < 0.0f)
                    fail_msg("negative weight %g", (double)row[j]);
                sum += row[j];
            }
            if (fabs(sum - 1.0) > 1e-5)
                fail_msg("matrix %lld row %lld sums to %.7f", (long long)a, (long long)i, sum);
        }
}

static void a_causal_prefix_is_the_top_left_block(void **state)
{
    (void)state;
    nnl_layer *l[4];
    assert_ok(nnl_layer_embedding(&l[0], V, C));
    assert_ok(nnl_layer_position_embedding(&l[1], T));
    assert_ok(nnl_layer_transformer_block(&l[2], NH, C));
    assert_ok(nnl_layer_transformer_block(&l[3], NH, C));
    nnl_model *m = model_of(l, 4, T);
    const int32_t tokens[T] = {1, 4, 4, 9, 0, 5};
    float full[2 * NH * T * T], prefix[2 * NH * 3 * 3];
    assert_ok(nnl_model_attention_weights(m, tokens, T, full, 2 * NH * T * T, NULL, NULL));
    assert_ok(nnl_model_attention_weights(m, tokens, 3, prefix, 2 * NH * 3 * 3, NULL, NULL));
    assert_rows(full, 2 * NH, T, 1);
    for (int a = 0; a < 2 * NH; a++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                assert_float_equal(prefix[(a * 3 + i) * 3 + j], full[(a * T + i) * T + j], 1e-6);
    nnl_model_free(m);
}

static void an_encoder_attends_to_the_given_tokens_only(void **state)
{
    (void)state;
    nnl_layer *l[4];
    assert_ok(nnl_layer_embedding(&l[0], V, C));
    assert_ok(nnl_layer_position_embedding(&l[1], T));
    assert_ok(nnl_layer_encoder_block(&l[2], NH, C, 0.1f));
    assert_ok(nnl_layer_encoder_block(&l[3], NH, C, 0.1f));
    nnl_model *m = model_of(l, 4, T);
    const int32_t tokens[4] = {2, 8, 8, 5};
    float w[2 * NH * 4 * 4];
    int64_t layers = 0;
    assert_ok(nnl_model_attention_weights(m, tokens, 4, w, 2 * NH * 4 * 4, &layers, NULL));
    assert_int_equal(layers, 2);
    assert_rows(w, 2 * NH, 4, 0);
    /* the same with a padding token: the model's own key lengths give the same weights */
    float padded[2 * NH * 4 * 4];
    assert_ok(nnl_model_set_padding_token(m, 0));
    assert_ok(nnl_model_attention_weights(m, tokens, 4, padded, 2 * NH * 4 * 4, NULL, NULL));
    for (int i = 0; i < 2 * NH * 4 * 4; i++)
        assert_float_equal(padded[i], w[i], 1e-6);
    nnl_model_free(m);
}

static void misuse_returns_its_status(void **state)
{
    (void)state;
    nnl_model *m = single_attention();
    const int32_t tokens[T] = {1, 2, 3, 4, 5, 6}, bad[2] = {1, V};
    float w[NH * T * T];
    int64_t layers;
    assert_status_msg(nnl_model_attention_weights(NULL, tokens, 2, w, 8, NULL, NULL), NNL_E_INVALID_ARG, "model");
    assert_status_msg(nnl_model_attention_weights(m, NULL, 2, w, 8, NULL, NULL), NNL_E_INVALID_ARG, "tokens");
    assert_status_msg(nnl_model_attention_weights(m, tokens, 0, w, 8, NULL, NULL), NNL_E_INVALID_ARG, "length=0");
    assert_status_msg(nnl_model_attention_weights(m, tokens, T + 1, w, 1000, NULL, NULL), NNL_E_INVALID_ARG,
                      "context");
    assert_status_msg(nnl_model_attention_weights(m, tokens, 3, w, NH * 9 - 1, NULL, NULL), NNL_E_INVALID_ARG,
                      "18 needed");
    assert_status_msg(nnl_model_attention_weights(m, bad, 2, w, NH * 4, NULL, NULL), NNL_E_INVALID_ARG,
                      "token id");
    nnl_model_free(m);

    nnl_layer *l[2];
    assert_ok(nnl_layer_embedding(&l[0], V, C));
    assert_ok(nnl_layer_dense(&l[1], 4, NNL_ACT_NONE));
    m = model_of(l, 2, T);
    assert_status_msg(nnl_model_attention_weights(m, tokens, 2, NULL, 0, &layers, NULL), NNL_E_UNSUPPORTED,
                      "no attention layer");
    nnl_model_free(m);

    const int64_t features[2] = {T, C};
    assert_ok(nnl_model_create(&m, 2, features));
    assert_ok(nnl_layer_causal_self_attention(&l[0], NH));
    assert_ok(nnl_model_add(m, l[0]));
    assert_status_msg(nnl_model_attention_weights(m, tokens, 2, NULL, 0, &layers, NULL), NNL_E_UNSUPPORTED,
                      "token ids");
    nnl_model_free(m);

    nnl_layer *mixed[3];
    assert_ok(nnl_layer_embedding(&mixed[0], V, C));
    assert_ok(nnl_layer_causal_self_attention(&mixed[1], 2));
    assert_ok(nnl_layer_causal_self_attention(&mixed[2], 4));
    m = model_of(mixed, 3, T);
    assert_status_msg(nnl_model_attention_weights(m, tokens, 2, NULL, 0, &layers, NULL), NNL_E_UNSUPPORTED,
                      "different head counts");
    nnl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weights_match_a_double_precision_softmax),
        cmocka_unit_test(a_causal_prefix_is_the_top_left_block),
        cmocka_unit_test(an_encoder_attends_to_the_given_tokens_only),
        cmocka_unit_test(misuse_returns_its_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
