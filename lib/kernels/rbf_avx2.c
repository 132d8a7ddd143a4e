/* RBF kernel values from dot products, AVX2: the body of rbf_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/rbf_simd.h"
