/* Assembles one kernel table per SIMD level, once, and picks the active one.
 * A level without its own variant of an op uses the scalar function. */
#include "kernels/kernels.h"

#include <pthread.h>

#include "core/cpu.h"
#include "kernels/isa.h"

static nnl_kernels tables[NNL_SIMD_NEON + 1];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void fill_scalar(nnl_kernels *k)
{
    k->level = NNL_SIMD_SCALAR;
    k->act_forward = nnl_act_forward_scalar;
    k->act_backward = nnl_act_backward_scalar;
    k->add_bias = nnl_add_bias_scalar;
    k->sum_rows = nnl_sum_rows_scalar;
    k->softmax = nnl_softmax_scalar;
    k->softmax_xent = nnl_softmax_xent_scalar;
    k->conv2d_forward = nnl_conv2d_forward_scalar;
    k->conv2d_backward_weights = nnl_conv2d_backward_weights_scalar;
    k->conv2d_backward_input = nnl_conv2d_backward_input_scalar;
    k->maxpool_forward = nnl_maxpool_forward_scalar;
    k->maxpool_backward = nnl_maxpool_backward_scalar;
    k->avgpool_forward = nnl_avgpool_forward_scalar;
    k->avgpool_backward = nnl_avgpool_backward_scalar;
    k->adam_update = nnl_adam_update_scalar;
    k->sum_squares = nnl_sum_squares_scalar;
    k->sgemm = nnl_sgemm_scalar;
    k->layernorm_forward = nnl_layernorm_forward_scalar;
    k->layernorm_backward = nnl_layernorm_backward_scalar;
    k->attention_forward = nnl_attention_forward_scalar;
    k->attention_backward = nnl_attention_backward_scalar;
    k->matvec = nnl_matvec_scalar;
}

#if NNL_HAVE_X86_KERNELS
static void fill_avx2(nnl_kernels *k)
{
    fill_scalar(k);
    k->level = NNL_SIMD_AVX2;
    k->act_forward = nnl_act_forward_avx2;
    k->act_backward = nnl_act_backward_avx2;
    k->add_bias = nnl_add_bias_avx2;
    k->sum_rows = nnl_sum_rows_avx2;
    k->softmax = nnl_softmax_avx2;
    k->softmax_xent = nnl_softmax_xent_avx2;
    k->conv2d_forward = nnl_conv2d_forward_avx2;
    k->conv2d_backward_weights = nnl_conv2d_backward_weights_avx2;
    k->conv2d_backward_input = nnl_conv2d_backward_input_avx2;
    k->maxpool_forward = nnl_maxpool_forward_avx2;
    k->maxpool_backward = nnl_maxpool_backward_avx2;
    k->avgpool_forward = nnl_avgpool_forward_avx2;
    k->avgpool_backward = nnl_avgpool_backward_avx2;
    k->adam_update = nnl_adam_update_avx2;
    k->sum_squares = nnl_sum_squares_avx2;
    k->sgemm = nnl_sgemm_avx2;
    k->layernorm_forward = nnl_layernorm_forward_avx2;
    k->layernorm_backward = nnl_layernorm_backward_avx2;
    k->attention_forward = nnl_attention_forward_avx2;
    k->attention_backward = nnl_attention_backward_avx2;
    k->matvec = nnl_matvec_avx2;
}

static void fill_avx512(nnl_kernels *k)
{
    fill_avx2(k);
    k->level = NNL_SIMD_AVX512;
    k->act_forward = nnl_act_forward_avx512;
    k->act_backward = nnl_act_backward_avx512;
    k->add_bias = nnl_add_bias_avx512;
    k->sum_rows = nnl_sum_rows_avx512;
    k->softmax = nnl_softmax_avx512;
    k->softmax_xent = nnl_softmax_xent_avx512;
    k->conv2d_forward = nnl_conv2d_forward_avx512;
    k->conv2d_backward_weights = nnl_conv2d_backward_weights_avx512;
    k->conv2d_backward_input = nnl_conv2d_backward_input_avx512;
    k->maxpool_forward = nnl_maxpool_forward_avx512;
    k->maxpool_backward = nnl_maxpool_backward_avx512;
    k->avgpool_forward = nnl_avgpool_forward_avx512;
    k->avgpool_backward = nnl_avgpool_backward_avx512;
    k->adam_update = nnl_adam_update_avx512;
    k->sum_squares = nnl_sum_squares_avx512;
    k->sgemm = nnl_sgemm_avx512;
    k->layernorm_forward = nnl_layernorm_forward_avx512;
    k->layernorm_backward = nnl_layernorm_backward_avx512;
    k->attention_forward = nnl_attention_forward_avx512;
    k->attention_backward = nnl_attention_backward_avx512;
    k->matvec = nnl_matvec_avx512;
}
#endif

#if NNL_HAVE_NEON_KERNELS
static void fill_neon(nnl_kernels *k)
{
    fill_scalar(k);
    k->level = NNL_SIMD_NEON;
    k->sgemm = nnl_sgemm_neon;
}
#endif

static void build_tables(void)
{
    fill_scalar(&tables[NNL_SIMD_SCALAR]);
#if NNL_HAVE_X86_KERNELS
    fill_avx2(&tables[NNL_SIMD_AVX2]);
    fill_avx512(&tables[NNL_SIMD_AVX512]);
#endif
#if NNL_HAVE_NEON_KERNELS
    fill_neon(&tables[NNL_SIMD_NEON]);
#endif
}

const nnl_kernels *nnl_kernels_for(nnl_simd level)
{
    if ((int)level < 0 || level > NNL_SIMD_NEON || !nnl_cpu_supports(level))
        return NULL;
    pthread_once(&tables_once, build_tables);
    if (tables[level].sgemm == NULL)
        return NULL; /* not compiled into this build */
    return &tables[level];
}

const nnl_kernels *nnl_kernels_active(void)
{
    static const nnl_kernels *active;
    if (!active)
        active = nnl_kernels_for(nnl_simd_level()); /* idempotent race */
    return active;
}
