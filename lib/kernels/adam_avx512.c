/* Adam/AdamW step and sum of squares, AVX-512: the body of adam_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/adam_simd.h"
