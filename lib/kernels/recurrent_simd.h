/* Recurrent cells (LSTM, GRU), SIMD body shared by recurrent_avx2.c and
 * recurrent_avx512.c (include vec_<isa>.h first). Formulas and shapes:
 * recurrent.c.
 *
 * Each kernel is one pass: vector j of a row loads element block j of every
 * gate section ([i | f | g | o] or [r | z | n], H apart), so the gates,
 * state and gradients of an element are read and written once. H need not
 * be a multiple of VL: the last block of every section is masked (the same
 * mask for all sections). sigmoid and tanh are vf_sigmoid/vf_tanh
 * (vec_common.h). A NULL c_prev/h_prev is a zero vector, which gives the
 * same bits as a buffer of zeros.
 * Large calls (rows * H from about 5k, e.g. 16 x 512) split the rows over
 * threads (parallel.h); elementwise, so the bits do not depend on the
 * thread count. */
#include <stddef.h>

#include "kernels/isa.h"
#include "kernels/parallel.h"

/* p + offset, or NULL for NULL. */
NNL_INLINE const float *rnn_offset_or_null(const float *p, int64_t offset) { return p ? p + offset : NULL; }

NNL_INLINE vf rnn_load_or_zero(const float *p, int masked, vmask k) { return p ? vf_load_tail(p, masked, k) : vf_zero(); }

/* ---- LSTM ---- */

/* One block of VL elements of one row; g points at the row's gates. */
NNL_INLINE void lstm_fwd_vec(int64_t H, float *g, const float *c_prev, float *c, float *h, float *tanh_c,
                             int masked, vmask k)
{
    vf i = vf_sigmoid(vf_load_tail(g, masked, k));
    vf f = vf_sigmoid(vf_load_tail(g + H, masked, k));
    vf gg = vf_tanh(vf_load_tail(g + 2 * H, masked, k));
    vf o = vf_sigmoid(vf_load_tail(g + 3 * H, masked, k));
    vf_store_tail(g, masked, k, i);
    vf_store_tail(g + H, masked, k, f);
    vf_store_tail(g + 2 * H, masked, k, gg);
    vf_store_tail(g + 3 * H, masked, k, o);
    vf cn = vf_fmadd(f, rnn_load_or_zero(c_prev, masked, k), vf_mul(i, gg));
    vf tc = vf_tanh(cn);
    vf_store_tail(c, masked, k, cn);
    vf_store_tail(tanh_c, masked, k, tc);
    vf_store_tail(h, masked, k, vf_mul(o, tc));
}

static void lstm_fwd_rows(int64_t rows, int64_t H, float *gates, const float *c_prev, float *c, float *h,
                          float *tanh_c)
{
    for (int64_t r = 0; r < rows; r++) {
        float *g = gates + r * 4 * H;
        int64_t e = r * H, j = 0;
        for (; j + VL <= H; j += VL)
            lstm_fwd_vec(H, g + j, rnn_offset_or_null(c_prev, e + j), c + e + j, h + e + j, tanh_c + e + j, 0,
                         vmask_first(VL));
        if (j < H)
            lstm_fwd_vec(H, g + j, rnn_offset_or_null(c_prev, e + j), c + e + j, h + e + j, tanh_c + e + j, 1,
                         vmask_first(H - j));
    }
}

NNL_INLINE void lstm_bwd_vec(int64_t H, const float *g, const float *c_prev, const float *tanh_c,
                             const float *dh, float *dc, float *dg, int masked, vmask k)
{
    vf one = vf_set1(1.0f);
    vf i = vf_load_tail(g, masked, k);
    vf f = vf_load_tail(g + H, masked, k);
    vf gg = vf_load_tail(g + 2 * H, masked, k);
    vf o = vf_load_tail(g + 3 * H, masked, k);
    vf tc = vf_load_tail(tanh_c, masked, k);
    vf dhv = vf_load_tail(dh, masked, k);
    vf cp = rnn_load_or_zero(c_prev, masked, k);
    vf dct = vf_fmadd(vf_mul(dhv, o), vf_fnmadd(tc, tc, one), vf_load_tail(dc, masked, k));
    vf_store_tail(dg, masked, k, vf_mul(vf_mul(dct, gg), vf_mul(i, vf_sub(one, i))));
    vf_store_tail(dg + H, masked, k, vf_mul(vf_mul(dct, cp), vf_mul(f, vf_sub(one, f))));
    vf_store_tail(dg + 2 * H, masked, k, vf_mul(vf_mul(dct, i), vf_fnmadd(gg, gg, one)));
    vf_store_tail(dg + 3 * H, masked, k, vf_mul(vf_mul(dhv, tc), vf_mul(o, vf_sub(one, o))));
    vf_store_tail(dc, masked, k, vf_mul(dct, f));
}

