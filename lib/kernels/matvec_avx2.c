/* Matrix-vector product, AVX2: the body of matvec_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/matvec_simd.h"
