/* Internal: vectorised expf for the SIMD kernel files (static inline, so each
 * ISA library compiles its own copy with its own flags).
 *
 * exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2],
 * with ln 2 split in two parts (Cody-Waite) and a degree-6 polynomial for
 * exp(r) (Cephes' expf coefficients): about 1 ulp over the clamped range.
 * Inputs below -87.3 give 0 (not a denormal), so exp(-inf) == 0 as softmax
 * needs; inputs above 88 are clamped (callers subtract a maximum first).
 * NaN gives NaN, as the scalar expf: min/max would otherwise turn it into
 * the clamp bound and a NaN logit into a finite probability. */
#ifndef NNL_KERNELS_VEC_EXP_H
#define NNL_KERNELS_VEC_EXP_H

#include <immintrin.h>

#define NNL_EXP_HI 88.0f
#define NNL_EXP_LO (-87.3365447504019f)
#define NNL_EXP_LOG2E 1.44269504088896341f
#define NNL_EXP_LN2_HI 0.693359375f
#define NNL_EXP_LN2_LO (-2.12194440e-4f)
#define NNL_EXP_P0 1.9875691500e-4f
#define NNL_EXP_P1 1.3981999507e-3f
#define NNL_EXP_P2 8.3334519073e-3f
#define NNL_EXP_P3 4.1665795894e-2f
#define NNL_EXP_P4 1.6666665459e-1f
#define NNL_EXP_P5 5.0000001201e-1f

#if defined(__AVX512F__)
static inline __m512 nnl_exp512_ps(__m512 x)
{
    const __m512 input = x;
    __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    __mmask16 underflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(NNL_EXP_LO), _CMP_LT_OQ);
    x = _mm512_min_ps(x, _mm512_set1_ps(NNL_EXP_HI));
    x = _mm512_max_ps(x, _mm512_set1_ps(NNL_EXP_LO));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(NNL_EXP_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(NNL_EXP_LN2_HI), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(NNL_EXP_LN2_LO), r);
    __m512 p = _mm512_set1_ps(NNL_EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(NNL_EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(NNL_EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(NNL_EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(NNL_EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(NNL_EXP_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512 y = _mm512_scalef_ps(p, n);
    y = _mm512_mask_mov_ps(y, underflow, _mm512_setzero_ps());
    return _mm512_mask_mov_ps(y, nan, input);
}
#endif

#if defined(__AVX2__) && defined(__FMA__)
static inline __m256 nnl_exp256_ps(__m256 x)
{
    const __m256 input = x;
    __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(NNL_EXP_LO), _CMP_LT_OQ);
    x = _mm256_min_ps(x, _mm256_set1_ps(NNL_EXP_HI));
    x = _mm256_max_ps(x, _mm256_set1_ps(NNL_EXP_LO));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(NNL_EXP_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(NNL_EXP_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(NNL_EXP_LN2_LO), r);
    __m256 p = _mm256_set1_ps(NNL_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NNL_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NNL_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NNL_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NNL_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NNL_EXP_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* 2^n through the exponent bits: n is in [-126, 127] after the clamp. */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    __m256 y = _mm256_andnot_ps(underflow, _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
    return _mm256_blendv_ps(y, input, nan);
}
#endif

#endif
