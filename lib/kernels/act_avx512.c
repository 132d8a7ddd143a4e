/* Elementwise activations, AVX-512: the body of act_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/act_simd.h"
