/* Dropout, AVX2: the body of dropout_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/dropout_simd.h"
