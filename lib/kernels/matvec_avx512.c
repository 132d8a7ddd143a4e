/* Matrix-vector product, AVX-512: the body of matvec_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/matvec_simd.h"
