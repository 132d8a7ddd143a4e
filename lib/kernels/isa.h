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
void nnl_sgemm_avx2(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                    int64_t ldc, int threads);
void nnl_sgemm_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                      float *c, int64_t ldc, int threads);
void nnl_sgemm_neon(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                    int64_t ldc, int threads);

/* layernorm */
void nnl_layernorm_forward_scalar(int64_t rows, int64_t cols, const float *x, const float *weight,
                                  const float *bias, float eps, float *out, float *mean, float *rstd);
void nnl_layernorm_backward_scalar(int64_t rows, int64_t cols, const float *dout, const float *x,
                                   const float *weight, const float *mean, const float *rstd,
                                   float *dx, float *dweight, float *dbias);
void nnl_layernorm_forward_avx2(int64_t rows, int64_t cols, const float *x, const float *weight,
                                const float *bias, float eps, float *out, float *mean, float *rstd);
void nnl_layernorm_backward_avx2(int64_t rows, int64_t cols, const float *dout, const float *x,
                                 const float *weight, const float *mean, const float *rstd,
                                 float *dx, float *dweight, float *dbias);
void nnl_layernorm_forward_avx512(int64_t rows, int64_t cols, const float *x, const float *weight,
                                  const float *bias, float eps, float *out, float *mean, float *rstd);
void nnl_layernorm_backward_avx512(int64_t rows, int64_t cols, const float *dout, const float *x,
                                   const float *weight, const float *mean, const float *rstd,
                                   float *dx, float *dweight, float *dbias);

/* attention */
void nnl_attention_forward_scalar(const nnl_attn_shape *s, const float *q, const float *k,
                                  const float *v, float *out, float *lse);
void nnl_attention_backward_scalar(const nnl_attn_shape *s, const float *q, const float *k,
                                   const float *v, const float *out, const float *lse,
                                   const float *dout, float *dq, float *dk, float *dv);
void nnl_attention_forward_avx2(const nnl_attn_shape *s, const float *q, const float *k,
                                const float *v, float *out, float *lse);
void nnl_attention_backward_avx2(const nnl_attn_shape *s, const float *q, const float *k,
                                 const float *v, const float *out, const float *lse,
                                 const float *dout, float *dq, float *dk, float *dv);
void nnl_attention_forward_avx512(const nnl_attn_shape *s, const float *q, const float *k,
                                  const float *v, float *out, float *lse);
void nnl_attention_backward_avx512(const nnl_attn_shape *s, const float *q, const float *k,
                                   const float *v, const float *out, const float *lse,
                                   const float *dout, float *dq, float *dk, float *dv);

#endif
