/* Max and average pooling, AVX2: the body of pool_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/pool_simd.h"
