/* RBF kernel values from dot products, SIMD body shared by rbf_avx2.c and
 * rbf_avx512.c (include vec_<isa>.h first). Shapes as in the oracle rbf.c:
 *
 *   out[j] = exp(-gamma * max(norm_x + norms[j] - 2 dots[j], 0)),  j < n
 *
 * One vector of j at a time; the tail goes through a lane mask. */
#include "kernels/isa.h"

void SIMD_FN(rbf_from_dots)(int64_t n, float gamma, float norm_x, const float *norms, const float *dots, float *out)
{
    const vf minus_gamma = vf_set1(-gamma), nx = vf_set1(norm_x), two = vf_set1(2.0f);
    for (int64_t j = 0; j < n; j += VL) {
        vmask k = vmask_first(n - j);
        vf d = vf_fnmadd(two, vf_load_mask(dots + j, k), vf_add(nx, vf_load_mask(norms + j, k)));
        vf_store_first(out + j, n - j, k, vf_exp(vf_mul(minus_gamma, vf_max(d, vf_zero()))));
    }
}
