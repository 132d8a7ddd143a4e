/* Max and average pooling, AVX-512: the body of pool_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/pool_simd.h"
