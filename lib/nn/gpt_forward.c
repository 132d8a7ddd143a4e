/* GPT forward pass over a batch (training, evaluation or full-sequence
 * inference), and the activation buffers it fills. Each step's shape is in
 * the comment above it; the backward (gpt_backward.c) walks them in reverse. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/attention_heads.h"
#include "nn/gpt_internal.h"

enum { ACT_ALIGN_FLOATS = 16 };

/* Lay the float buffers out in one block: with base NULL only counts. */
static int64_t layout_acts(const nnl_gpt *g, gpt_acts *a, float *base, int64_t B, int64_t T)
{
    const int64_t L = g->L, C = g->C, BT = B * T;
    int64_t used = 0;
#define TAKE(field, n)                                                                   \
    do {                                                                                 \
        a->field = base ? base + used : NULL;                                            \
        used += ((n) + ACT_ALIGN_FLOATS - 1) / ACT_ALIGN_FLOATS * ACT_ALIGN_FLOATS;      \
    } while (0)
    TAKE(encoded, BT * C);
    TAKE(ln1, L * BT * C);
    TAKE(ln1_mean, L * BT);
    TAKE(ln1_rstd, L * BT);
    TAKE(qkv, L * BT * 3 * C);
    TAKE(atty, L * BT * C);
    TAKE(lse, L * BT * g->NH);
    TAKE(res2, L * BT * C);
    TAKE(ln2, L * BT * C);
    TAKE(ln2_mean, L * BT);
    TAKE(ln2_rstd, L * BT);
    TAKE(fch, L * BT * 4 * C);
    TAKE(fch_gelu, L * BT * 4 * C);
    TAKE(res3, L * BT * C);
    TAKE(lnf, BT * C);
    TAKE(lnf_mean, BT);
    TAKE(lnf_rstd, BT);
    TAKE(logits, BT * g->V);
    TAKE(dres, BT * C);
    TAKE(dbuf, BT * C);
    TAKE(datty, BT * C);
    TAKE(dqkv, BT * 3 * C);
    TAKE(dfch, BT * 4 * C);
    if (g->config.dropout > 0.0f) {
        TAKE(mask_emb, BT * C);
        TAKE(mask_attn, L * BT * C);
        TAKE(mask_mlp, L * BT * C);
    } else {
        a->mask_emb = a->mask_attn = a->mask_mlp = NULL;
    }
#undef TAKE
    return used;
}

void gpt_acts_free(gpt_acts *acts)
{
    nnl_dealloc(acts->block);
    nnl_dealloc(acts->windows);
    nnl_dealloc(acts->inputs);
    nnl_dealloc(acts->targets);
    memset(acts, 0, sizeof *acts);
}

nnl_status gpt_acts_ensure(nnl_gpt *g, int64_t B, int64_t T, const char *who)
{
    gpt_acts *a = &g->acts;
    if (a->block && a->B == B && a->T == T)
        return NNL_OK;
    gpt_acts_free(a);
    int64_t floats = layout_acts(g, a, NULL, B, T);
    NNL_TRY(nnl_alloc_floats(&a->block, floats, who));
    layout_acts(g, a, a->block, B, T);
    a->windows = nnl_alloc(sizeof(int32_t) * (size_t)(B * (T + 1)));
    a->inputs = nnl_alloc(sizeof(int32_t) * (size_t)(B * T));
    a->targets = nnl_alloc(sizeof(int32_t) * (size_t)(B * T));
    if (!a->windows || !a->inputs || !a->targets) {
        gpt_acts_free(a);
        return nnl_error(NNL_E_NOMEM, "%s: cannot allocate %lld tokens", who, (long long)(B * T));
    }
    a->B = B;
    a->T = T;
    return NNL_OK;
}

/* out (rows, oc) = inp (rows, ic) @ w^T (w: oc x ic) + bias (oc, may be NULL) */
static void matmul_forward(const nnl_kernels *k, float *out, const float *inp, const float *w,
                           const float *bias, int64_t rows, int64_t ic, int64_t oc, int threads)
{
    k->sgemm(0, 1, rows, oc, ic, 1.0f, inp, ic, w, ic, 0.0f, out, oc, threads);
    if (bias)
        k->add_bias(rows, oc, out, bias);
}

/* encoded (B, T, C) = wte[inputs (B, T)] + wpe[t] */
static void embed_forward(const nnl_gpt *g, float *encoded, const int32_t *inputs, int64_t B, int64_t T)
{
    const int64_t C = g->C;
    for (int64_t bt = 0; bt < B * T; bt++) {
        const float *te = g->w.wte + (int64_t)inputs[bt] * C;
        const float *pe = g->w.wpe + (bt % T) * C;
        float *out = encoded + bt * C;
        for (int64_t c = 0; c < C; c++)
            out[c] = te[c] + pe[c];
    }
}

