/* An encoder (embedding, positions, encoder blocks, tied head) with a
 * padding token: padded positions change nothing, forward or backward. A
 * sequence padded to 8 in a model built for 8 gives, at its own positions,
 * the outputs and (after one SGD step on a loss that ignores the padding) the
 * weights of the same sequence unpadded in a model built for its length.
 * Also: without the padding token the padding does change the outputs, the
 * token survives a model file, and generation refuses the encoder; a
 * classifier round-trips through its file; and on the real data of
 * data/classics-zh a small encoder classifies the test lines (0.87 measured,
 * 0.6 required) and masked-LM pretraining lowers the held-out loss. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

enum { V = 12, C = 8, FULL = 8, PAD = 1 };

static nnl_model *encoder(int64_t T)
{
    nnl_model *m;
    assert_ok(nnl_model_create(&m, 1, &T));
    assert_ok(nnl_model_set_seed(m, 5));
    nnl_layer *l;
    assert_ok(nnl_layer_embedding(&l, V, C));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_position_embedding(&l, FULL));
    assert_ok(nnl_model_add(m, l));
    for (int i = 0; i < 2; i++) {
        assert_ok(nnl_layer_encoder_block(&l, 2, C, 0.0f));
        assert_ok(nnl_model_add(m, l));
    }
    assert_ok(nnl_layer_layernorm(&l, 1e-5f));
    assert_ok(nnl_model_add(m, l));
    assert_ok(nnl_layer_tied_output(&l, 0));
    assert_ok(nnl_model_add(m, l));
    nnl_optimizer *sgd;
    assert_ok(nnl_optimizer_sgd(&sgd, 0.5f, 0.0f, 0));
    assert_ok(nnl_model_compile(m, NNL_LOSS_SOFTMAX_CROSSENTROPY, sgd));
    return m;
}

/* Calls visit(a's tensor, b's tensor, n) for every parameter of two models of the same layers. */
static void for_each_param(nnl_model *a, nnl_model *b, void (*visit)(float *, float *, int64_t))
{
    for (int i = 0; i < nnl_model_num_layers(a); i++) {
        nnl_layer *la = nnl_model_layer(a, i), *lb = nnl_model_layer(b, i);
        for (int p = 0; p < nnl_layer_num_params(la); p++) {
            nnl_tensor *va, *vb;
            assert_ok(nnl_layer_param(la, p, NULL, &va, NULL));
            assert_ok(nnl_layer_param(lb, p, NULL, &vb, NULL));
            visit(nnl_tensor_data(va), nnl_tensor_data(vb), nnl_tensor_size(va));
        }
    }
}

static void copy_values(float *a, float *b, int64_t n) { memcpy(b, a, sizeof(float) * (size_t)n); }

static void assert_values_close(float *a, float *b, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (fabsf(a[i] - b[i]) > 1e-5f * (1.0f + fabsf(a[i])))
            fail_msg("parameter value %lld: %.7g padded, %.7g unpadded", (long long)i, a[i], b[i]);
}

/* Logits {1, T, V} of one sequence. */
static void logits_of(nnl_model *m, const float *ids, int64_t T, float *out)
{
    nnl_tensor *x, *y;
    const int64_t xd[2] = {1, T}, yd[3] = {1, T, V};
    assert_ok(nnl_tensor_create_from(&x, 2, xd, ids));
    assert_ok(nnl_tensor_create(&y, 3, yd));
    assert_ok(nnl_model_predict(m, x, y));
    memcpy(out, nnl_tensor_data(y), sizeof(float) * (size_t)(T * V));
    nnl_tensor_free(x);
    nnl_tensor_free(y);
}

static void assert_logits_close(const float *a, const float *b, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (fabsf(a[i] - b[i]) > 1e-4f * (1.0f + fabsf(a[i])))
            fail_msg("logit %lld: %.7g padded, %.7g unpadded", (long long)i, a[i], b[i]);
}

