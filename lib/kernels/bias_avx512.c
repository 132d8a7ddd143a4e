/* Bias of dense layers, AVX-512: the body of bias_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/bias_simd.h"
