/* SGEMM for AVX-512: the register blocks of gemm_simd.h on vec_avx512.h
 * (packing: the x86 routines of gemm_avx2.c).
 *
 * Micro-tile MR x NR = 8 x 32 (two zmm vectors per row of C): 16
 * accumulators. Each k step is 2 B loads + 8 broadcasts (folded into the
 * FMAs as {1to16} memory operands) for 16 FMAs.
 * Shapes that matter (M,N,K): 1024^3; (32,128,5408) and (32,5408,128) small
 * M; (5408,128,32) small K; (768,384,128), (768,6000,128) GPT. MR = 8 and
 * NR = 32 divide all of them but 6000, so edge tiles are rare.
 *
 * The cache blocks follow the CPU's caches (gemm_blocks.c); 8x32 was as
 * fast as 12x32, 8x48 and 6x64 on the dev machine while dividing the shapes. */
#include "kernels/vec_avx512.h"

#define GEMM_MR 8
#define GEMM_NV 2
#include "kernels/gemm_simd.h"
