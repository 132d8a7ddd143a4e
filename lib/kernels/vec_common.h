/* Internal: helpers built on the vec_<isa>.h API, included at the end of
 * vec_avx2.h and vec_avx512.h, so that each is written once for both:
 * loads/stores that are masked only in a tail (a masked AVX2 store costs
 * several times a plain one); |x| and copysign; and exp, sigmoid and tanh
 * within a few float ulps of libm's expf/tanhf. */
#ifndef NNL_KERNELS_VEC_COMMON_H
#define NNL_KERNELS_VEC_COMMON_H

/* Whether vector v of a block of nv vectors is the masked one (the last,
 * when the block is `masked`): for kernels that tile several vectors. */
NNL_INLINE int last_masked(int masked, int v, int nv) { return masked && v == nv - 1; }

/* `masked` is a constant at every call site, so each branch folds away. */
NNL_INLINE vf vf_load_tail(const float *p, int masked, vmask k) { return masked ? vf_load_mask(p, k) : vf_load(p); }
NNL_INLINE void vf_store_tail(float *p, int masked, vmask k, vf v)
{
    if (masked)
        vf_store_mask(p, k, v);
    else
        vf_store(p, v);
}
/* The first min(left, VL) lanes of v to p, k = vmask_first(left): for loops
 * that walk a row with one mask per step. A plain store where the mask is
 * full, since a masked AVX2 store is microcoded on AMD Zen (measured on a
 * Zen 3: about 3.5 ns more per vector than a plain store); the branch is
 * taken the same way on every step but the last. */
NNL_INLINE void vf_store_first(float *p, int64_t left, vmask k, vf v)
{
    if (left >= VL)
        vf_store(p, v);
    else
        vf_store_mask(p, k, v);
}
NNL_INLINE vi vi_load_tail(const int32_t *p, int masked, vmask k) { return masked ? vi_load_mask(p, k) : vi_load(p); }
NNL_INLINE void vi_store_tail(int32_t *p, int masked, vmask k, vi v)
{
    if (masked)
        vi_store_mask(p, k, v);
    else
        vi_store(p, v);
}

NNL_INLINE vf vf_abs(vf a) { return vf_andnot(vf_set1(-0.0f), a); }
/* |mag| with the sign of `sign`. */
NNL_INLINE vf vf_copysign(vf mag, vf sign)
{
    const vf sign_bit = vf_set1(-0.0f);
    return vf_or(vf_andnot(sign_bit, mag), vf_and(sign_bit, sign));
}

/* expf: exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in
 * [-ln2/2, ln2/2], with ln 2 split in two parts (Cody-Waite) and a degree-6
 * polynomial for exp(r) (Cephes' expf coefficients): about 1 ulp over the
 * clamped range. Inputs below -87.3 give 0 (not a denormal), so
 * exp(-inf) == 0 as softmax needs; inputs above 88 are clamped (callers
 * subtract a maximum first). NaN gives NaN, as the scalar expf: min/max
 * would otherwise turn it into the clamp bound and a NaN logit into a
 * finite probability. */
#define NNL_EXP_HI 88.0f
#define NNL_EXP_LO (-87.3365447504019f)
#define NNL_EXP_LOG2E 1.44269504088896341f
#define NNL_EXP_LN2_HI 0.693359375f
#define NNL_EXP_LN2_LO (-2.12194440e-4f)

NNL_INLINE vf vf_exp(vf x)
{
    const vf input = x;
    vcmp nan = vf_isnan(x);
    vcmp underflow = vf_lt(x, vf_set1(NNL_EXP_LO));
    x = vf_max(vf_min(x, vf_set1(NNL_EXP_HI)), vf_set1(NNL_EXP_LO));
    vf n = vf_round(vf_mul(x, vf_set1(NNL_EXP_LOG2E)));
    vf r = vf_fnmadd(n, vf_set1(NNL_EXP_LN2_HI), x);
    r = vf_fnmadd(n, vf_set1(NNL_EXP_LN2_LO), r);
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_fmadd(p, r, vf_set1(1.3981999507e-3f));
    p = vf_fmadd(p, r, vf_set1(8.3334519073e-3f));
    p = vf_fmadd(p, r, vf_set1(4.1665795894e-2f));
    p = vf_fmadd(p, r, vf_set1(1.6666665459e-1f));
    p = vf_fmadd(p, r, vf_set1(5.0000001201e-1f));
    p = vf_fmadd(p, vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    vf y = vf_select(underflow, vf_zero(), vf_ldexp(p, n)); /* n in [-126, 127] after the clamp */
    return vf_select(nan, input, y);
}

/* 1 / (1 + exp(-x)); exp's clamp makes very negative x give ~0 (not NaN). */
NNL_INLINE vf vf_sigmoid(vf x)
{
    vf one = vf_set1(1.0f);
    return vf_div(one, vf_add(one, vf_exp(vf_sub(vf_zero(), x))));
}

/* tanh: for |x| < 0.625 Cephes' tanhf odd polynomial, because there
 * 1 - 2/(exp(2x) + 1) loses relative accuracy to cancellation; elsewhere
 * that formula on |x| with x's sign (exp's clamp gives exactly +-1 for
 * large |x|). */
NNL_INLINE vf vf_tanh(vf x)
{
    vf one = vf_set1(1.0f);
    vf z = vf_mul(x, x);
    vf p = vf_set1(-5.70498872745e-3f);
    p = vf_fmadd(p, z, vf_set1(2.06390887954e-2f));
    p = vf_fmadd(p, z, vf_set1(-5.37397155531e-2f));
    p = vf_fmadd(p, z, vf_set1(1.33314422036e-1f));
    p = vf_fmadd(p, z, vf_set1(-3.33332819422e-1f));
    vf small = vf_fmadd(vf_mul(p, z), x, x);

    vf ax = vf_abs(x);
    vf e = vf_exp(vf_add(ax, ax));
    vf large = vf_fnmadd(vf_set1(2.0f), vf_div(one, vf_add(e, one)), one);
    return vf_select(vf_lt(ax, vf_set1(0.625f)), small, vf_copysign(large, x));
}

#endif
