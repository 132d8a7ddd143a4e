/* Few-row SGEMM, AVX2: the body of gemm_small_simd.h on vec_avx2.h. */
#include "kernels/vec_avx2.h"

#include "kernels/gemm_small_simd.h"