static void padding_changes_no_output(void **state)
{
    (void)state;
    nnl_model *padded = encoder(FULL), *five = encoder(5), *seven = encoder(7);
    for_each_param(padded, five, copy_values);
    for_each_param(padded, seven, copy_values);
    assert_ok(nnl_model_set_padding_token(padded, PAD));
    assert_int_equal(nnl_model_padding_token(padded), PAD);
    const float a[FULL] = {5, 6, 7, 8, 9, PAD, PAD, PAD}, b[FULL] = {2, 11, 3, 0, 10, 4, 6, PAD};
    float got[FULL * V], want[FULL * V];
    logits_of(padded, a, FULL, got);
    logits_of(five, a, 5, want);
    assert_logits_close(got, want, 5 * V);
    logits_of(padded, b, FULL, got);
    logits_of(seven, b, 7, want);
    assert_logits_close(got, want, 7 * V);

    /* Without the token, the padding is read like any other token. */
    assert_ok(nnl_model_set_padding_token(padded, -1));
    assert_int_equal(nnl_model_padding_token(padded), -1);
    logits_of(padded, a, FULL, got);
    logits_of(five, a, 5, want);
    assert_memory_not_equal(got, want, sizeof(float) * V);
    nnl_model_free(padded);
    nnl_model_free(five);
    nnl_model_free(seven);
}

/* One SGD step on cross-entropy at every position, padded targets ignored. */
static void train_one_step(nnl_model *m, const float *ids, const float *targets, int64_t T)
{
    nnl_dataset *ds;
    assert_ok(nnl_dataset_create(&ds, 1, 1, &T, ids, 1, &T, targets));
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.batch_size = 1;
    assert_ok(nnl_model_fit_with(m, ds, &o));
    nnl_dataset_free(ds);
}

static void padding_changes_no_gradient(void **state)
{
    (void)state;
    nnl_model *padded = encoder(FULL), *five = encoder(5);
    for_each_param(padded, five, copy_values);
    assert_ok(nnl_model_set_padding_token(padded, PAD));
    const float ids[FULL] = {5, 6, 7, 8, 9, PAD, PAD, PAD};
    const float targets[FULL] = {6, 7, 8, 9, 10, NNL_LOSS_IGNORE_INDEX, NNL_LOSS_IGNORE_INDEX, NNL_LOSS_IGNORE_INDEX};
    train_one_step(padded, ids, targets, FULL);
    train_one_step(five, ids, targets, 5);
    for_each_param(padded, five, assert_values_close); /* the unused position rows stayed as they were */
    nnl_model_free(padded);
    nnl_model_free(five);
}

static int stop_at_once(int32_t token, void *user)
{
    (void)token, (void)user;
    return 1;
}

static void padding_token_survives_the_file(void **state)
{
    (void)state;
    nnl_model *m = encoder(FULL), *back;
    assert_ok(nnl_model_set_padding_token(m, PAD));
    char path[] = "/tmp/nnl-encoder-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    assert_ok(nnl_model_load(&back, path));
    assert_int_equal(nnl_model_padding_token(back), PAD);
    const float a[FULL] = {5, 6, 7, 8, 9, PAD, PAD, PAD};
    float got[FULL * V], want[FULL * V];
    logits_of(m, a, FULL, want);
    logits_of(back, a, FULL, got);
    assert_memory_equal(got, want, sizeof got);
    const int32_t prompt[2] = {5, 6};
    assert_status_msg(nnl_model_generate(back, prompt, 2, NULL, stop_at_once, NULL), NNL_E_UNSUPPORTED,
                      "encoder_block");
    nnl_model_free(back);
    nnl_model_free(m);
    remove(path);
}

/* Pretrained encoder -> its file -> without its language-model head, with a
 * [CLS] classifier -> the classifier's file: the same predictions, the
 * vocabulary with its special tokens, the class names and the padding token
 * come back. */
