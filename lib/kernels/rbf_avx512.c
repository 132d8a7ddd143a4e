/* RBF kernel values from dot products, AVX-512: the body of rbf_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/rbf_simd.h"
