/* Attention of one head (causal or bidirectional), SIMD body shared by attention_avx2.c and
 * attention_avx512.c (include vec_<isa>.h first): FlashAttention's tiled,
 * online-softmax algorithm over blocks of queries and keys. Shapes and
 * formulas as in the oracle attention.c:
 *
 *   q   (tq, hs) row stride ld_q       query i sits at position tk - tq + i
 *   k,v (tk, hs) row stride ld_kv      and sees keys 0 .. tk - tq + i (causal)
 *                                      or 0 .. tk - 1 (bidirectional)
 *   out (tq, hs) row stride ld_out
 *   lse (tq)     log sum_j exp(scale * q_i . k_j), kept for the backward
 *
 * Queries go in blocks of QS rows, keys in tiles of KT = 2 VL. Each block x
 * tile product is a small GEMM on a register tile of QB rows x 2 vectors:
 * the scores S = Q K^T read a transposed copy of the key tile (so a score
 * row is two vectors and no horizontal sum is needed), the value update
 * O += P V reads value rows as they are. Scores and probabilities live in
 * tiles on the stack, so memory stays constant whatever the context length.
 * A query row keeps a running maximum m and sum l, and rescales its output
 * row when m grows. */
#include <math.h>

#include "kernels/isa.h"

enum {
    QB = 4,      /* query rows of a register tile */
    QS = 64,     /* query rows of a block: a transposed key tile serves them all */
    KT = 2 * VL, /* keys of a tile: one score row is two vectors */
    DC = 64      /* head dimensions transposed at a time (bounds the stack copy) */
};

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Keys a query row sees: causal rows see up to their own position. */
static int64_t keys_seen(const nnl_attn_shape *s, int64_t i)
{
    return s->bidirectional ? s->tk : s->tk - s->tq + i + 1;
}

/* The first n lanes of vector `half` (0 or 1) of a KT-wide tile row; n may
 * be negative or past KT. */
NNL_INLINE vmask tile_lanes(int64_t n, int half)
{
    int64_t lanes = n - half * VL;
    return vmask_first(lanes < 0 ? 0 : lanes);
}

/* ---- row helpers over hs floats */

/* a . b, two accumulators to hide the FMA latency. */
NNL_INLINE float vdot(const float *a, const float *b, int64_t n)
{
    vf acc0 = vf_zero(), acc1 = vf_zero();
    int64_t i = 0;
    for (; i + 2 * VL <= n; i += 2 * VL) {
        acc0 = vf_fmadd(vf_load(a + i), vf_load(b + i), acc0);
        acc1 = vf_fmadd(vf_load(a + i + VL), vf_load(b + i + VL), acc1);
    }
    for (; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        acc0 = vf_fmadd(vf_load_mask(a + i, k), vf_load_mask(b + i, k), acc0);
    }
    return vf_hsum(vf_add(acc0, acc1));
}

/* y *= alpha */
NNL_INLINE void vscale(float *y, float alpha, int64_t n)
{
    vf va = vf_set1(alpha);
    for (int64_t i = 0; i < n; i += VL) {
        vmask k = vmask_first(n - i);
        vf_store_first(y + i, n - i, k, vf_mul(va, vf_load_mask(y + i, k)));
    }
}

NNL_INLINE void vzero(float *y, int64_t n)
{
    for (int64_t i = 0; i < n; i += VL)
        vf_store_first(y + i, n - i, vmask_first(n - i), vf_zero());
}

/* ---- the two small GEMMs of a block x tile */

/* bt (dc, KT) = b (nk, dc; stride ldb) transposed, zero past key nk. */
static void transpose_keys(float *bt, const float *b, int64_t ldb, int64_t nk, int64_t dc)
{
    for (int64_t j = 0; j < KT; j++)
        for (int64_t d = 0; d < dc; d++)
            bt[d * KT + j] = j < nk ? b[j * ldb + d] : 0.0f;
}

/* s (rows, KT) (+)= a (rows, dc; stride lda) bt (dc, KT), rows <= QB a
 * constant after inlining. */