static void classifier_round_trips_through_its_file(void **state)
{
    (void)state;
    nnl_model *pretrained = encoder(FULL), *clf, *back;
    assert_ok(nnl_model_set_padding_token(pretrained, PAD));
    char dir[] = "/tmp/nnl-classifier-XXXXXX", enc_path[64], clf_path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(enc_path, sizeof enc_path, "%s/encoder.safetensors", dir);
    snprintf(clf_path, sizeof clf_path, "%s/classifier.safetensors", dir);
    assert_ok(nnl_model_save(pretrained, enc_path, NNL_SAVE_WEIGHTS));
    assert_ok(nnl_model_load(&clf, enc_path));
    assert_status_msg(nnl_model_truncate(pretrained, 5), NNL_E_STATE, "compiled");
    assert_ok(nnl_model_truncate(clf, nnl_model_num_layers(clf) - 1)); /* the tied language-model head */
    assert_int_equal(nnl_model_num_layers(clf), 5);
    nnl_layer *l;
    assert_ok(nnl_layer_select_position(&l, 0));
    assert_ok(nnl_model_add(clf, l));
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_SOFTMAX));
    assert_ok(nnl_model_add(clf, l));
    nnl_tokenizer *tok;
    assert_ok(nnl_tokenizer_create(&tok, "abcdefg", 7, NNL_TEXT_SPECIAL_TOKENS));
    assert_ok(nnl_model_set_tokenizer(clf, tok));
    nnl_tokenizer_free(tok);
    const char *names[3] = {"论语", "道德经", "谚语"};
    assert_ok(nnl_model_set_class_names(clf, names, 3));
    assert_ok(nnl_model_save(clf, clf_path, NNL_SAVE_WEIGHTS));
    assert_ok(nnl_model_load(&back, clf_path));
    assert_int_equal(nnl_model_padding_token(back), PAD);
    assert_int_equal(nnl_tokenizer_vocab_size(nnl_model_tokenizer(back)), V);
    assert_int_equal(nnl_tokenizer_num_special(nnl_model_tokenizer(back)), 5);
    assert_string_equal(nnl_model_class_name(back, 1), "道德经");
    assert_null(nnl_model_class_name(back, 3));
    nnl_tensor *x, *ya, *yb;
    const int64_t xd[2] = {2, FULL}, yd[2] = {2, 3};
    const float ids[2 * FULL] = {NNL_TOKEN_CLS, 6, 7, NNL_TOKEN_SEP, PAD, PAD, PAD, PAD,
                                 NNL_TOKEN_CLS, 8, 9, 10, 11, 5, 6, NNL_TOKEN_SEP};
    assert_ok(nnl_tensor_create_from(&x, 2, xd, ids));
    assert_ok(nnl_tensor_create(&ya, 2, yd));
    assert_ok(nnl_tensor_create(&yb, 2, yd));
    assert_ok(nnl_model_predict(clf, x, ya));
    assert_ok(nnl_model_predict(back, x, yb));
    assert_memory_equal(nnl_tensor_data(ya), nnl_tensor_data(yb), sizeof(float) * 6);
    nnl_tensor_free(x), nnl_tensor_free(ya), nnl_tensor_free(yb);
    nnl_model_free(back);
    nnl_model_free(clf);
    nnl_model_free(pretrained);
    remove(enc_path);
    remove(clf_path);
    rmdir(dir);
}

/* A model over T token ids: embedding (vocab, 32), positions, one encoder
 * block, layernorm, then `head` (the tied output, or [CLS] and a dense
 * softmax over 5 classes), compiled with `loss` and AdamW at 2e-3. */
static nnl_model *small_encoder(int64_t T, int64_t vocab, int classifier)
{
    nnl_model *m;
    assert_ok(nnl_model_create(&m, 1, &T));
    assert_ok(nnl_model_set_padding_token(m, NNL_TOKEN_PAD));
    nnl_layer *layers[6];
    int n = 0;
    assert_ok(nnl_layer_embedding(&layers[n++], vocab, 32));
    assert_ok(nnl_layer_position_embedding(&layers[n++], T));
    assert_ok(nnl_layer_encoder_block(&layers[n++], 2, 32, 0.0f));
    assert_ok(nnl_layer_layernorm(&layers[n++], 1e-5f));
    if (classifier) {
        assert_ok(nnl_layer_select_position(&layers[n++], 0));
        assert_ok(nnl_layer_dense(&layers[n++], 5, NNL_ACT_SOFTMAX));
    } else {
        assert_ok(nnl_layer_tied_output(&layers[n++], 0));
    }
    for (int i = 0; i < n; i++)
        assert_ok(nnl_model_add(m, layers[i]));
    nnl_optimizer *adam;
    assert_ok(nnl_optimizer_adamw(&adam, 2e-3f, 0.9f, 0.999f, 1e-8f, 0.01f));
    assert_ok(nnl_model_compile(m, classifier ? NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY
                                              : NNL_LOSS_SOFTMAX_CROSSENTROPY, adam));
    return m;
}

