/* Row vector times matrix, AVX-512: the body of vecmat_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/vecmat_simd.h"
