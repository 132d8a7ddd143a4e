/* Scaled dot-product attention of one head, causal or bidirectional: the scalar reference (the
 * oracle). Shapes (see nnl_attn_shape in kernels.h):
 *
 *   q   (tq, hs) row stride ld_q       query i sits at position tk - tq + i
 *   k,v (tk, hs) row stride ld_kv      and sees keys 0 .. tk - tq + i (causal)
 *                                      or 0 .. tk - 1 (bidirectional)
 *   out (tq, hs) row stride ld_out
 *   lse (tq)     log sum_j exp(scale * q_i . k_j), kept for the backward
 *
 * This version recomputes the scores in three passes per query row (max,
 * sum, weighted sum of values) so that it needs no buffer at all and shares
 * no code with the tiled online-softmax SIMD versions it checks. */
#include <math.h>

#include "kernels/isa.h"

static float dot(const float *a, const float *b, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

void nnl_attention_forward_scalar(const nnl_attn_shape *s, const float *q, const float *k,
                                  const float *v, float *out, float *lse)
{
    const int64_t hs = s->head_size;
    for (int64_t i = 0; i < s->tq; i++) {
        const float *qi = q + i * s->ld_q;
        float *oi = out + i * s->ld_out;
        int64_t keys = s->bidirectional ? s->tk : s->tk - s->tq + i + 1;
        float max = -INFINITY;
        for (int64_t j = 0; j < keys; j++)
            max = fmaxf(max, s->scale * dot(qi, k + j * s->ld_kv, hs));
        float sum = 0.0f;
        for (int64_t j = 0; j < keys; j++)
            sum += expf(s->scale * dot(qi, k + j * s->ld_kv, hs) - max);
        for (int64_t d = 0; d < hs; d++)
            oi[d] = 0.0f;
        for (int64_t j = 0; j < keys; j++) {
            float p = expf(s->scale * dot(qi, k + j * s->ld_kv, hs) - max) / sum;
            const float *vj = v + j * s->ld_kv;
            for (int64_t d = 0; d < hs; d++)
                oi[d] += p * vj[d];
        }
        if (lse)
            lse[i] = max + logf(sum);
    }
}

/* With p_ij = exp(scale q_i.k_j - lse_i) recomputed from the saved lse
 * (FlashAttention), dp_ij = dout_i.v_j and D_i = dout_i.out_i = sum_j p_ij dp_ij:
 *   ds_ij = p_ij (dp_ij - D_i)
 *   dq_i += scale ds_ij k_j,  dk_j += scale ds_ij q_i,  dv_j += p_ij dout_i.
 * dq, dk, dv are overwritten (zeroed first); dq has stride ld_q, dk and dv
 * ld_kv, dout ld_out, like the tensors they are gradients of. */
void nnl_attention_backward_scalar(const nnl_attn_shape *s, const float *q, const float *k,
                                   const float *v, const float *out, const float *lse,
                                   const float *dout, float *dq, float *dk, float *dv)
{
    const int64_t hs = s->head_size;
    for (int64_t i = 0; i < s->tq; i++)
        for (int64_t d = 0; d < hs; d++)
            dq[i * s->ld_q + d] = 0.0f;
    for (int64_t j = 0; j < s->tk; j++)
        for (int64_t d = 0; d < hs; d++)
            dk[j * s->ld_kv + d] = dv[j * s->ld_kv + d] = 0.0f;

    for (int64_t i = 0; i < s->tq; i++) {
        const float *qi = q + i * s->ld_q;
        const float *doi = dout + i * s->ld_out;
        float *dqi = dq + i * s->ld_q;
        float big_d = dot(doi, out + i * s->ld_out, hs);
        int64_t keys = s->bidirectional ? s->tk : s->tk - s->tq + i + 1;
        for (int64_t j = 0; j < keys; j++) {
            const float *kj = k + j * s->ld_kv;
            const float *vj = v + j * s->ld_kv;
            float p = expf(s->scale * dot(qi, kj, hs) - lse[i]);
            float ds = p * (dot(doi, vj, hs) - big_d) * s->scale;
            float *dkj = dk + j * s->ld_kv;
            float *dvj = dv + j * s->ld_kv;
            for (int64_t d = 0; d < hs; d++) {
                dqi[d] += ds * kj[d];
                dkj[d] += ds * qi[d];
                dvj[d] += p * doi[d];
            }
        }
    }
}