/* data/classics-zh/<name> into path; 0 when scripts/fetch-data has not made it. */
static int classics_file(char *path, size_t capacity, const char *name)
{
    const char *root = getenv("NNL_SOURCE_ROOT");
    snprintf(path, capacity, "%s/data/classics-zh/%s", root ? root : ".", name);
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* Real data (skipped without it): a small encoder from scratch, 32 tokens of
 * each line, 3 epochs, classifies the 422 test lines far above the largest
 * class's share (153 / 422 = 0.36). */
static void classifies_the_classics(void **state)
{
    (void)state;
    char corpus[4096], train_path[4096], test_path[4096];
    if (!classics_file(corpus, sizeof corpus, "pretrain.txt") || !classics_file(train_path, sizeof train_path,
        "train.tsv") || !classics_file(test_path, sizeof test_path, "test.tsv"))
        skip();
    nnl_text_dataset *text;
    assert_ok(nnl_text_dataset_load(&text, corpus, NULL, NNL_TEXT_SPECIAL_TOKENS, 1));
    const nnl_tokenizer *tok = nnl_text_dataset_tokenizer(text);
    const int64_t T = 32;
    nnl_dataset *train, *test;
    assert_ok(nnl_dataset_load_tsv(&train, train_path, tok, T, NULL));
    assert_ok(nnl_dataset_load_tsv(&test, test_path, tok, T, train));
    nnl_model *m = small_encoder(T, nnl_tokenizer_vocab_size(tok), 1);
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.epochs = 3;
    o.batch_size = 32;
    assert_ok(nnl_model_fit_with(m, train, &o));
    double loss, accuracy;
    assert_ok(nnl_model_evaluate(m, test, 64, &loss, &accuracy));
    printf("classics from scratch, 3 epochs: test accuracy %.4f, loss %.4f\n", accuracy, loss);
    assert_true(accuracy > 0.6);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(test);
    nnl_text_dataset_free(text);
}

/* Masked-LM pretraining of the small encoder on the real text (skipped
 * without it): 50 steps of 16 windows take the masked loss on held-out windows from
 * log(5920) = 8.69 well down, and its accuracy above chance. */
static void pretrains_as_a_masked_language_model(void **state)
{
    (void)state;
    char corpus[4096];
    if (!classics_file(corpus, sizeof corpus, "pretrain.txt"))
        skip();
    nnl_text_dataset *text;
    assert_ok(nnl_text_dataset_load(&text, corpus, NULL, NNL_TEXT_SPECIAL_TOKENS, 1));
    const int64_t T = 32;
    nnl_dataset *train, *held_out;
    assert_ok(nnl_dataset_masked_lm(&train, text, NNL_SPLIT_TRAIN, T, 0.15f, 1));
    assert_ok(nnl_dataset_masked_lm(&held_out, text, NNL_SPLIT_VALIDATION, T, 0.15f, 2));
    nnl_model *m = small_encoder(T, nnl_tokenizer_vocab_size(nnl_text_dataset_tokenizer(text)), 0);
    double before, after, accuracy;
    assert_ok(nnl_model_evaluate_sampled(m, held_out, 10, 32, 3, &before, &accuracy));
    nnl_fit_options o = NNL_FIT_OPTIONS_INIT;
    o.steps = 50;
    o.batch_size = 16;
    assert_ok(nnl_model_fit_with(m, train, &o));
    assert_ok(nnl_model_evaluate_sampled(m, held_out, 10, 32, 3, &after, &accuracy));
    printf("masked LM, 50 steps: held-out loss %.4f -> %.4f, accuracy %.4f\n", before, after, accuracy);
    assert_true(before > 8.0 && after < before - 1.0 && accuracy > 0.05);
    nnl_model_free(m);
    nnl_dataset_free(train);
    nnl_dataset_free(held_out);
    nnl_text_dataset_free(text);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(padding_changes_no_output),
        cmocka_unit_test(padding_changes_no_gradient),
        cmocka_unit_test(padding_token_survives_the_file),
        cmocka_unit_test(classifier_round_trips_through_its_file),
        cmocka_unit_test(classifies_the_classics),
        cmocka_unit_test(pretrains_as_a_masked_language_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
