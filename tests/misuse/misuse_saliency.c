/* Misuse of saliency.h: NULLs, wrong shapes, classes out of range, a
 * token-id model, bad options and struct sizes. */
#include "fixtures/fixtures.h"
#include "misuse.h"

static const int64_t image[3] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1};

static nnl_tensor *tensor_of(int ndim, const int64_t *dims)
{
    nnl_tensor *t = NULL;
    assert_ok(nnl_tensor_create(&t, ndim, dims));
    return t;
}

static void misuse_nnl_model_saliency(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn(), *tokens = NULL;
    const int64_t two[4] = {2, FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE, 1}, seq[1] = {4};
    nnl_tensor *x = tensor_of(4, two), *g = tensor_of(4, two), *one = tensor_of(3, image);
    const int32_t classes[2] = {0, FIXTURE_CLASSES};
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_saliency, NULL, x, NULL, g);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_saliency, m, NULL, NULL, g);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_saliency, m, x, NULL, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_saliency, m, x, NULL, one);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_saliency, m, x, classes, g);
    nnl_layer *l = NULL;
    assert_ok(nnl_model_create(&tokens, 1, seq));
    assert_ok(nnl_layer_embedding(&l, 8, 4));
    assert_ok(nnl_model_add(tokens, l));
    nnl_tensor *ids = tensor_of(1, seq), *ids_map = tensor_of(1, seq);
    expect_misuse(NNL_E_UNSUPPORTED, nnl_model_saliency, tokens, ids, NULL, ids_map);
    nnl_tensor_free(ids);
    nnl_tensor_free(ids_map);
    nnl_tensor_free(x);
    nnl_tensor_free(g);
    nnl_tensor_free(one);
    nnl_model_free(tokens);
    nnl_model_free(m);
}

static void misuse_nnl_model_occlusion(void **state)
{
    (void)state;
    nnl_model *m = fixture_cnn();
    const int64_t map_dims[2] = {FIXTURE_IMAGE_SIZE, FIXTURE_IMAGE_SIZE}, small[2] = {2, 2};
    nnl_tensor *x = tensor_of(3, image), *map = tensor_of(2, map_dims), *wrong = tensor_of(2, small);
    nnl_occlusion_options o = NNL_OCCLUSION_OPTIONS_INIT;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, NULL, x, 0, NULL, map);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, NULL, 0, NULL, map);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, x, 0, NULL, NULL);
    expect_misuse(NNL_E_SHAPE, nnl_model_occlusion, m, x, 0, NULL, wrong);
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, x, FIXTURE_CLASSES, NULL, map);
    o.stride = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, x, 0, &o, map);
    o = (nnl_occlusion_options)NNL_OCCLUSION_OPTIONS_INIT;
    o.batch_size = 0;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, x, 0, &o, map);
    o = (nnl_occlusion_options)NNL_OCCLUSION_OPTIONS_INIT;
    o.struct_size = 1;
    expect_misuse(NNL_E_INVALID_ARG, nnl_model_occlusion, m, x, 0, &o, map);
    nnl_tensor_free(x);
    nnl_tensor_free(map);
    nnl_tensor_free(wrong);
    nnl_model_free(m);
}

const misuse_case misuse_saliency_cases[] = {
    MISUSE_CASE(nnl_model_saliency),
    MISUSE_CASE(nnl_model_occlusion),
    {NULL, NULL},
};
