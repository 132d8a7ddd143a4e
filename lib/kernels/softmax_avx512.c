/* Softmax and softmax + cross-entropy, AVX-512: the body of softmax_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/softmax_simd.h"
