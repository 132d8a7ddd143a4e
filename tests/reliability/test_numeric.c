/* NaN and infinity: in inputs, data sets, weights (in memory and in files),
 * optimizer state and losses they are reported as NNL_E_NUMERIC with where
 * they appeared, instead of flowing silently into results. */
#include <math.h>
#include <stdio.h>

#include "fixtures/fixtures.h"
#include "nn/gpt_internal.h"
#include "nn/model.h"
#include "test_util.h"

/* Parameter tensor `index` of layer `layer` of a model. */
static float *weights_of(nnl_model *m, int layer, int index)
{
    nnl_tensor *value = NULL;
    assert_ok(nnl_layer_param(nnl_model_layer(m, layer), index, NULL, &value, NULL));
    return nnl_tensor_data(value);
}

static nnl_tensor *output_for(int64_t batch)
{
    const int64_t dims[2] = {batch, FIXTURE_CLASSES};
    nnl_tensor *y = NULL;
    assert_ok(nnl_tensor_create(&y, 2, dims));
    return y;
}

static void predict_names_the_weight_behind_a_non_finite_output(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    nnl_tensor *x = fixture_image_batch(2, 1), *y = output_for(2);
    assert_ok(nnl_model_predict(m, x, y));
    weights_of(m, 3, 0)[7] = NAN; /* dense kernel */
    assert_status_msg(nnl_model_predict(m, x, y), NNL_E_NUMERIC, "weight 'layers.3.kernel'[7] is nan");
    nnl_dataset *data = fixture_images(3);
    assert_status_msg(nnl_model_predict_dataset(m, data, 2, NULL, NULL), NNL_E_NUMERIC, "layers.3.kernel");
    weights_of(m, 3, 0)[7] = 0.0f;
    weights_of(m, 0, 1)[1] = INFINITY; /* conv bias */
    assert_status_msg(nnl_model_predict(m, x, y), NNL_E_NUMERIC, "weight 'layers.0.bias'[1] is inf");
    weights_of(m, 0, 1)[1] = 0.0f;
    assert_ok(nnl_model_predict(m, x, y));
    /* finite weights and inputs that overflow: reported as such */
    nnl_tensor_fill(x, 3e38f);
    weights_of(m, 0, 0)[4] = 3e38f;
    assert_status_msg(nnl_model_predict(m, x, y), NNL_E_NUMERIC, "overflowed");
    nnl_dataset_free(data);
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(m);
}

static void standalone_layers_check_their_input(void **state)
{
    (void)state;
    nnl_layer *l = NULL;
    const int64_t in[1] = {4}, dims[2] = {2, 4}, out_dims[2] = {2, 3};
    assert_ok(nnl_layer_dense(&l, 3, NNL_ACT_NONE));
    assert_ok(nnl_layer_build(l, 1, in, 1));
    nnl_tensor *x = NULL, *y = NULL;
    assert_ok(nnl_tensor_create(&x, 2, dims));
    assert_ok(nnl_tensor_create(&y, 2, out_dims));
    nnl_tensor_data(x)[6] = NAN;
    assert_status_msg(nnl_layer_forward(l, x, y, 1), NNL_E_NUMERIC, "nnl_layer_forward: input element 6 is nan");
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_layer_free(l);
}

static void training_data_is_checked_before_training(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    const int64_t image[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};
    float x[4 * 36] = {0}, y[4] = {0, 1, 2, 0};
    x[2 * 36 + 5] = INFINITY;
    nnl_dataset *bad = NULL, *good = fixture_images(4);
    assert_ok(nnl_dataset_create(&bad, 4, 3, image, x, 0, NULL, y));
    assert_status_msg(nnl_model_fit(m, bad, NULL, 1, 2, 1, NULL, NULL), NNL_E_NUMERIC,
                      "training data: sample 2 element 5 is inf");
    assert_status_msg(nnl_model_fit(m, good, bad, 1, 2, 1, NULL, NULL), NNL_E_NUMERIC, "validation data: sample 2");
    assert_status_msg(nnl_model_evaluate(m, bad, 2, NULL, NULL), NNL_E_NUMERIC, "nnl_model_evaluate: data: sample 2");
    assert_int_equal(nnl_optimizer_steps(m->optimizer), 0); /* refused before any step */
    /* a NaN target of a regression */
    nnl_model *reg = fixture_cnn();
    nnl_optimizer *sgd = NULL;
    assert_ok(nnl_optimizer_sgd(&sgd, 0.01f, 0.0f, 0));
    assert_ok(nnl_model_compile(reg, NNL_LOSS_MSE, sgd));
    const int64_t target[1] = {FIXTURE_CLASSES};
    float xs[2 * 36] = {0}, ys[2 * FIXTURE_CLASSES] = {0, 0, 0, 0, NAN, 0};
    nnl_dataset *nan_target = NULL;
    assert_ok(nnl_dataset_create(&nan_target, 2, 3, image, xs, 1, target, ys));
    assert_status_msg(nnl_model_fit(reg, nan_target, NULL, 1, 2, 1, NULL, NULL), NNL_E_NUMERIC,
                      "target of sample 1 (element 1) is nan");
    nnl_dataset_free(nan_target);
    nnl_model_free(reg);
    nnl_dataset_free(bad);
    nnl_dataset_free(good);
    nnl_model_free(m);
}

