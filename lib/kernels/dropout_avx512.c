/* Dropout, AVX-512: the body of dropout_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/dropout_simd.h"