/* Inverted dropout: mask[i] = 0 with probability p, else 1 / (1 - p); x *= mask. */
static void dropout_forward(nnl_rng *rng, float p, float *mask, float *x, int64_t n)
{
    const float keep_scale = 1.0f / (1.0f - p);
    for (int64_t i = 0; i < n; i++) {
        mask[i] = nnl_rng_uniform(rng) < p ? 0.0f : keep_scale;
        x[i] *= mask[i];
    }
}

static void add_into(float *y, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        y[i] += x[i];
}

double gpt_forward(nnl_gpt *g, int64_t B, int64_t T, int with_targets, int training)
{
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const int64_t L = g->L, C = g->C, V = g->V, BT = B * T;
    const float p = g->config.dropout;
    const int drop = training && p > 0.0f;
    gpt_acts *a = &g->acts;

    embed_forward(g, a->encoded, a->inputs, B, T);
    if (drop)
        dropout_forward(&g->rng, p, a->mask_emb, a->encoded, BT * C);

    const float *residual = a->encoded; /* (B, T, C) */
    for (int64_t l = 0; l < L; l++) {
        const gpt_block_view *w = &g->w.blocks[l];
        float *ln1 = a->ln1 + l * BT * C, *ln1_mean = a->ln1_mean + l * BT, *ln1_rstd = a->ln1_rstd + l * BT;
        float *qkv = a->qkv + l * BT * 3 * C, *atty = a->atty + l * BT * C, *lse = a->lse + l * BT * g->NH;
        float *res2 = a->res2 + l * BT * C, *ln2 = a->ln2 + l * BT * C;
        float *ln2_mean = a->ln2_mean + l * BT, *ln2_rstd = a->ln2_rstd + l * BT;
        float *fch = a->fch + l * BT * 4 * C, *fch_gelu = a->fch_gelu + l * BT * 4 * C;
        float *res3 = a->res3 + l * BT * C;

        /* ln1 (BT, C) = LN(residual) */
        k->layernorm_forward(BT, C, residual, w->t[GPT_LN1_W], w->t[GPT_LN1_B], 1e-5f, ln1, ln1_mean, ln1_rstd);
        /* qkv (BT, 3C) = ln1 @ W_qkv^T + b */
        matmul_forward(k, qkv, ln1, w->t[GPT_QKV_W], w->t[GPT_QKV_B], BT, C, 3 * C, threads);
        /* atty (BT, C) = causal attention, heads side by side */
        nnl_attention_heads_forward(k, B, T, g->C, g->NH, qkv, atty, lse, threads);
        /* res2 (BT, C) = residual + dropout(atty @ W_proj^T + b) */
        matmul_forward(k, res2, atty, w->t[GPT_ATTPROJ_W], w->t[GPT_ATTPROJ_B], BT, C, C, threads);
        if (drop)
            dropout_forward(&g->rng, p, a->mask_attn + l * BT * C, res2, BT * C);
        add_into(res2, residual, BT * C);
        /* ln2 (BT, C) = LN(res2) */
        k->layernorm_forward(BT, C, res2, w->t[GPT_LN2_W], w->t[GPT_LN2_B], 1e-5f, ln2, ln2_mean, ln2_rstd);
        /* fch (BT, 4C) = ln2 @ W_fc^T + b; fch_gelu = GELU(fch) */
        matmul_forward(k, fch, ln2, w->t[GPT_FC_W], w->t[GPT_FC_B], BT, C, 4 * C, threads);
        k->act_forward(NNL_ACT_KIND_GELU, BT * 4 * C, fch, fch_gelu);
        /* res3 (BT, C) = res2 + dropout(fch_gelu @ W_fcproj^T + b) */
        matmul_forward(k, res3, fch_gelu, w->t[GPT_FCPROJ_W], w->t[GPT_FCPROJ_B], BT, 4 * C, C, threads);
        if (drop)
            dropout_forward(&g->rng, p, a->mask_mlp + l * BT * C, res3, BT * C);
        add_into(res3, res2, BT * C);
        residual = res3;
    }
    /* lnf (BT, C) = LN(residual); logits (BT, V) = lnf @ wte^T (tied head) */
    k->layernorm_forward(BT, C, residual, g->w.lnf_w, g->w.lnf_b, 1e-5f, a->lnf, a->lnf_mean, a->lnf_rstd);
    matmul_forward(k, a->logits, a->lnf, g->w.wte, NULL, BT, C, V, threads);
    if (!with_targets)
        return 0.0;
    /* Fused softmax + cross-entropy; in training dlogits (scaled by the mean's
     * 1 / BT) overwrite the logits in place, so no second V-wide buffer. */
    return k->softmax_xent(BT, V, a->logits, a->targets, 1.0f / (float)BT, NULL,
                           training ? a->logits : NULL);
}
