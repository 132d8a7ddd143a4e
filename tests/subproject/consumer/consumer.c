/* Built by tests/subproject/meson.build with nnlite as a subproject: the
 * headers and the library come from the same source tree, and a small
 * model runs forward through the public API. */
#include <stdio.h>
#include <string.h>

#include <nnlite.h>

int main(void)
{
    if (nnl_abi_version() != NNL_ABI_VERSION || strcmp(nnl_version_string(), NNL_VERSION_STRING) != 0) {
        fprintf(stderr, "headers %s, library %s\n", NNL_VERSION_STRING, nnl_version_string());
        return 1;
    }
    const int64_t input[1] = {4}, batch[2] = {3, 4}, out[2] = {3, 2};
    nnl_model *model = NULL;
    nnl_layer *dense = NULL;
    nnl_tensor *x = NULL, *y = NULL;
    int ok = nnl_model_create(&model, 1, input) == NNL_OK && nnl_layer_dense(&dense, 2, NNL_ACT_SOFTMAX) == NNL_OK &&
             nnl_model_add(model, dense) == NNL_OK && nnl_tensor_create(&x, 2, batch) == NNL_OK &&
             nnl_tensor_create(&y, 2, out) == NNL_OK && nnl_tensor_fill(x, 0.5f) == NNL_OK &&
             nnl_model_predict(model, x, y) == NNL_OK;
    if (!ok) {
        fprintf(stderr, "nnlite: %s\n", nnl_last_error());
        return 1;
    }
    const float *p = nnl_tensor_data_const(y);
    for (int row = 0; row < 3; row++) {
        float sum = p[2 * row] + p[2 * row + 1];
        if (sum < 0.999f || sum > 1.001f) {
            fprintf(stderr, "softmax row %d sums to %g\n", row, (double)sum);
            return 1;
        }
    }
    printf("consumer: nnlite %s as a meson subproject, softmax rows sum to 1\n", nnl_version_string());
    nnl_tensor_free(x);
    nnl_tensor_free(y);
    nnl_model_free(model);
    return 0;
}
