/* LayerNorm, AVX-512: the body of layernorm_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/layernorm_simd.h"
