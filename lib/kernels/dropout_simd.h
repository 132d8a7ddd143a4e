/* Dropout, SIMD body shared by dropout_avx2.c and dropout_avx512.c (include
 * vec_<isa>.h first). Shapes and formula: dropout.c; the draw:
 * dropout_draw.h, here on VL elements at once (integer lanes, so the mask
 * is the scalar oracle's bit for bit).
 *
 * A vector starts at a multiple of VL from a part's start, itself a
 * multiple of 16 (nnl_parallel_share), so all its lanes share the high word
 * of their index. Large calls split n over threads; every element's draw
 * depends on (seed, i) alone, so the mask is the same for any thread count. */
#include "kernels/dropout_draw.h"
#include "kernels/isa.h"
#include "kernels/parallel.h"

NNL_INLINE vi mix(vi x)
{
    x = vi_xor(x, vi_shr(x, 16));
    x = vi_mul(x, vi_set1((int32_t)NNL_DROPOUT_MUL1));
    x = vi_xor(x, vi_shr(x, 15));
    x = vi_mul(x, vi_set1((int32_t)NNL_DROPOUT_MUL2));
    return vi_xor(x, vi_shr(x, 16));
}

typedef struct dropout_job {
    int64_t n;
    uint64_t seed;
    float rate;
    const float *x;
    float *y, *mask;
} dropout_job;

/* Elements [i, i + VL), those of k when `masked` (a constant). */
NNL_INLINE void dropout_vec(const dropout_job *j, int64_t i, vi threshold, vf scale, int masked, vmask k)
{
    vi lo = vi_add(vi_set1((int32_t)(uint32_t)i), vi_lanes());
    vi h = mix(vi_xor(lo, vi_set1((int32_t)(uint32_t)j->seed)));
    uint32_t high = (uint32_t)((uint64_t)i >> 32) ^ (uint32_t)(j->seed >> 32);
    vi draw = vi_shr(mix(vi_xor(h, vi_set1((int32_t)high))), 8);
    vf m = vf_select(vi_lt(draw, threshold), vf_zero(), scale); /* draws < 2^24: signed compare is exact */
    vf_store_tail(j->mask + i, masked, k, m);
    vf_store_tail(j->y + i, masked, k, vf_mul(vf_load_tail(j->x + i, masked, k), m));
}

static void dropout_part(void *arg, int part, int parts)
{
    const dropout_job *j = arg;
    int64_t begin, end;
    nnl_parallel_share(j->n, 16, part, parts, &begin, &end);
    const vi threshold = vi_set1((int32_t)nnl_dropout_threshold(j->rate));
    const vf scale = vf_set1(nnl_dropout_scale(j->rate));
    int64_t i = begin;
    for (; i + VL <= end; i += VL)
        dropout_vec(j, i, threshold, scale, 0, vmask_first(VL));
    if (i < end)
        dropout_vec(j, i, threshold, scale, 1, vmask_first(end - i));
}

void SIMD_FN(dropout_forward)(int64_t n, uint64_t seed, float rate, const float *x, float *y, float *mask)
{
    dropout_job j = {n, seed, rate, x, y, mask};
    nnl_parallel_run(kernel_team(3 * n, n / 4096), dropout_part, &j);
}
