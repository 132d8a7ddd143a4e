/* GPT backward pass: the forward of gpt_forward.c in reverse, layer by
 * layer, adding parameter gradients to gpt->grads. The residual stream's
 * gradient lives in acts.dres; every LayerNorm backward adds into it, which
 * is how the gradient flows around each block. */
#include <math.h>
#include <string.h>

#include "core/threads.h"
#include "kernels/kernels.h"
#include "nn/attention_heads.h"
#include "nn/gpt_internal.h"

/* For out (rows, oc) = inp (rows, ic) @ w^T + b, given dout (rows, oc):
 *   dinp (rows, ic) = dout @ w          (overwritten)
 *   dw (oc, ic)    += dout^T @ inp
 *   db (oc)        += sum over rows of dout */
static void matmul_backward(const nnl_kernels *k, float *dinp, float *dw, float *db, const float *dout,
                            const float *inp, const float *w, int64_t rows, int64_t ic, int64_t oc,
                            int threads)
{
    k->sgemm(0, 0, rows, ic, oc, 1.0f, dout, oc, w, ic, 0.0f, dinp, ic, threads);
    k->sgemm(1, 0, oc, ic, rows, 1.0f, dout, oc, inp, ic, 1.0f, dw, ic, threads);
    if (db)
        k->sum_rows(rows, oc, dout, db);
}

/* The gradient reaching a dropout's input: dout * mask, or dout itself. */
static const float *dropout_backward(const float *mask, const float *dout, float *scratch, int64_t n)
{
    if (!mask)
        return dout;
    for (int64_t i = 0; i < n; i++)
        scratch[i] = dout[i] * mask[i];
    return scratch;
}

/* dwte[inputs[b,t]] += d[b,t,:]; dwpe[t] += d[b,t,:] */
static void embed_backward(nnl_gpt *g, const float *d, int64_t B, int64_t T)
{
    const int64_t C = g->C;
    for (int64_t bt = 0; bt < B * T; bt++) {
        float *dte = g->g.wte + (int64_t)g->acts.inputs[bt] * C;
        float *dpe = g->g.wpe + (bt % T) * C;
        const float *src = d + bt * C;
        for (int64_t c = 0; c < C; c++) {
            dte[c] += src[c];
            dpe[c] += src[c];
        }
    }
}

void gpt_backward(nnl_gpt *g, int64_t B, int64_t T)
{
    const nnl_kernels *k = nnl_kernels_active();
    const int threads = nnl_threads_get();
    const int64_t L = g->L, C = g->C, V = g->V, BT = B * T;
    gpt_acts *a = &g->acts;
    const int drop = a->mask_emb != NULL;

    /* Head: logits (BT, V) = lnf @ wte^T; a->logits holds dlogits.
     *   dlnf (BT, C) = dlogits @ wte; dwte += dlogits^T @ lnf */
    matmul_backward(k, a->dbuf, g->g.wte, NULL, a->logits, a->lnf, g->w.wte, BT, C, V, threads);
    const float *last = L > 0 ? a->res3 + (L - 1) * BT * C : a->encoded;
    memset(a->dres, 0, sizeof(float) * (size_t)(BT * C));
    k->layernorm_backward(BT, C, a->dbuf, last, g->w.lnf_w, a->lnf_mean, a->lnf_rstd, a->dres,
                          g->g.lnf_w, g->g.lnf_b);

    for (int64_t l = L - 1; l >= 0; l--) {
        const gpt_block_view *w = &g->w.blocks[l];
        gpt_block_view *dw = &g->g.blocks[l];
        const float *residual = l == 0 ? a->encoded : a->res3 + (l - 1) * BT * C;
        const float *ln1 = a->ln1 + l * BT * C, *qkv = a->qkv + l * BT * 3 * C;
        const float *atty = a->atty + l * BT * C, *lse = a->lse + l * BT * g->NH;
        const float *res2 = a->res2 + l * BT * C, *ln2 = a->ln2 + l * BT * C;
        const float *fch = a->fch + l * BT * 4 * C, *fch_gelu = a->fch_gelu + l * BT * 4 * C;

        /* res3 = res2 + dropout(fch_gelu @ W_fcproj^T + b): dres is d res3 */
        const float *dproj = dropout_backward(drop ? a->mask_mlp + l * BT * C : NULL, a->dres, a->dbuf, BT * C);
        matmul_backward(k, a->dfch, dw->t[GPT_FCPROJ_W], dw->t[GPT_FCPROJ_B], dproj, fch_gelu,
                        w->t[GPT_FCPROJ_W], BT, 4 * C, C, threads);
        /* fch_gelu = GELU(fch) */
        k->act_backward(NNL_ACT_KIND_GELU, BT * 4 * C, fch, fch_gelu, a->dfch, a->dfch);
        /* fch = ln2 @ W_fc^T + b: dln2 into dbuf */
        matmul_backward(k, a->dbuf, dw->t[GPT_FC_W], dw->t[GPT_FC_B], a->dfch, ln2, w->t[GPT_FC_W],
                        BT, C, 4 * C, threads);
        /* ln2 = LN(res2): dres becomes d res2 (the residual path plus this) */
        k->layernorm_backward(BT, C, a->dbuf, res2, w->t[GPT_LN2_W], a->ln2_mean + l * BT,
                              a->ln2_rstd + l * BT, a->dres, dw->t[GPT_LN2_W], dw->t[GPT_LN2_B]);

        /* res2 = residual + dropout(atty @ W_proj^T + b) */
        dproj = dropout_backward(drop ? a->mask_attn + l * BT * C : NULL, a->dres, a->dbuf, BT * C);
        matmul_backward(k, a->datty, dw->t[GPT_ATTPROJ_W], dw->t[GPT_ATTPROJ_B], dproj, atty,
                        w->t[GPT_ATTPROJ_W], BT, C, C, threads);
        /* atty = attention(qkv) */
        nnl_attention_heads_backward(k, B, T, g->C, g->NH, qkv, atty, lse, a->datty, a->dqkv, threads);
        /* qkv = ln1 @ W_qkv^T + b: dln1 into dbuf */
        matmul_backward(k, a->dbuf, dw->t[GPT_QKV_W], dw->t[GPT_QKV_B], a->dqkv, ln1, w->t[GPT_QKV_W],
                        BT, C, 3 * C, threads);
        /* ln1 = LN(residual): dres becomes d residual */
        k->layernorm_backward(BT, C, a->dbuf, residual, w->t[GPT_LN1_W], a->ln1_mean + l * BT,
                              a->ln1_rstd + l * BT, a->dres, dw->t[GPT_LN1_W], dw->t[GPT_LN1_B]);
    }
    /* encoded = dropout(wte[inputs] + wpe) */
    embed_backward(g, dropout_backward(drop ? a->mask_emb : NULL, a->dres, a->dbuf, BT * C), B, T);
}
