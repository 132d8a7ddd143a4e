/* Matrix-vector product, SIMD body shared by matvec_avx2.c and
 * matvec_avx512.c (include vec_<isa>.h first). Shapes as in the oracle
 * matvec.c:
 *
 *   y (rows) = W (rows, cols) x (cols) + bias (rows, may be NULL)
 *
 * Memory-bound on W: four rows at a time share each load of x, and their
 * four accumulators hide the FMA latency; the column tail goes through a
 * lane mask (masked-off lanes load 0 and add nothing). */
#include "kernels/isa.h"

/* y[r] from its row's vector of partial sums. */
NNL_INLINE void matvec_store(float *y, const float *bias, int64_t r, vf acc)
{
    float s = vf_hsum(acc);
    y[r] = bias ? s + bias[r] : s;
}

void SIMD_FN(matvec)(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias, float *y)
{
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        vf a0 = vf_zero(), a1 = vf_zero(), a2 = vf_zero(), a3 = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            vf xv = vf_load_mask(x + c, k);
            a0 = vf_fmadd(vf_load_mask(w0 + c, k), xv, a0);
            a1 = vf_fmadd(vf_load_mask(w1 + c, k), xv, a1);
            a2 = vf_fmadd(vf_load_mask(w2 + c, k), xv, a2);
            a3 = vf_fmadd(vf_load_mask(w3 + c, k), xv, a3);
        }
        matvec_store(y, bias, r, a0);
        matvec_store(y, bias, r + 1, a1);
        matvec_store(y, bias, r + 2, a2);
        matvec_store(y, bias, r + 3, a3);
    }
    for (; r < rows; r++) {
        const float *wr = w + r * cols;
        vf a = vf_zero();
        for (int64_t c = 0; c < cols; c += VL) {
            vmask k = vmask_first(cols - c);
            a = vf_fmadd(vf_load_mask(wr + c, k), vf_load_mask(x + c, k), a);
        }
        matvec_store(y, bias, r, a);
    }
}
