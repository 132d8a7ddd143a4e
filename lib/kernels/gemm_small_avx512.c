/* Few-row SGEMM, AVX-512: the body of gemm_small_simd.h on vec_avx512.h. */
#include "kernels/vec_avx512.h"

#include "kernels/gemm_small_simd.h"
