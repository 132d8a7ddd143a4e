/* Internal: the vector layer of the AVX-512 kernel files.
 *
 * The op families act, bias, softmax, conv, pool and adam are written once,
 * in <op>_simd.h, against the small API below; <op>_avx2.c and
 * <op>_avx512.c include vec_<isa>.h first and then that body, so each ISA
 * library compiles the same algorithm with its own vector width, register
 * budget (tile sizes) and instructions. vec_avx2.h defines the same names.
 *
 *   vf      VL floats           vi     VL int32
 *   vmask   first-n-lanes mask for tails (vmask_first)
 *   vcmp    result of a lane comparison (vf_gt, vi_eq)
 *   vd      VL/2 doubles (sum of squares)
 * Masked loads give 0 in the lanes outside the mask and never touch memory
 * there, so tails need no padding. */
#ifndef NNL_KERNELS_VEC_AVX512_H
#define NNL_KERNELS_VEC_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define NNL_INLINE static inline __attribute__((always_inline))
#define SIMD_FN(name) nnl_##name##_avx512

#define VL 16
typedef __m512 vf;
typedef __m512i vi;
typedef __m512d vd;
typedef __mmask16 vmask;
typedef __mmask16 vcmp;

/* Tile sizes of the conv kernels (see conv_simd.h): 32 zmm registers. */
#define CONV_FWD_PIXELS 8   /* 8 pixels x 2 vectors = 16 accumulators */
#define CONV_FWD_VECS 2
#define CONV_BWD_ROWS 9     /* 9 rows x 2 vectors (+ 2 for the bias) */
#define CONV_BWD_VECS 2
#define CONV_TAP_ROWS 12    /* 12 channels x 2 vectors = 24 accumulators */
#define CONV_TAP_VECS 2

NNL_INLINE vf vf_zero(void) { return _mm512_setzero_ps(); }
NNL_INLINE vf vf_set1(float a) { return _mm512_set1_ps(a); }
NNL_INLINE vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
NNL_INLINE void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }

/* The first n lanes, n in [0, VL]. */
NNL_INLINE vmask vmask_first(int64_t n) { return n >= VL ? (vmask)0xFFFF : (vmask)((1u << n) - 1u); }
NNL_INLINE vf vf_load_mask(const float *p, vmask m) { return _mm512_maskz_loadu_ps(m, p); }
/* Masked load with `fill` in the lanes outside m. */
NNL_INLINE vf vf_load_mask_fill(const float *p, vmask m, vf fill) { return _mm512_mask_loadu_ps(fill, m, p); }
NNL_INLINE void vf_store_mask(float *p, vmask m, vf v) { _mm512_mask_storeu_ps(p, m, v); }
/* v in the lanes of m, 0 elsewhere. */
NNL_INLINE vf vf_keep(vmask m, vf v) { return _mm512_maskz_mov_ps(m, v); }

NNL_INLINE vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
NNL_INLINE vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
NNL_INLINE vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
NNL_INLINE vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
NNL_INLINE vf vf_fmadd(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   /* a*b + c */
NNL_INLINE vf vf_fnmadd(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } /* c - a*b */
NNL_INLINE vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
NNL_INLINE vf vf_sqrt(vf a) { return _mm512_sqrt_ps(a); }
NNL_INLINE vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
/* Bitwise; andnot(a, b) = ~a & b. */
NNL_INLINE vf vf_and(vf a, vf b) { return _mm512_and_ps(a, b); }
NNL_INLINE vf vf_andnot(vf a, vf b) { return _mm512_andnot_ps(a, b); }
NNL_INLINE vf vf_or(vf a, vf b) { return _mm512_or_ps(a, b); }
/* To the nearest integer, ties to even. */
NNL_INLINE vf vf_round(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* p * 2^n for integral n (vf_exp's n is in [-126, 127]). */
NNL_INLINE vf vf_ldexp(vf p, vf n) { return _mm512_scalef_ps(p, n); }

NNL_INLINE vcmp vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
NNL_INLINE vcmp vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
NNL_INLINE vcmp vf_isnan(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
/* Lanes of c take if_true, the others if_false. */
NNL_INLINE vf vf_select(vcmp c, vf if_true, vf if_false) { return _mm512_mask_blend_ps(c, if_false, if_true); }

NNL_INLINE float vf_hsum(vf v) { return _mm512_reduce_add_ps(v); }
NNL_INLINE float vf_hmax(vf v) { return _mm512_reduce_max_ps(v); }

NNL_INLINE vi vi_set1(int32_t a) { return _mm512_set1_epi32(a); }
NNL_INLINE vi vi_lanes(void) { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
NNL_INLINE vi vi_load(const int32_t *p) { return _mm512_loadu_si512(p); }
NNL_INLINE void vi_store(int32_t *p, vi v) { _mm512_storeu_si512(p, v); }
NNL_INLINE vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
NNL_INLINE vi vi_load_mask(const int32_t *p, vmask m) { return _mm512_maskz_loadu_epi32(m, p); }
NNL_INLINE void vi_store_mask(int32_t *p, vmask m, vi v) { _mm512_mask_storeu_epi32(p, m, v); }
NNL_INLINE vi vi_xor(vi a, vi b) { return _mm512_xor_si512(a, b); }
NNL_INLINE vi vi_mul(vi a, vi b) { return _mm512_mullo_epi32(a, b); } /* low 32 bits of each product */
NNL_INLINE vi vi_shr(vi a, int bits) { return _mm512_srli_epi32(a, (unsigned)bits); } /* logical */
NNL_INLINE vcmp vi_eq(vi a, vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
NNL_INLINE vcmp vi_lt(vi a, vi b) { return _mm512_cmplt_epi32_mask(a, b); } /* signed */
NNL_INLINE vi vi_select(vcmp c, vi if_true, vi if_false) { return _mm512_mask_blend_epi32(c, if_false, if_true); }

NNL_INLINE vd vd_zero(void) { return _mm512_setzero_pd(); }
/* lo += x[0:VL/2]^2, hi += x[VL/2:VL]^2, in double. */
NNL_INLINE void vd_add_squares(vd *lo, vd *hi, vf x)
{
    vd a = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
    vd b = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
    *lo = _mm512_fmadd_pd(a, a, *lo);
    *hi = _mm512_fmadd_pd(b, b, *hi);
}
NNL_INLINE vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
NNL_INLINE double vd_hsum(vd v) { return _mm512_reduce_add_pd(v); }

#include "kernels/vec_common.h"

#endif
