/* Row vector times matrix, AVX2: the body of vecmat_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/vecmat_simd.h"
