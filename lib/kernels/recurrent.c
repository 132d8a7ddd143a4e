/* Recurrent cells (LSTM, GRU), scalar reference (the oracle of
 * recurrent_simd.h). One time step of `rows` sequences with hidden size H;
 * the matrix products (x W_ih^T, h W_hh^T) are the layer's, these kernels
 * fuse everything elementwise around them. Row-major throughout.
 *
 * LSTM, PyTorch's gate order i, f, g, o:
 *   lstm_cell_forward(rows, H, gates, c_prev, c, h, tanh_c)
 *     gates  (rows, 4H)  in: pre-activations a, each row [a_i | a_f | a_g | a_o]
 *                        out (in place): [i | f | g | o] with
 *                        i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
 *     c_prev (rows, H)   may be NULL (zeros)
 *     c      (rows, H) = f * c_prev + i * g
 *     tanh_c (rows, H) = tanh(c)
 *     h      (rows, H) = o * tanh_c
 *   lstm_cell_backward(rows, H, gates, c_prev, tanh_c, dh, dc, dgates)
 *     gates, c_prev, tanh_c as saved by the forward (c_prev NULL = zeros)
 *     dh     (rows, H)   dL/dh of this step
 *     dc     (rows, H)   in: dL/dc from the next step; out: dL/dc_prev
 *     dgates (rows, 4H)  out: dL/da, each row [da_i | da_f | da_g | da_o]
 *       dc_total = dc + dh * o * (1 - tanh_c^2)
 *       da_i = dc_total * g * i (1 - i)       da_f = dc_total * c_prev * f (1 - f)
 *       da_g = dc_total * i * (1 - g^2)       da_o = dh * tanh_c * o (1 - o)
 *       dc (out) = dc_total * f
 *     dc must not alias dgates.
 *
 * GRU, PyTorch's gates r, z, n with gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh:
 *   gru_cell_forward(rows, H, gi, gh, h_prev, h, gates)
 *     gi, gh (rows, 3H)  each row [r | z | n] parts
 *     h_prev (rows, H)   may be NULL (zeros)
 *       r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), n = tanh(gi_n + r * gh_n)
 *     h      (rows, H) = (1 - z) * n + z * h_prev
 *     gates  (rows, 3H) = [r | z | n], saved for the backward
 *   gru_cell_backward(rows, H, gates, gh, h_prev, dh, dgi, dgh, dh_prev)
 *     gates as saved, gh as in the forward, h_prev NULL = zeros
 *     dh (rows, H): dL/dh of this step; writes
 *       dn = dh (1 - z);  da_n = dn (1 - n^2);  dz = dh (h_prev - n);  da_z = dz z (1 - z)
 *       dr = da_n * gh_n; da_r = dr r (1 - r)
 *       dgi (rows, 3H) = [da_r | da_z | da_n]
 *       dgh (rows, 3H) = [da_r | da_z | da_n * r]
 *       dh_prev (rows, H) = dh * z   (the direct path; the layer adds dgh W_hh)
 *
 * Every output element depends only on the same element (j) of its row's
 * inputs, so the SIMD bodies agree with these loops up to the rounding of
 * their exp/tanh and FMAs. */
#include <math.h>

#include "kernels/isa.h"

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

void nnl_lstm_cell_forward_scalar(int64_t rows, int64_t H, float *gates, const float *c_prev, float *c,
                                  float *h, float *tanh_c)
{
    for (int64_t r = 0; r < rows; r++) {
        float *gr = gates + r * 4 * H;
        for (int64_t j = 0; j < H; j++) {
            float i = sigmoid(gr[j]);
            float f = sigmoid(gr[H + j]);
            float g = tanhf(gr[2 * H + j]);
            float o = sigmoid(gr[3 * H + j]);
            gr[j] = i;
            gr[H + j] = f;
            gr[2 * H + j] = g;
            gr[3 * H + j] = o;
            float cp = c_prev ? c_prev[r * H + j] : 0.0f;
            float cn = f * cp + i * g;
            float tc = tanhf(cn);
            c[r * H + j] = cn;
            tanh_c[r * H + j] = tc;
            h[r * H + j] = o * tc;
        }
    }
}

void nnl_lstm_cell_backward_scalar(int64_t rows, int64_t H, const float *gates, const float *c_prev,
                                   const float *tanh_c, const float *dh, float *dc, float *dgates)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *gr = gates + r * 4 * H;
        float *dgr = dgates + r * 4 * H;
        for (int64_t j = 0; j < H; j++) {
            int64_t e = r * H + j;
            float i = gr[j], f = gr[H + j], g = gr[2 * H + j], o = gr[3 * H + j];
            float tc = tanh_c[e], dhe = dh[e];
            float cp = c_prev ? c_prev[e] : 0.0f;
            float dct = dc[e] + dhe * o * (1.0f - tc * tc);
            dgr[j] = dct * g * i * (1.0f - i);
            dgr[H + j] = dct * cp * f * (1.0f - f);
            dgr[2 * H + j] = dct * i * (1.0f - g * g);
            dgr[3 * H + j] = dhe * tc * o * (1.0f - o);
            dc[e] = dct * f;
        }
    }
}

void nnl_gru_cell_forward_scalar(int64_t rows, int64_t H, const float *gi, const float *gh,
                                 const float *h_prev, float *h, float *gates)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *gir = gi + r * 3 * H, *ghr = gh + r * 3 * H;
        float *gr = gates + r * 3 * H;
        for (int64_t j = 0; j < H; j++) {
            float rg = sigmoid(gir[j] + ghr[j]);
            float z = sigmoid(gir[H + j] + ghr[H + j]);
            float n = tanhf(gir[2 * H + j] + rg * ghr[2 * H + j]);
            float hp = h_prev ? h_prev[r * H + j] : 0.0f;
            gr[j] = rg;
            gr[H + j] = z;
            gr[2 * H + j] = n;
            h[r * H + j] = (1.0f - z) * n + z * hp;
        }
    }
}

void nnl_gru_cell_backward_scalar(int64_t rows, int64_t H, const float *gates, const float *gh,
                                  const float *h_prev, const float *dh, float *dgi, float *dgh,
                                  float *dh_prev)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *gr = gates + r * 3 * H, *ghr = gh + r * 3 * H;
        float *dgir = dgi + r * 3 * H, *dghr = dgh + r * 3 * H;
        for (int64_t j = 0; j < H; j++) {
            int64_t e = r * H + j;
            float rg = gr[j], z = gr[H + j], n = gr[2 * H + j];
            float hp = h_prev ? h_prev[e] : 0.0f;
            float dhe = dh[e];
            float da_n = dhe * (1.0f - z) * (1.0f - n * n);
            float da_z = dhe * (hp - n) * z * (1.0f - z);
            float da_r = da_n * ghr[2 * H + j] * rg * (1.0f - rg);
            dgir[j] = da_r;
            dgir[H + j] = da_z;
            dgir[2 * H + j] = da_n;
            dghr[j] = da_r;
            dghr[H + j] = da_z;
            dghr[2 * H + j] = da_n * rg;
            dh_prev[e] = dhe * z;
        }
    }
}
