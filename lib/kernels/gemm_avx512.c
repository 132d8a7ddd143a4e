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
 * Cache blocks: kc = 256 keeps the A panel (8 KB) in L1 and the B block
 * (kc x nc = 256 x 1024 floats, 1 MB) in the 2 MB L2 of current AVX-512
 * parts. Measured on the dev machine: kc from 192 to 384 and mc from 64 to
 * 256 are within noise of each other, and 8x32 was as fast as 12x32, 8x48
 * and 6x64 while dividing the shapes. */
#include "kernels/vec_avx512.h"

#define GEMM_MR 8
#define GEMM_NV 2
#define GEMM_KC 256
#define GEMM_MC 128
#define GEMM_NC 1024
#include "kernels/gemm_simd.h"
