/* Adam/AdamW step and sum of squares, AVX2: the body of adam_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/adam_simd.h"
