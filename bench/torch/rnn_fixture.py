#!/usr/bin/python3
"""Write the PyTorch reference fixture for nnlite's recurrent layers (issue 13).

For each cell (lstm, gru, rnn = nn.RNN(nonlinearity='tanh')), each direction
(uni, bi) and each initial state (h0 = random h0/c0 given, zero = none given,
i.e. zeros), one float32 1-layer batch_first model with I=3, H=4, B=2, T=5:
parameters, input x, initial state, the loss weight w, the output sequence,
h_n (c_n), and the gradients of L = sum(output * w) with respect to x, every
parameter and h0 (c0).

Writes tests/fixtures/rnn/rnn_fixture.inc (C) and rnn_fixture.json beside it.
Run with Debian's interpreter: /usr/bin/python3 bench/torch/rnn_fixture.py [--out DIR]
The output depends only on the seeds below and PyTorch's default init and
kernels; rerunning it on the same PyTorch gives the same files.
"""
import argparse
import json
import os

import torch
import torch.nn as nn

I, H, B, T = 3, 4, 2, 5
CELLS = (("lstm", nn.LSTM, 4), ("gru", nn.GRU, 3), ("rnn", nn.RNN, 1))
DIRS = (("uni", False), ("bi", True))
INITS = ("h0", "zero")
SEED = 13


def make(cls, bidir):
    kw = {"nonlinearity": "tanh"} if cls is nn.RNN else {}
    return cls(I, H, num_layers=1, batch_first=True, bidirectional=bidir, **kw)


def param_names(bidir):
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    return names + [n + "_reverse" for n in names] if bidir else names


def run(model, x, w, h0, c0, is_lstm):
    """Forward and backward; returns (outputs dict, grads dict)."""
    model.zero_grad(set_to_none=True)
    x = x.detach().clone().requires_grad_(True)
    state = None
    if h0 is not None:
        h0 = h0.detach().clone().requires_grad_(True)
        if is_lstm:
            c0 = c0.detach().clone().requires_grad_(True)
            state = (h0, c0)
        else:
            state = h0
    out, hn = model(x, state)
    loss = (out * w).sum()
    loss.backward()
    outs = {"output": out, "loss": loss.reshape(1)}
    if is_lstm:
        outs["h_n"], outs["c_n"] = hn
    else:
        outs["h_n"] = hn
    grads = {"grad_x": x.grad}
    for n, p in model.named_parameters():
        grads["grad_" + n.replace("_l0", "")] = p.grad
    if h0 is not None:
        grads["grad_h0"] = h0.grad
        if is_lstm:
            grads["grad_c0"] = c0.grad
    return outs, grads


def build():
    """Returns [(name, tensor)] in file order and the float32-vs-float64 gap."""
    tensors = []
    gap = 0.0
    for ci, (cell, cls, _) in enumerate(CELLS):
        for di, (dname, bidir) in enumerate(DIRS):
            D = 2 if bidir else 1
            torch.manual_seed(SEED + 10 * ci + di)
            model = make(cls, bidir)  # PyTorch's default init: U(-1/sqrt(H), 1/sqrt(H))
            x = torch.randn(B, T, I)
            h0 = 0.5 * torch.randn(D, B, H)
            c0 = 0.5 * torch.randn(D, B, H) if cls is nn.LSTM else None
            w = torch.randn(B, T, D * H)
            model64 = make(cls, bidir).double()
            model64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
            for init in INITS:
                pre = "%s_%s_%s_" % (cell, dname, init)
                ih0 = h0 if init == "h0" else None
                ic0 = c0 if init == "h0" else None
                outs, grads = run(model, x, w, ih0, ic0, cls is nn.LSTM)
                outs64, grads64 = run(model64, x.double(), w.double(),
                                      None if ih0 is None else ih0.double(),
                                      None if ic0 is None else ic0.double(), cls is nn.LSTM)
                for d32, d64 in ((outs, outs64), (grads, grads64)):
                    for k in d32:
                        if k != "loss":
                            gap = max(gap, (d32[k].double() - d64[k]).abs().max().item())
                for n, p in model.named_parameters():
                    tensors.append((pre + n.replace("_l0", ""), p.detach()))
                tensors.append((pre + "x", x))
                if init == "h0":
                    tensors.append((pre + "h0", h0))
                    if c0 is not None:
                        tensors.append((pre + "c0", c0))
                tensors.append((pre + "w", w))
                tensors += [(pre + k, v.detach()) for k, v in outs.items()]
                for n in ["grad_x"] + ["grad_" + p for p in param_names(bidir)]:
                    tensors.append((pre + n, grads[n]))
                if init == "h0":
                    tensors.append((pre + "grad_h0", grads["grad_h0"]))
                    if c0 is not None:
                        tensors.append((pre + "grad_c0", grads["grad_c0"]))
    return tensors, gap


def cfloat(v):
    s = "%.9g" % v
    if "." not in s and "e" not in s and "n" not in s:
        s += ".0"
    return s + "f"


