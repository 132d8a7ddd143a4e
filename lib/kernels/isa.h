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

/* act, bias, softmax, conv, pool, adam: one block per family; each function
 * has a scalar oracle and AVX2/AVX-512 variants (<op>_simd.h). */

/* act */
void nnl_act_forward_scalar(nnl_act_kind kind, int64_t n, const float *x, float *y);
void nnl_act_backward_scalar(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                             const float *dy, float *dx);
void nnl_act_forward_avx2(nnl_act_kind kind, int64_t n, const float *x, float *y);
void nnl_act_backward_avx2(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                           const float *dy, float *dx);
void nnl_act_forward_avx512(nnl_act_kind kind, int64_t n, const float *x, float *y);
void nnl_act_backward_avx512(nnl_act_kind kind, int64_t n, const float *x, const float *y,
                             const float *dy, float *dx);

/* bias */
void nnl_add_bias_scalar(int64_t rows, int64_t cols, float *y, const float *bias);
void nnl_sum_rows_scalar(int64_t rows, int64_t cols, const float *dy, float *db);
void nnl_add_bias_avx2(int64_t rows, int64_t cols, float *y, const float *bias);
void nnl_sum_rows_avx2(int64_t rows, int64_t cols, const float *dy, float *db);
void nnl_add_bias_avx512(int64_t rows, int64_t cols, float *y, const float *bias);
void nnl_sum_rows_avx512(int64_t rows, int64_t cols, const float *dy, float *db);

/* softmax */
void nnl_softmax_scalar(int64_t rows, int64_t cols, const float *logits, float *probs);
double nnl_softmax_xent_scalar(int64_t rows, int64_t cols, const float *logits,
                               const int32_t *labels, float scale, float *probs, float *dlogits);
void nnl_softmax_avx2(int64_t rows, int64_t cols, const float *logits, float *probs);
double nnl_softmax_xent_avx2(int64_t rows, int64_t cols, const float *logits, const int32_t *labels,
                             float scale, float *probs, float *dlogits);
void nnl_softmax_avx512(int64_t rows, int64_t cols, const float *logits, float *probs);
double nnl_softmax_xent_avx512(int64_t rows, int64_t cols, const float *logits,
                               const int32_t *labels, float scale, float *probs, float *dlogits);

/* conv */
void nnl_conv2d_forward_scalar(const nnl_conv_shape *s, const float *x, const float *w,
                               const float *bias, float *y, int threads);
void nnl_conv2d_backward_weights_scalar(const nnl_conv_shape *s, const float *x, const float *dy,
                                        float *dw, float *db, int threads);
void nnl_conv2d_backward_input_scalar(const nnl_conv_shape *s, const float *dy, const float *w,
                                      float *dx, int threads);
void nnl_conv2d_forward_avx2(const nnl_conv_shape *s, const float *x, const float *w,
                             const float *bias, float *y, int threads);
void nnl_conv2d_backward_weights_avx2(const nnl_conv_shape *s, const float *x, const float *dy,
                                      float *dw, float *db, int threads);
void nnl_conv2d_backward_input_avx2(const nnl_conv_shape *s, const float *dy, const float *w,
                                    float *dx, int threads);
void nnl_conv2d_forward_avx512(const nnl_conv_shape *s, const float *x, const float *w,
                               const float *bias, float *y, int threads);
void nnl_conv2d_backward_weights_avx512(const nnl_conv_shape *s, const float *x, const float *dy,
                                        float *dw, float *db, int threads);
void nnl_conv2d_backward_input_avx512(const nnl_conv_shape *s, const float *dy, const float *w,
                                      float *dx, int threads);

/* pool */
void nnl_maxpool_forward_scalar(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax);
void nnl_maxpool_backward_scalar(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                                 float *dx);
void nnl_avgpool_forward_scalar(const nnl_conv_shape *s, const float *x, float *y);
void nnl_avgpool_backward_scalar(const nnl_conv_shape *s, const float *dy, float *dx);
void nnl_maxpool_forward_avx2(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax);
void nnl_maxpool_backward_avx2(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                               float *dx);
void nnl_avgpool_forward_avx2(const nnl_conv_shape *s, const float *x, float *y);
void nnl_avgpool_backward_avx2(const nnl_conv_shape *s, const float *dy, float *dx);
void nnl_maxpool_forward_avx512(const nnl_conv_shape *s, const float *x, float *y, int32_t *argmax);
void nnl_maxpool_backward_avx512(const nnl_conv_shape *s, const float *dy, const int32_t *argmax,
                                 float *dx);
void nnl_avgpool_forward_avx512(const nnl_conv_shape *s, const float *x, float *y);
void nnl_avgpool_backward_avx512(const nnl_conv_shape *s, const float *dy, float *dx);

/* adam */
void nnl_adam_update_scalar(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                            float b1, float b2, float eps, float bc1, float bc2, float wd,
                            float grad_scale);
double nnl_sum_squares_scalar(int64_t n, const float *x);
void nnl_adam_update_avx2(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                          float b1, float b2, float eps, float bc1, float bc2, float wd,
                          float grad_scale);
double nnl_sum_squares_avx2(int64_t n, const float *x);
void nnl_adam_update_avx512(int64_t n, float *w, const float *g, float *m, float *v, float lr,
                            float b1, float b2, float eps, float bc1, float bc2, float wd,
                            float grad_scale);
double nnl_sum_squares_avx512(int64_t n, const float *x);

/* matvec */
void nnl_matvec_scalar(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                       float *y);
void nnl_matvec_avx2(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                     float *y);
void nnl_matvec_avx512(int64_t rows, int64_t cols, const float *w, const float *x, const float *bias,
                       float *y);

#endif
