/* Built by CMake against an installed nnlite (find_package(nnlite),
 * nnlite::nnlite): checks that the headers and the loaded library agree,
 * then runs a small computation through the public API. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <nnlite.h>

int main(void)
{
    if (nnl_abi_version() != NNL_ABI_VERSION || strcmp(nnl_version_string(), NNL_VERSION_STRING) != 0) {
        fprintf(stderr, "headers are nnlite %s (ABI %d), the library %s (ABI %d)\n", NNL_VERSION_STRING,
                NNL_ABI_VERSION, nnl_version_string(), nnl_abi_version());
        return 1;
    }
    /* [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50] */
    const int64_t dims[2] = {2, 2};
    const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, want[4] = {19, 22, 43, 50};
    nnl_tensor *c;
    if (nnl_tensor_create(&c, 2, dims) != NNL_OK ||
        nnl_sgemm(NNL_NO_TRANS, NNL_NO_TRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, nnl_tensor_data(c), 2) != NNL_OK) {
        fprintf(stderr, "nnlite: %s\n", nnl_last_error());
        return 1;
    }
    for (int i = 0; i < 4; i++)
        if (fabsf(nnl_tensor_data(c)[i] - want[i]) > 1e-5f) {
            fprintf(stderr, "sgemm: element %d is %g, expected %g\n", i, (double)nnl_tensor_data(c)[i],
                    (double)want[i]);
            return 1;
        }
    nnl_tensor_free(c);
    printf("consumer: nnlite %s (%s kernels) works from CMake\n", nnl_version_string(),
           nnl_simd_name(nnl_simd_level()));
    return 0;
}
