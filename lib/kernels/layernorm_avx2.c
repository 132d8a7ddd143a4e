/* LayerNorm, AVX2: the body of layernorm_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/layernorm_simd.h"
