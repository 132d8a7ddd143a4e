/* A program from outside the nnlite tree. The install test compiles it with
 * nothing but `pkg-config --cflags --libs nnlite` against a temporary
 * installation: the installed headers must compile as strict C11, the
 * library must link and load, its ABI must match the headers, and a model
 * must train and predict. Last line: "outside: ok nnlite X.Y.Z". */
#include <stdio.h>

#include <nnlite.h>

enum { POINTS = 200 };

static int fail(const char *what, nnl_status s)
{
    fprintf(stderr, "outside: %s: %s (%s)\n", what, nnl_last_error(), nnl_status_str(s));
    return 1;
}

/* Points on a 20x10 grid in [0, 1]^2, labelled by the side of the line y = x. */
static void make_points(float *xy, int32_t *labels)
{
    for (int i = 0; i < POINTS; i++) {
        xy[2 * i] = (float)(i % 20) / 19.0f;
        xy[2 * i + 1] = (float)(i / 20) / 9.0f;
        labels[i] = xy[2 * i + 1] > xy[2 * i];
    }
}

static nnl_status train(nnl_model *model, nnl_dataset *data, double *accuracy)
{
    nnl_layer *hidden = NULL, *output = NULL;
    nnl_optimizer *adam = NULL;
    nnl_status s = nnl_layer_dense(&hidden, 8, NNL_ACT_RELU);
    if (s == NNL_OK) s = nnl_model_add(model, hidden);
    if (s == NNL_OK) hidden = NULL; /* the model owns it now */
    if (s == NNL_OK) s = nnl_layer_dense(&output, 2, NNL_ACT_SOFTMAX);
    if (s == NNL_OK) s = nnl_model_add(model, output);
    if (s == NNL_OK) output = NULL;
    if (s == NNL_OK) s = nnl_optimizer_adam(&adam, 0.05f, 0.9f, 0.999f, 1e-7f);
    if (s == NNL_OK) s = nnl_model_compile(model, NNL_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, adam);
    if (s == NNL_OK) adam = NULL;
    if (s == NNL_OK) s = nnl_model_fit(model, data, NULL, 80, 20, 1, NULL, NULL);
    if (s == NNL_OK) s = nnl_model_evaluate(model, data, 50, NULL, accuracy);
    nnl_layer_free(hidden);
    nnl_layer_free(output);
    nnl_optimizer_free(adam);
    return s;
}

int main(void)
{
    if (nnl_abi_version() != NNL_ABI_VERSION) {
        fprintf(stderr, "outside: headers are ABI %d, the library %d\n", NNL_ABI_VERSION, nnl_abi_version());
        return 1;
    }
    float xy[2 * POINTS];
    int32_t labels[POINTS];
    make_points(xy, labels);
    const int64_t dims[1] = {2};
    nnl_dataset *data = NULL;
    nnl_model *model = NULL;
    double accuracy = 0;
    nnl_status s = nnl_dataset_create_labeled(&data, POINTS, 1, dims, xy, labels);
    if (s == NNL_OK) s = nnl_model_create(&model, 1, dims);
    if (s == NNL_OK) s = train(model, data, &accuracy);
    nnl_model_free(model);
    nnl_dataset_free(data);
    if (s != NNL_OK)
        return fail("training", s);
    printf("outside: accuracy %.3f after training\n", accuracy);
    if (accuracy < 0.9)
        return 1;
    printf("outside: ok nnlite %s\n", nnl_version_string());
    return 0;
}
