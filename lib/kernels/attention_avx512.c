/* Causal attention of one head, AVX-512: the body of attention_simd.h on
 * vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/attention_simd.h"
