/* Internal: helpers built on the vec_<isa>.h API, included at the end of
 * vec_avx2.h and vec_avx512.h: loads/stores that are masked only in a tail
 * (a masked AVX2 store costs several times a plain one), and sigmoid and
 * tanh within a few float ulps of libm's expf/tanhf. */
#ifndef NNL_KERNELS_VEC_COMMON_H
#define NNL_KERNELS_VEC_COMMON_H

/* `masked` is a constant at every call site, so each branch folds away. */
NNL_INLINE vf vf_load_tail(const float *p, int masked, vmask k) { return masked ? vf_load_mask(p, k) : vf_load(p); }
NNL_INLINE void vf_store_tail(float *p, int masked, vmask k, vf v)
{
    if (masked)
        vf_store_mask(p, k, v);
    else
        vf_store(p, v);
}
NNL_INLINE vi vi_load_tail(const int32_t *p, int masked, vmask k) { return masked ? vi_load_mask(p, k) : vi_load(p); }
NNL_INLINE void vi_store_tail(int32_t *p, int masked, vmask k, vi v)
{
    if (masked)
        vi_store_mask(p, k, v);
    else
        vi_store(p, v);
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
