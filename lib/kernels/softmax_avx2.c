/* Softmax and softmax + cross-entropy, AVX2: the body of softmax_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/softmax_simd.h"
