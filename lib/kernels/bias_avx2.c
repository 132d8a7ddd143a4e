/* Bias of dense layers, AVX2: the body of bias_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/bias_simd.h"