NNL_INLINE void scores_micro(float *s, const float *a, int64_t lda, int rows, const float *bt, int64_t dc,
                             int accumulate)
{
    vf acc[QB][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = accumulate ? vf_load(s + r * KT) : vf_zero();
        acc[r][1] = accumulate ? vf_load(s + r * KT + VL) : vf_zero();
    }
    for (int64_t d = 0; d < dc; d++) {
        vf b0 = vf_load(bt + d * KT), b1 = vf_load(bt + d * KT + VL);
        for (int r = 0; r < rows; r++) {
            vf x = vf_set1(a[r * lda + d]);
            acc[r][0] = vf_fmadd(x, b0, acc[r][0]);
            acc[r][1] = vf_fmadd(x, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < rows; r++) {
        vf_store(s + r * KT, acc[r][0]);
        vf_store(s + r * KT + VL, acc[r][1]);
    }
}

/* s (rows, KT) = a (rows, hs; stride lda) b^T for the nk <= KT rows of
 * b (stride ldb); score columns from nk on are 0. */
static void tile_scores(float *s, const float *a, int64_t lda, int64_t rows, const float *b, int64_t ldb,
                        int64_t nk, int64_t hs)
{
    if (rows < QB) { /* a generation step: dot products cost less than transposing the keys */
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < KT; j++)
                s[r * KT + j] = j < nk ? vdot(a + r * lda, b + j * ldb, hs) : 0.0f;
        return;
    }
    float bt[DC * KT];
    for (int64_t d0 = 0; d0 < hs; d0 += DC) {
        int64_t dc = min64(DC, hs - d0);
        transpose_keys(bt, b + d0, ldb, nk, dc);
        int64_t r0 = 0;
        for (; r0 + QB <= rows; r0 += QB)
            scores_micro(s + r0 * KT, a + r0 * lda + d0, lda, QB, bt, dc, d0 > 0);
        for (; r0 < rows; r0++)
            scores_micro(s + r0 * KT, a + r0 * lda + d0, lda, 1, bt, dc, d0 > 0);
    }
}

/* c (rows, 2 VL columns from c's start, the first `cols` kept; stride ldc)
 * += p (rows, n; stride ldp) b (n, 2 VL; stride ldb). */
NNL_INLINE void accumulate_micro(float *c, int64_t ldc, int rows, const float *p, int64_t ldp, const float *b,
                                 int64_t ldb, int64_t n, int64_t cols)
{
    const int whole = cols >= 2 * VL;
    const vmask k0 = tile_lanes(cols, 0), k1 = tile_lanes(cols, 1);
    vf acc[QB][2];
    for (int r = 0; r < rows; r++) {
        acc[r][0] = vf_load_tail(c + r * ldc, !whole, k0);
        acc[r][1] = vf_load_tail(c + r * ldc + VL, !whole, k1);
    }
    for (int64_t j = 0; j < n; j++) {
        vf b0 = vf_load_tail(b + j * ldb, !whole, k0), b1 = vf_load_tail(b + j * ldb + VL, !whole, k1);
        for (int r = 0; r < rows; r++) {
            vf x = vf_set1(p[r * ldp + j]);
            acc[r][0] = vf_fmadd(x, b0, acc[r][0]);
            acc[r][1] = vf_fmadd(x, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < rows; r++) {
        vf_store_tail(c + r * ldc, !whole, k0, acc[r][0]);
        vf_store_tail(c + r * ldc + VL, !whole, k1, acc[r][1]);
    }
}

/* c (rows, hs; stride ldc) += p (rows, n; stride ldp) b (n, hs; stride ldb). */
static void tile_accumulate(float *c, int64_t ldc, int64_t rows, const float *p, int64_t ldp, const float *b,
                            int64_t ldb, int64_t n, int64_t hs)
{
    for (int64_t d0 = 0; d0 < hs; d0 += 2 * VL) {
        int64_t r0 = 0;
        for (; r0 + QB <= rows; r0 += QB)
            accumulate_micro(c + r0 * ldc + d0, ldc, QB, p + r0 * ldp, ldp, b + d0, ldb, n, hs - d0);
        for (; r0 < rows; r0++)
            accumulate_micro(c + r0 * ldc + d0, ldc, 1, p + r0 * ldp, ldp, b + d0, ldb, n, hs - d0);
    }
}

/* t (KT, QS) = s (rows, KT) transposed. */
static void transpose_tile(float *t, const float *s, int64_t rows)
{
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < KT; j++)
            t[j * QS + r] = s[r * KT + j];
}

/* ---- forward */

/* One query block against one key tile: turns the block's scores into
 * probabilities in place, folding them into each row's running m and l
 * (and rescaling its output row when m grows). */
static void online_softmax_tile(const nnl_attn_shape *s, int64_t i0, int64_t rows, int64_t j0, float *scores,
                                float *m, float *l, float *out)
{
    const vf scale = vf_set1(s->scale), minus_inf = vf_set1(-INFINITY);
    for (int64_t r = 0; r < rows; r++) {
        float *row = scores + r * KT;
        int64_t valid = keys_seen(s, i0 + r) - j0;
        vmask k0 = tile_lanes(valid, 0), k1 = tile_lanes(valid, 1);
        vf s0 = vf_mul(scale, vf_load_mask_fill(row, k0, minus_inf));
        vf s1 = vf_mul(scale, vf_load_mask_fill(row + VL, k1, minus_inf));
        float tile_max = vf_hmax(vf_max(s0, s1));
        if (tile_max > m[r]) {
            float correction = expf(m[r] - tile_max); /* 0 on the first tile */
            vscale(out + r * s->ld_out, correction, s->head_size);
            l[r] *= correction;
            m[r] = tile_max;
        }
        vf vm = vf_set1(m[r]);
        vf p0 = vf_keep(k0, vf_exp(vf_sub(s0, vm))), p1 = vf_keep(k1, vf_exp(vf_sub(s1, vm)));
        vf_store(row, p0);
        vf_store(row + VL, p1);
        l[r] += vf_hsum(vf_add(p0, p1));
    }
}

/* Keys 0 .. end - 1 are the ones some row of the block i0 .. i0 + rows - 1 sees. */
static int64_t block_keys(const nnl_attn_shape *s, int64_t i0, int64_t rows)
{
    return keys_seen(s, i0 + rows - 1);
}

/* The first row of the block starting at query i0 that sees key j0: rows
 * see more keys as they go, so the rows a key tile concerns are the block's
 * last ones (causal), or all of them. */
static int64_t first_row_seeing(const nnl_attn_shape *s, int64_t i0, int64_t j0)
{
    int64_t i = s->bidirectional ? 0 : j0 - (s->tk - s->tq);
    return i > i0 ? i - i0 : 0;
}

static void forward_block(const nnl_attn_shape *s, int64_t i0, int64_t rows, const float *q, const float *k,
                          const float *v, float *out, float *lse)
{
    const int64_t hs = s->head_size;
    float scores[QS * KT], m[QS], l[QS];
    for (int64_t r = 0; r < rows; r++) {
        m[r] = -INFINITY;
        l[r] = 0.0f;
        vzero(out + r * s->ld_out, hs);
    }
    const int64_t end = block_keys(s, i0, rows);
    for (int64_t j0 = 0; j0 < end; j0 += KT) {
        int64_t nk = min64(KT, end - j0), r1 = first_row_seeing(s, i0, j0), n = rows - r1;
        float *o1 = out + r1 * s->ld_out, *s1 = scores + r1 * KT;
        tile_scores(s1, q + r1 * s->ld_q, s->ld_q, n, k + j0 * s->ld_kv, s->ld_kv, nk, hs);
        online_softmax_tile(s, i0 + r1, n, j0, s1, m + r1, l + r1, o1);
        tile_accumulate(o1, s->ld_out, n, s1, KT, v + j0 * s->ld_kv, s->ld_kv, nk, hs);
    }
    for (int64_t r = 0; r < rows; r++) {
        vscale(out + r * s->ld_out, 1.0f / l[r], hs);
        if (lse)
            lse[r] = m[r] + logf(l[r]);
    }
}

void SIMD_FN(attention_forward)(const nnl_attn_shape *s, const float *q, const float *k, const float *v,
                                float *out, float *lse)
{
    for (int64_t i0 = 0; i0 < s->tq; i0 += QS)
        forward_block(s, i0, min64(QS, s->tq - i0), q + i0 * s->ld_q, k, v, out + i0 * s->ld_out,
                      lse ? lse + i0 : NULL);
}

/* ---- backward */

/* p = exp(scale s - lse) in place of the scores, and in place of the
 * value-gradient products dp: ds = scale p (dp - D), zero where a row sees
 * no key. */
static void probabilities_tile(const nnl_attn_shape *s, int64_t i0, int64_t rows, int64_t j0, const float *lse,
                               const float *big_d, float *p, float *dp)
{
    const vf scale = vf_set1(s->scale);
    for (int64_t r = 0; r < rows; r++) {
        int64_t valid = keys_seen(s, i0 + r) - j0;
        vmask k[2] = {tile_lanes(valid, 0), tile_lanes(valid, 1)};
        vf lse_r = vf_set1(lse[r]), d_r = vf_set1(big_d[r]);
        for (int h = 0; h < 2; h++) {
            float *ph = p + r * KT + h * VL, *dph = dp + r * KT + h * VL;
            vf prob = vf_keep(k[h], vf_exp(vf_sub(vf_mul(scale, vf_load(ph)), lse_r)));
            vf_store(ph, prob);
            vf_store(dph, vf_mul(scale, vf_mul(prob, vf_sub(vf_load(dph), d_r))));
        }
    }
}

typedef struct backward_io {
    const float *q, *k, *v, *out, *lse, *dout;
    float *dq, *dk, *dv;
} backward_io;

static void backward_block(const nnl_attn_shape *s, int64_t i0, int64_t rows, const backward_io *io)
{
    const int64_t hs = s->head_size;
    const float *q = io->q + i0 * s->ld_q, *dout = io->dout + i0 * s->ld_out;
    float *dq = io->dq + i0 * s->ld_q;
    float p[QS * KT], ds[QS * KT], transposed[KT * QS], big_d[QS];
    for (int64_t r = 0; r < rows; r++)
        big_d[r] = vdot(dout + r * s->ld_out, io->out + (i0 + r) * s->ld_out, hs);
    const int64_t end = block_keys(s, i0, rows);
    for (int64_t j0 = 0; j0 < end; j0 += KT) {
        /* rows r1 .. rows of the block see this key tile */
        int64_t nk = min64(KT, end - j0), r1 = first_row_seeing(s, i0, j0), n = rows - r1;
        const float *kt = io->k + j0 * s->ld_kv, *vt = io->v + j0 * s->ld_kv;
        const float *q1 = q + r1 * s->ld_q, *dout1 = dout + r1 * s->ld_out;
        float *p1 = p + r1 * KT, *ds1 = ds + r1 * KT;
        tile_scores(p1, q1, s->ld_q, n, kt, s->ld_kv, nk, hs);
        tile_scores(ds1, dout1, s->ld_out, n, vt, s->ld_kv, nk, hs);
        probabilities_tile(s, i0 + r1, n, j0, io->lse + i0 + r1, big_d + r1, p1, ds1);
        tile_accumulate(dq + r1 * s->ld_q, s->ld_q, n, ds1, KT, kt, s->ld_kv, nk, hs);
        transpose_tile(transposed, ds1, n);
        tile_accumulate(io->dk + j0 * s->ld_kv, s->ld_kv, nk, transposed, QS, q1, s->ld_q, n, hs);
        transpose_tile(transposed, p1, n);
        tile_accumulate(io->dv + j0 * s->ld_kv, s->ld_kv, nk, transposed, QS, dout1, s->ld_out, n, hs);
    }
}

void SIMD_FN(attention_backward)(const nnl_attn_shape *s, const float *q, const float *k, const float *v,
                                 const float *out, const float *lse, const float *dout, float *dq,
                                 float *dk, float *dv)
{
    const int64_t hs = s->head_size;
    for (int64_t i = 0; i < s->tq; i++)
        vzero(dq + i * s->ld_q, hs);
    for (int64_t j = 0; j < s->tk; j++) {
        vzero(dk + j * s->ld_kv, hs);
        vzero(dv + j * s->ld_kv, hs);
    }
    const backward_io io = {q, k, v, out, lse, dout, dq, dk, dv};
    for (int64_t i0 = 0; i0 < s->tq; i0 += QS)
        backward_block(s, i0, min64(QS, s->tq - i0), &io);
}
