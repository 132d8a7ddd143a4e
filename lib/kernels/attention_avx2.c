/* Causal attention of one head, AVX2: the body of attention_simd.h on
 * vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/attention_simd.h"