static void a_nan_loss_stops_training_where_it_appears(void **state)
{
    (void)state;
    nnl_model *m = fixture_compiled_cnn();
    nnl_dataset *data = fixture_images(6);
    assert_ok(nnl_model_fit(m, data, NULL, 1, 2, 1, NULL, NULL));
    weights_of(m, 3, 1)[0] = NAN; /* dense bias: every loss becomes NaN */
    assert_status_msg(nnl_model_fit(m, data, NULL, 2, 2, 1, NULL, NULL), NNL_E_NUMERIC,
                      "loss is nan at epoch 1, batch 1");
    assert_status_msg(nnl_model_evaluate(m, data, 4, NULL, NULL), NNL_E_NUMERIC, "loss is nan");
    /* divergence: a linear regression with a learning rate far too large */
    const int64_t features[1] = {4}, target[1] = {1};
    nnl_model *reg = NULL;
    nnl_layer *l = NULL;
    nnl_optimizer *sgd = NULL;
    assert_ok(nnl_model_create(&reg, 1, features));
    assert_ok(nnl_layer_dense(&l, 1, NNL_ACT_NONE));
    assert_ok(nnl_model_add(reg, l));
    assert_ok(nnl_optimizer_sgd(&sgd, 1e6f, 0.0f, 0));
    assert_ok(nnl_model_compile(reg, NNL_LOSS_MSE, sgd));
    float xs[4 * 4], ys[4];
    test_fill_random(xs, 4 * 4, 3);
    test_fill_random(ys, 4, 4);
    nnl_dataset *regression = NULL;
    assert_ok(nnl_dataset_create(&regression, 4, 1, features, xs, 1, target, ys));
    assert_status_msg(nnl_model_fit(reg, regression, NULL, 100, 1, 1, NULL, NULL), NNL_E_NUMERIC, "loss is");
    print_message("numeric: divergence reported as: %s\n", nnl_last_error());
    nnl_dataset_free(regression);
    nnl_model_free(reg);
    nnl_dataset_free(data);
    nnl_model_free(m);
}

static void model_files_with_non_finite_values_are_refused(void **state)
{
    (void)state;
    char dir[256], path[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "m.safetensors");
    nnl_model *m = fixture_compiled_cnn(), *back = NULL;
    weights_of(m, 0, 0)[3] = NAN; /* saving does not judge; loading does */
    assert_ok(nnl_model_save(m, path, NNL_SAVE_WEIGHTS));
    assert_status_msg(nnl_model_load(&back, path), NNL_E_NUMERIC, "tensor 'layers.0.kernel'[3] is nan");
    weights_of(m, 0, 0)[3] = 0.0f;
    m->optimizer->second[2][1] = INFINITY; /* Adam's second moment of the dense kernel */
    assert_ok(nnl_model_save(m, path, NNL_SAVE_OPTIMIZER));
    assert_status_msg(nnl_model_load(&back, path), NNL_E_NUMERIC, "tensor 'optimizer.layers.3.kernel.v'[1] is inf");
    assert_null(back);
    nnl_model_free(m);
    fixture_remove_tree(dir);
}

static int ignore_token(const char *piece, int32_t token, void *user)
{
    (void)piece;
    (void)token;
    (void)user;
    return 0;
}

static void gpt_weights_state_and_losses_are_checked(void **state)
{
    (void)state;
    char dir[256], path[512], corpus[512];
    fixture_temp_dir(dir, sizeof dir);
    fixture_path(path, sizeof path, dir, "g.safetensors");
    fixture_path(corpus, sizeof corpus, dir, "corpus.txt");
    size_t n;
    const char *text = fixture_text(&n);
    fixture_write_file(corpus, text, n);
    nnl_gpt *g = fixture_gpt(), *back = NULL;
    nnl_text_dataset *data = NULL;
    assert_ok(nnl_text_dataset_load(&data, corpus, nnl_gpt_tokenizer(g), 0, 1));
    nnl_gpt_train_options o = NNL_GPT_TRAIN_OPTIONS_INIT;
    o.iters = 1, o.batch_size = 2, o.eval_batches = 1, o.warmup_iters = 0;
    assert_ok(nnl_gpt_train(g, data, &o));
    nnl_model *m = nnl_gpt_model(g);
    m->optimizer->second[0][5] = NAN; /* AdamW's v of the token embedding */
    assert_ok(nnl_gpt_save(g, path, NNL_GPT_SAVE_TRAINING));
    assert_status_msg(nnl_gpt_load(&back, path), NNL_E_NUMERIC, "optimizer.exp_avg_sq.transformer.wte.weight");
    m->optimizer->second[0][5] = 0.0f;
    m->params[1].param->value->data[0] = INFINITY; /* position embedding */
    assert_ok(nnl_gpt_save(g, path, NNL_GPT_SAVE_WEIGHTS));
    assert_status_msg(nnl_gpt_load(&back, path), NNL_E_NUMERIC, "transformer.wpe.weight has a NaN or infinity at 0");
    assert_null(back);
    double loss = 0;
    assert_status_msg(nnl_gpt_evaluate(g, data, NNL_SPLIT_VALIDATION, 1, 2, 1, &loss), NNL_E_NUMERIC,
                      "nnl_gpt_evaluate: the mean loss");
    o.iters = 2;
    assert_status_msg(nnl_gpt_train(g, data, &o), NNL_E_NUMERIC, "at step 2"); /* "loss is nan" or "-nan" */
    assert_ok(nnl_gpt_generate(g, "明", NULL, ignore_token, NULL)); /* no crash from NaN logits */
    nnl_text_dataset_free(data);
    nnl_gpt_free(g);
    fixture_remove_tree(dir);
}

int main(void)
{
    test_check_simd_level();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(predict_names_the_weight_behind_a_non_finite_output),
        cmocka_unit_test(standalone_layers_check_their_input),
        cmocka_unit_test(training_data_is_checked_before_training),
        cmocka_unit_test(a_nan_loss_stops_training_where_it_appears),
        cmocka_unit_test(model_files_with_non_finite_values_are_refused),
        cmocka_unit_test(gpt_weights_state_and_losses_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