static void lstm_bwd_rows(int64_t rows, int64_t H, const float *gates, const float *c_prev,
                          const float *tanh_c, const float *dh, float *dc, float *dgates)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *g = gates + r * 4 * H;
        float *dg = dgates + r * 4 * H;
        int64_t e = r * H, j = 0;
        for (; j + VL <= H; j += VL)
            lstm_bwd_vec(H, g + j, rnn_offset_or_null(c_prev, e + j), tanh_c + e + j, dh + e + j, dc + e + j,
                         dg + j, 0, vmask_first(VL));
        if (j < H)
            lstm_bwd_vec(H, g + j, rnn_offset_or_null(c_prev, e + j), tanh_c + e + j, dh + e + j, dc + e + j,
                         dg + j, 1, vmask_first(H - j));
    }
}

/* ---- GRU ---- */

NNL_INLINE void gru_fwd_vec(int64_t H, const float *gi, const float *gh, const float *h_prev, float *h,
                            float *gates, int masked, vmask k)
{
    vf one = vf_set1(1.0f);
    vf r = vf_sigmoid(vf_add(vf_load_tail(gi, masked, k), vf_load_tail(gh, masked, k)));
    vf z = vf_sigmoid(vf_add(vf_load_tail(gi + H, masked, k), vf_load_tail(gh + H, masked, k)));
    vf n = vf_tanh(vf_fmadd(r, vf_load_tail(gh + 2 * H, masked, k), vf_load_tail(gi + 2 * H, masked, k)));
    vf hp = rnn_load_or_zero(h_prev, masked, k);
    vf_store_tail(gates, masked, k, r);
    vf_store_tail(gates + H, masked, k, z);
    vf_store_tail(gates + 2 * H, masked, k, n);
    vf_store_tail(h, masked, k, vf_fmadd(z, hp, vf_mul(vf_sub(one, z), n)));
}

static void gru_fwd_rows(int64_t rows, int64_t H, const float *gi, const float *gh, const float *h_prev,
                         float *h, float *gates)
{
    for (int64_t r = 0; r < rows; r++) {
        int64_t g3 = r * 3 * H, e = r * H, j = 0;
        for (; j + VL <= H; j += VL)
            gru_fwd_vec(H, gi + g3 + j, gh + g3 + j, rnn_offset_or_null(h_prev, e + j), h + e + j,
                        gates + g3 + j, 0, vmask_first(VL));
        if (j < H)
            gru_fwd_vec(H, gi + g3 + j, gh + g3 + j, rnn_offset_or_null(h_prev, e + j), h + e + j,
                        gates + g3 + j, 1, vmask_first(H - j));
    }
}

NNL_INLINE void gru_bwd_vec(int64_t H, const float *gates, const float *gh, const float *h_prev,
                            const float *dh, float *dgi, float *dgh, float *dh_prev, int masked, vmask k)
{
    vf one = vf_set1(1.0f);
    vf r = vf_load_tail(gates, masked, k);
    vf z = vf_load_tail(gates + H, masked, k);
    vf n = vf_load_tail(gates + 2 * H, masked, k);
    vf hp = rnn_load_or_zero(h_prev, masked, k);
    vf dhv = vf_load_tail(dh, masked, k);
    vf da_n = vf_mul(vf_mul(dhv, vf_sub(one, z)), vf_fnmadd(n, n, one));
    vf da_z = vf_mul(vf_mul(dhv, vf_sub(hp, n)), vf_mul(z, vf_sub(one, z)));
    vf da_r = vf_mul(vf_mul(da_n, vf_load_tail(gh + 2 * H, masked, k)), vf_mul(r, vf_sub(one, r)));
    vf_store_tail(dgi, masked, k, da_r);
    vf_store_tail(dgi + H, masked, k, da_z);
    vf_store_tail(dgi + 2 * H, masked, k, da_n);
    vf_store_tail(dgh, masked, k, da_r);
    vf_store_tail(dgh + H, masked, k, da_z);
    vf_store_tail(dgh + 2 * H, masked, k, vf_mul(da_n, r));
    vf_store_tail(dh_prev, masked, k, vf_mul(dhv, z));
}

static void gru_bwd_rows(int64_t rows, int64_t H, const float *gates, const float *gh, const float *h_prev,
                         const float *dh, float *dgi, float *dgh, float *dh_prev)
{
    for (int64_t r = 0; r < rows; r++) {
        int64_t g3 = r * 3 * H, e = r * H, j = 0;
        for (; j + VL <= H; j += VL)
            gru_bwd_vec(H, gates + g3 + j, gh + g3 + j, rnn_offset_or_null(h_prev, e + j), dh + e + j,
                        dgi + g3 + j, dgh + g3 + j, dh_prev + e + j, 0, vmask_first(VL));
        if (j < H)
            gru_bwd_vec(H, gates + g3 + j, gh + g3 + j, rnn_offset_or_null(h_prev, e + j), dh + e + j,
                        dgi + g3 + j, dgh + g3 + j, dh_prev + e + j, 1, vmask_first(H - j));
    }
}

