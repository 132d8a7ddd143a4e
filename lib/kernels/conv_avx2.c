/* 2-D convolution, AVX2: the body of conv_simd.h on vec_avx2.h (tile sizes there). */
#include "kernels/vec_avx2.h"

#include "kernels/conv_simd.h"