HEADER = """\
/* rnn_fixture.inc: reference values for nnlite's recurrent layers, computed
 * once by PyTorch %(version)s (float32, CPU) with bench/torch/rnn_fixture.py.
 * Generated: do not edit; rerun the script instead. Values are "%%.9g" (exact
 * float32 round trips). float32 vs float64 PyTorch on the same inputs differ
 * by at most %(gap).2g here, so a float32 implementation should match within 1e-5.
 *
 * Cases: CELL_DIR_INIT_ with CELL in lstm (nn.LSTM), gru (nn.GRU),
 * rnn (nn.RNN, nonlinearity='tanh'); DIR in uni, bi (bidirectional=True);
 * INIT in h0 (random initial state passed) and zero (no state passed: zeros).
 * Each: num_layers=1, batch_first=True, I = %(I)d inputs, H = %(H)d hidden,
 * B = %(B)d batch, T = %(T)d steps, D = 1 (uni) or 2 (bi) directions, G = gates
 * (LSTM 4, GRU 3, RNN 1). The h0 and zero cases of a CELL_DIR share
 * parameters, x and w (written again under each prefix). All row-major (C order).
 *
 * PyTorch's parameter layout (names without the "_l0" suffix):
 *   weight_ih (G*H, I)   weight_hh (G*H, H)   bias_ih (G*H)   bias_hh (G*H)
 *   and for bi the same again as *_reverse (the backward direction).
 *   Rows are gate blocks of H: LSTM i, f, g, o; GRU r, z, n; RNN one block.
 *   LSTM: i = s(Wii x + bii + Whi h + bhi), f, o alike, g = tanh(...),
 *         c' = f*c + i*g, h' = o*tanh(c').
 *   GRU:  r = s(Wir x + bir + Whr h + bhr), z alike,
 *         n = tanh(Win x + bin + r*(Whn h + bhn)), h' = (1-z)*n + z*h.
 *   RNN:  h' = tanh(Wih x + bih + Whh h + bhh).
 *
 * Tensors per case (shape):
 *   weight_ih, weight_hh, bias_ih, bias_hh [, *_reverse]   as above
 *   x (B, T, I)       h0 (D, B, H), c0 (D, B, H) LSTM     [h0 cases only]
 *   w (B, T, D*H)     the loss weight: L = sum(output * w)
 *   output (B, T, D*H)   the forward direction in [0, H), the reverse in [H, 2H)
 *   loss (1)          h_n (D, B, H)     c_n (D, B, H) LSTM
 *   grad_x (B, T, I)  grad_<param> (its parameter's shape)
 *   grad_h0 (D, B, H), grad_c0 (D, B, H) LSTM              [h0 cases only]
 * Index d of h0/h_n/c_n: 0 forward, 1 reverse; h_n reverse is the state after
 * reading x[:, 0].
 *
 * rnn_fixture_tensors[] at the end lists every array with its name and shape.
 */
"""


def write(out_dir, tensors, gap):
    os.makedirs(out_dir, exist_ok=True)
    lines = [HEADER % {"version": torch.__version__, "gap": gap, "I": I, "H": H, "B": B, "T": T}]
    lines.append("#define RNN_FIXTURE_I %d\n#define RNN_FIXTURE_H %d\n"
                 "#define RNN_FIXTURE_B %d\n#define RNN_FIXTURE_T %d\n" % (I, H, B, T))
    for name, t in tensors:
        vals = [cfloat(v) for v in t.reshape(-1).tolist()]
        lines.append("/* %s */\nstatic const float %s[] = {" % (tuple(t.shape), name))
        for k in range(0, len(vals), 6):
            lines.append("    " + ", ".join(vals[k:k + 6]) + ",")
        lines.append("};")
    lines.append("\nstruct rnn_fixture_tensor {\n    const char *name;\n    const float *data;\n"
                 "    int ndim;\n    int shape[3];\n    int size;\n};\n")
    lines.append("static const struct rnn_fixture_tensor rnn_fixture_tensors[] = {")
    for name, t in tensors:
        shape = list(t.shape) + [0] * (3 - t.dim())
        lines.append('    {"%s", %s, %d, {%d, %d, %d}, %d},' % ((name, name, t.dim()) + tuple(shape) + (t.numel(),)))
    lines.append("};")
    lines.append("#define RNN_FIXTURE_NTENSORS %d" % len(tensors))
    path = os.path.join(out_dir, "rnn_fixture.inc")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    doc = {"generator": "bench/torch/rnn_fixture.py", "torch": torch.__version__,
           "I": I, "H": H, "B": B, "T": T,
           "tensors": {n: {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}
                       for n, t in tensors}}
    jpath = os.path.join(out_dir, "rnn_fixture.json")
    with open(jpath, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    return path, jpath


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "tests", "fixtures", "rnn"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    tensors, gap = build()
    for p in write(a.out, tensors, gap):
        print("%s %d bytes" % (os.path.normpath(p), os.path.getsize(p)))
    print("tensors=%d float32_vs_float64_max_abs=%.3g" % (len(tensors), gap))


if __name__ == "__main__":
    main()
