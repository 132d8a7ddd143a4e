/* Attention over the (batch, head) pairs in parallel (shapes:
 * attention_heads.h). */
#include "nn/attention_heads.h"

#include <math.h>
#include <string.h>

#include "core/pool.h"

typedef struct heads_job {
    const nnl_kernels *k;
    nnl_attn_shape s;
    int64_t T, C, NH, hs, pairs;
    const float *keys;                   /* per sample, NULL when causal */
    const float *qkv, *att, *lse, *datt; /* att and lse: read by the backward */
    float *att_out, *lse_out, *dqkv;     /* written by the forward / the backward */
} heads_job;

static heads_job job_for(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH, const float *keys)
{
    int64_t hs = C / NH;
    return (heads_job){.k = k, .s = {T, T, hs, 3 * C, 3 * C, C, 1.0f / sqrtf((float)hs), keys != NULL},
                       .keys = keys, .T = T, .C = C, .NH = NH, .hs = hs, .pairs = B * NH};
}

/* The kernel never writes the dk, dv rows of padded keys: zero them. */
static void zero_padded_rows(const heads_job *j, float *dk, int64_t from)
{
    for (int64_t t = from; t < j->T; t++) {
        memset(dk + t * 3 * j->C, 0, sizeof(float) * (size_t)j->hs);
        memset(dk + t * 3 * j->C + j->C, 0, sizeof(float) * (size_t)j->hs);
    }
}

static int parts_for(const heads_job *j, int threads) { return threads < j->pairs ? threads : (int)j->pairs; }

/* A range of (batch, head) pairs, forward or (dqkv set) backward. */
static void heads_part(void *arg, int part, int parts)
{
    const heads_job *j = arg;
    int64_t bh0, bh1;
    nnl_parallel_share(j->pairs, 1, part, parts, &bh0, &bh1);
    for (int64_t bh = bh0; bh < bh1; bh++) {
        int64_t b = bh / j->NH, h = bh % j->NH;
        int64_t qoff = b * j->T * 3 * j->C + h * j->hs, ooff = b * j->T * j->C + h * j->hs;
        const float *q = j->qkv + qoff;
        nnl_attn_shape s = j->s;
        if (j->keys)
            s.tk = (int64_t)j->keys[b];
        if (j->dqkv) {
            float *dq = j->dqkv + qoff;
            j->k->attention_backward(&s, q, q + j->C, q + 2 * j->C, j->att + ooff, j->lse + bh * j->T,
                                     j->datt + ooff, dq, dq + j->C, dq + 2 * j->C);
            zero_padded_rows(j, dq + j->C, s.tk);
        } else {
            j->k->attention_forward(&s, q, q + j->C, q + 2 * j->C, j->att_out + ooff, j->lse_out + bh * j->T);
        }
    }
}

void nnl_attention_heads_forward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                 const float *keys, const float *qkv, float *att, float *lse, int threads)
{
    heads_job j = job_for(k, B, T, C, NH, keys);
    j.qkv = qkv;
    j.att_out = att;
    j.lse_out = lse;
    nnl_parallel_run(parts_for(&j, threads), heads_part, &j);
}

void nnl_attention_heads_backward(const nnl_kernels *k, int64_t B, int64_t T, int64_t C, int64_t NH,
                                  const float *keys, const float *qkv, const float *att, const float *lse,
                                  const float *datt, float *dqkv, int threads)
{
    heads_job j = job_for(k, B, T, C, NH, keys);
    j.qkv = qkv;
    j.att = att;
    j.lse = lse;
    j.datt = datt;
    j.dqkv = dqkv;
    nnl_parallel_run(parts_for(&j, threads), heads_part, &j);
}
