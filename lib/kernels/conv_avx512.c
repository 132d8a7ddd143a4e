/* 2-D convolution, AVX-512: the body of conv_simd.h on vec_avx512.h (tile sizes there). */
#include "kernels/vec_avx512.h"

#include "kernels/conv_simd.h"