/* ---- threads: rows split in contiguous parts ---- */

typedef struct rnn_job {
    int64_t rows, H;
    const float *in0, *in1, *in2, *in3; /* the op's read-only inputs, in argument order */
    float *out0, *out1, *out2, *out3;   /* its written arguments, in argument order */
} rnn_job;

/* Threads for a call touching `floats_per_elem` floats per element of
 * (rows, H): parts of whole rows, only when the call is large (parallel.h). */
NNL_INLINE int rnn_team(int64_t rows, int64_t H, int64_t floats_per_elem) { return kernel_team(floats_per_elem * rows * H, rows); }

NNL_INLINE void rnn_share(const rnn_job *j, int part, int parts, int64_t *begin, int64_t *end)
{
    nnl_parallel_share(j->rows, 1, part, parts, begin, end);
}

static void lstm_fwd_job(void *arg, int part, int parts)
{
    const rnn_job *j = arg;
    int64_t b, e, H = j->H;
    rnn_share(j, part, parts, &b, &e);
    lstm_fwd_rows(e - b, H, j->out0 + b * 4 * H, rnn_offset_or_null(j->in0, b * H), j->out1 + b * H,
                  j->out2 + b * H, j->out3 + b * H);
}

void SIMD_FN(lstm_cell_forward)(int64_t rows, int64_t H, float *gates, const float *c_prev, float *c, float *h,
                                float *tanh_c)
{
    int team = rnn_team(rows, H, 12);
    if (team == 1) {
        lstm_fwd_rows(rows, H, gates, c_prev, c, h, tanh_c);
        return;
    }
    rnn_job j = {rows, H, c_prev, NULL, NULL, NULL, gates, c, h, tanh_c};
    nnl_parallel_run(team, lstm_fwd_job, &j);
}

static void lstm_bwd_job(void *arg, int part, int parts)
{
    const rnn_job *j = arg;
    int64_t b, e, H = j->H;
    rnn_share(j, part, parts, &b, &e);
    lstm_bwd_rows(e - b, H, j->in0 + b * 4 * H, rnn_offset_or_null(j->in1, b * H), j->in2 + b * H,
                  j->in3 + b * H, j->out0 + b * H, j->out1 + b * 4 * H);
}

void SIMD_FN(lstm_cell_backward)(int64_t rows, int64_t H, const float *gates, const float *c_prev,
                                 const float *tanh_c, const float *dh, float *dc, float *dgates)
{
    int team = rnn_team(rows, H, 14);
    if (team == 1) {
        lstm_bwd_rows(rows, H, gates, c_prev, tanh_c, dh, dc, dgates);
        return;
    }
    rnn_job j = {rows, H, gates, c_prev, tanh_c, dh, dc, dgates, NULL, NULL};
    nnl_parallel_run(team, lstm_bwd_job, &j);
}

static void gru_fwd_job(void *arg, int part, int parts)
{
    const rnn_job *j = arg;
    int64_t b, e, H = j->H;
    rnn_share(j, part, parts, &b, &e);
    gru_fwd_rows(e - b, H, j->in0 + b * 3 * H, j->in1 + b * 3 * H, rnn_offset_or_null(j->in2, b * H),
                 j->out0 + b * H, j->out1 + b * 3 * H);
}

void SIMD_FN(gru_cell_forward)(int64_t rows, int64_t H, const float *gi, const float *gh, const float *h_prev,
                               float *h, float *gates)
{
    int team = rnn_team(rows, H, 11);
    if (team == 1) {
        gru_fwd_rows(rows, H, gi, gh, h_prev, h, gates);
        return;
    }
    rnn_job j = {rows, H, gi, gh, h_prev, NULL, h, gates, NULL, NULL};
    nnl_parallel_run(team, gru_fwd_job, &j);
}

static void gru_bwd_job(void *arg, int part, int parts)
{
    const rnn_job *j = arg;
    int64_t b, e, H = j->H;
    rnn_share(j, part, parts, &b, &e);
    gru_bwd_rows(e - b, H, j->in0 + b * 3 * H, j->in1 + b * 3 * H, rnn_offset_or_null(j->in2, b * H),
                 j->in3 + b * H, j->out0 + b * 3 * H, j->out1 + b * 3 * H, j->out2 + b * H);
}

void SIMD_FN(gru_cell_backward)(int64_t rows, int64_t H, const float *gates, const float *gh,
                                const float *h_prev, const float *dh, float *dgi, float *dgh, float *dh_prev)
{
    int team = rnn_team(rows, H, 13);
    if (team == 1) {
        gru_bwd_rows(rows, H, gates, gh, h_prev, dh, dgi, dgh, dh_prev);
        return;
    }
    rnn_job j = {rows, H, gates, gh, h_prev, dh, dgi, dgh, dh_prev, NULL};
    nnl_parallel_run(team, gru_bwd_job, &j);
}
