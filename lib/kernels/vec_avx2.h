/* Internal: the vector layer of the AVX2 kernel files (8 lanes, 16 ymm
 * registers). Same names and meaning as vec_avx512.h, which explains the
 * scheme; masks are vectors here (lanes all-ones or zero) and masked
 * loads/stores are vmaskmovps, which never touches memory outside the mask. */
#ifndef NNL_KERNELS_VEC_AVX2_H
#define NNL_KERNELS_VEC_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define NNL_INLINE static inline __attribute__((always_inline))
#define SIMD_FN(name) nnl_##name##_avx2

#define VL 8
typedef __m256 vf;
typedef __m256i vi;
typedef __m256d vd;
typedef __m256i vmask;
typedef __m256 vcmp;

/* Tile sizes of the conv kernels (see conv_simd.h): 16 ymm registers. */
#define CONV_FWD_PIXELS 6   /* 6 pixels x 2 vectors = 12 accumulators */
#define CONV_FWD_VECS 2
#define CONV_BWD_ROWS 9     /* 9 rows x 1 vector (+ 1 for the bias) */
#define CONV_BWD_VECS 1
#define CONV_TAP_ROWS 6     /* 6 channels x 2 vectors = 12 accumulators */
#define CONV_TAP_VECS 2

NNL_INLINE vf vf_zero(void) { return _mm256_setzero_ps(); }
NNL_INLINE vf vf_set1(float a) { return _mm256_set1_ps(a); }
NNL_INLINE vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
NNL_INLINE void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }

NNL_INLINE vmask vmask_first(int64_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n < VL ? n : VL)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
NNL_INLINE vf vf_load_mask(const float *p, vmask m) { return _mm256_maskload_ps(p, m); }
NNL_INLINE vf vf_load_mask_fill(const float *p, vmask m, vf fill)
{
    return _mm256_blendv_ps(fill, _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
NNL_INLINE void vf_store_mask(float *p, vmask m, vf v) { _mm256_maskstore_ps(p, m, v); }
NNL_INLINE vf vf_keep(vmask m, vf v) { return _mm256_and_ps(_mm256_castsi256_ps(m), v); }

NNL_INLINE vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
NNL_INLINE vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
NNL_INLINE vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
NNL_INLINE vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
NNL_INLINE vf vf_fmadd(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
NNL_INLINE vf vf_fnmadd(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
NNL_INLINE vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
NNL_INLINE vf vf_sqrt(vf a) { return _mm256_sqrt_ps(a); }
NNL_INLINE vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
NNL_INLINE vf vf_and(vf a, vf b) { return _mm256_and_ps(a, b); }
NNL_INLINE vf vf_andnot(vf a, vf b) { return _mm256_andnot_ps(a, b); }
NNL_INLINE vf vf_or(vf a, vf b) { return _mm256_or_ps(a, b); }
NNL_INLINE vf vf_round(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* 2^n through the exponent bits; n integral in [-126, 127]. */
NNL_INLINE vf vf_ldexp(vf p, vf n)
{
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

NNL_INLINE vcmp vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
NNL_INLINE vcmp vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
NNL_INLINE vcmp vf_isnan(vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
NNL_INLINE vf vf_select(vcmp c, vf if_true, vf if_false) { return _mm256_blendv_ps(if_false, if_true, c); }

NNL_INLINE float vf_hsum(vf v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
NNL_INLINE float vf_hmax(vf v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

NNL_INLINE vi vi_set1(int32_t a) { return _mm256_set1_epi32(a); }
NNL_INLINE vi vi_lanes(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
NNL_INLINE vi vi_load(const int32_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
NNL_INLINE void vi_store(int32_t *p, vi v) { _mm256_storeu_si256((__m256i *)p, v); }
NNL_INLINE vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
NNL_INLINE vi vi_load_mask(const int32_t *p, vmask m) { return _mm256_maskload_epi32((const int *)p, m); }
NNL_INLINE void vi_store_mask(int32_t *p, vmask m, vi v) { _mm256_maskstore_epi32((int *)p, m, v); }
NNL_INLINE vi vi_xor(vi a, vi b) { return _mm256_xor_si256(a, b); }
NNL_INLINE vi vi_mul(vi a, vi b) { return _mm256_mullo_epi32(a, b); } /* low 32 bits of each product */
NNL_INLINE vi vi_shr(vi a, int bits) { return _mm256_srli_epi32(a, bits); } /* logical */
NNL_INLINE vcmp vi_eq(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
NNL_INLINE vcmp vi_lt(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(b, a)); } /* signed */
NNL_INLINE vi vi_select(vcmp c, vi if_true, vi if_false)
{
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(if_false), _mm256_castsi256_ps(if_true), c));
}

NNL_INLINE vd vd_zero(void) { return _mm256_setzero_pd(); }
NNL_INLINE void vd_add_squares(vd *lo, vd *hi, vf x)
{
    vd a = _mm256_cvtps_pd(_mm256_castps256_ps128(x));
    vd b = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
    *lo = _mm256_fmadd_pd(a, a, *lo);
    *hi = _mm256_fmadd_pd(b, b, *hi);
}
NNL_INLINE vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
NNL_INLINE double vd_hsum(vd v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#include "kernels/vec_common.h"

#endif
