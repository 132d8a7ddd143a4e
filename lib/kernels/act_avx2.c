/* Elementwise activations, AVX2: the body of act_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/act_simd.h"
