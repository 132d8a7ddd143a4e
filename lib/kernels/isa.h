/* Internal: declarations of every per-ISA kernel (nnl_<op>_<isa>) that
 * dispatch.c puts into the tables. NNL_HAVE_X86_KERNELS and
 * NNL_HAVE_NEON_KERNELS come from the build (meson). */
#ifndef NNL_KERNELS_ISA_H
#define NNL_KERNELS_ISA_H

#include "kernels/kernels.h"

#ifndef NNL_HAVE_X86_KERNELS
#define NNL_HAVE_X86_KERNELS 0
#endif
#ifndef NNL_HAVE_NEON_KERNELS
#define NNL_HAVE_NEON_KERNELS 0
#endif

/* gemm */
void nnl_sgemm_scalar(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, int threads);

#endif
