/* RBF kernel values from dot products: the scalar reference (the oracle).
 *
 *   out[j] = exp(-gamma * max(norm_x + norms[j] - 2 dots[j], 0)),  j < n
 *
 * |x - y|^2 = |x|^2 + |y|^2 - 2 x.y: the SVM gets the dots of a block of
 * samples from one GEMM (or a matvec for one kernel row) and the norms once,
 * so a kernel row costs a GEMM row plus this pass. */
#include <math.h>

#include "kernels/isa.h"

void nnl_rbf_from_dots_scalar(int64_t n, float gamma, float norm_x, const float *norms, const float *dots, float *out)
{
    for (int64_t j = 0; j < n; j++) {
        float d = norm_x + norms[j] - 2.0f * dots[j];
        out[j] = expf(-gamma * (d > 0.0f ? d : 0.0f));
    }
}
