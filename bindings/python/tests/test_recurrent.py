"""Recurrent layers: SimpleRNN, LSTM and GRU (shapes, PyTorch's weights and formulas, training, files, options)."""

import ctypes
import math
import os
import random
import tempfile
import time
import unittest

import nnlite
from nnlite import _api

CELLS = [(nnlite.SimpleRNN, "rnn", 1), (nnlite.LSTM, "lstm", 4), (nnlite.GRU, "gru", 3)]


def set_values(tensor, values):
    """Write the flat list ``values`` into ``tensor`` (a parameter view), row-major."""
    flat = tensor.memoryview().cast("B").cast("f")
    if len(flat) != len(values):
        raise ValueError("%d values for a tensor of %d" % (len(values), len(flat)))
    for k, v in enumerate(values):
        flat[k] = v


def params_by_name(layer):
    return {p.name: p for p in layer.params()}


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def matvec(w, x):
    """w (rows of len(x)) times x."""
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def rows(flat, count, width):
    return [flat[r * width:(r + 1) * width] for r in range(count)]


class ShapeTest(unittest.TestCase):
    T, I, H, B = 5, 3, 4, 2

    def test_output_shapes_and_parameters(self):
        T, I, H, B = self.T, self.I, self.H, self.B
        x = [[[((b * 7 + t * 3 + i) % 5 - 2) / 2.0 for i in range(I)] for t in range(T)] for b in range(B)]
        for cls, kind, gates in CELLS:
            for return_sequences in (True, False):
                for bidirectional in (False, True):
                    with self.subTest(cell=kind, return_sequences=return_sequences, bidirectional=bidirectional):
                        layer = cls(H, return_sequences=return_sequences, bidirectional=bidirectional)
                        self.assertEqual(layer.type, kind)
                        self.assertIs(type(layer), cls)
                        layer.build((T, I), seed=3)
                        width = (2 if bidirectional else 1) * H
                        expected = (T, width) if return_sequences else (width,)
                        self.assertEqual(layer.output_shape, expected)
                        per_direction = gates * H * I + gates * H * H + 2 * gates * H
                        self.assertEqual(layer.param_count, (2 if bidirectional else 1) * per_direction)
                        names = [p.name for p in layer.params()]
                        forward_names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
                        self.assertEqual(names, forward_names + ([n + "_reverse" for n in forward_names]
                                                                 if bidirectional else []))
                        self.assertEqual(params_by_name(layer)["weight_ih"].value.shape, (gates * H, I))
                        self.assertEqual(params_by_name(layer)["weight_hh"].value.shape, (gates * H, H))
                        self.assertEqual(params_by_name(layer)["bias_hh"].value.shape, (gates * H,))
                        y = layer.forward(x)
                        self.assertEqual(y.shape, (B,) + expected)
                        values = [v for v in _flatten(y.tolist())]
                        self.assertTrue(all(-1.0 <= v <= 1.0 for v in values))  # every cell's h is in [-1, 1]
                        self.assertGreater(max(abs(v) for v in values), 0.0)

    def test_final_state_is_the_last_step_and_reverse_the_first(self):
        T, I, H = self.T, self.I, self.H
        x = [[[math.sin(t * I + i) for i in range(I)] for t in range(T)]]
        for cls, kind, gates in CELLS:
            with self.subTest(cell=kind):
                every = cls(H, bidirectional=True).build((T, I), seed=5)
                final = cls(H, return_sequences=False, bidirectional=True).build((T, I), seed=5)
                sequence, last = every.forward(x).tolist()[0], final.forward(x).tolist()[0]
                for a, b in zip(last[:H], sequence[T - 1][:H]):
                    self.assertAlmostEqual(a, b, places=6)
                for a, b in zip(last[H:], sequence[0][H:]):  # the backward pass ends at step 0
                    self.assertAlmostEqual(a, b, places=6)

    def test_learned_initial_state_parameters(self):
        for cls, kind, gates in CELLS:
            with self.subTest(cell=kind):
                layer = cls(self.H, bidirectional=True, learn_initial_state=True).build((self.T, self.I))
                states = ["h0", "c0"] if kind == "lstm" else ["h0"]
                names = [p.name for p in layer.params()]
                self.assertEqual(names[4:4 + len(states)], states)
                self.assertEqual(names[-len(states):], [s + "_reverse" for s in states])
                self.assertEqual(params_by_name(layer)["h0"].value.shape, (self.H,))

    def test_model_layers_come_back_as_their_classes(self):
        model = nnlite.Model((6,), [nnlite.Embedding(10, 4), nnlite.SimpleRNN(3), nnlite.GRU(3, bidirectional=True),
                                    nnlite.LSTM(2, return_sequences=False)])
        self.assertEqual([type(layer) for layer in model.layers[1:]], [nnlite.SimpleRNN, nnlite.GRU, nnlite.LSTM])
        self.assertEqual(model.output_shape, (2,))

    def test_a_sequence_input_is_required(self):
        with self.assertRaises(nnlite.ShapeError) as ctx:
            nnlite.LSTM(4).build((7,))
        self.assertIn("lstm: input must be (T, I)", ctx.exception.message)


def _flatten(value):
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


class PyTorchFormulaTest(unittest.TestCase):
    """Weights set through the parameter tensors in PyTorch's layout give PyTorch's outputs."""

    I, H = 3, 2
    x = [[0.5, -1.0, 0.25], [-0.75, 0.3, 1.0]]  # two steps

    def weights(self, gates, seed):
        rng = random.Random(seed)
        I, H = self.I, self.H
        return {"weight_ih": [rng.uniform(-0.8, 0.8) for _ in range(gates * H * I)],
                "weight_hh": [rng.uniform(-0.8, 0.8) for _ in range(gates * H * H)],
                "bias_ih": [rng.uniform(-0.5, 0.5) for _ in range(gates * H)],
                "bias_hh": [rng.uniform(-0.5, 0.5) for _ in range(gates * H)]}

    def load(self, layer, values):
        params = params_by_name(layer)
        for name, flat in values.items():
            set_values(params[name].value, flat)

    def test_lstm_steps_match_pytorch(self):
        I, H = self.I, self.H
        w = self.weights(4, seed=11)
        h0, c0 = [0.3, -0.6], [0.9, -0.2]
        layer = nnlite.LSTM(H, learn_initial_state=True).build((2, I))
        self.load(layer, dict(w, h0=h0, c0=c0))
        got = layer.forward([self.x]).tolist()[0]

        w_ih, w_hh = rows(w["weight_ih"], 4 * H, I), rows(w["weight_hh"], 4 * H, H)
        h, c = h0, c0
        for t, x_t in enumerate(self.x):
            # PyTorch: gates = W_ih x + b_ih + W_hh h + b_hh, blocks i, f, g, o
            pre = [a + b + p + q for a, b, p, q in zip(matvec(w_ih, x_t), w["bias_ih"], matvec(w_hh, h), w["bias_hh"])]
            i = [sigmoid(v) for v in pre[0:H]]
            f = [sigmoid(v) for v in pre[H:2 * H]]
            g = [math.tanh(v) for v in pre[2 * H:3 * H]]
            o = [sigmoid(v) for v in pre[3 * H:4 * H]]
            c = [f[j] * c[j] + i[j] * g[j] for j in range(H)]
            h = [o[j] * math.tanh(c[j]) for j in range(H)]
            for j in range(H):
                self.assertAlmostEqual(got[t][j], h[j], places=5, msg="step %d unit %d" % (t, j))

    def test_lstm_zero_initial_state_single_step(self):
        I, H = self.I, self.H
        w = self.weights(4, seed=12)
        layer = nnlite.LSTM(H, return_sequences=False).build((1, I))
        self.load(layer, w)
        got = layer.forward([self.x[:1]]).tolist()[0]
        pre = [a + b + q for a, b, q in zip(matvec(rows(w["weight_ih"], 4 * H, I), self.x[0]), w["bias_ih"],
                                            w["bias_hh"])]
        for j in range(H):
            i, g, o = sigmoid(pre[j]), math.tanh(pre[2 * H + j]), sigmoid(pre[3 * H + j])
            self.assertAlmostEqual(got[j], o * math.tanh(i * g), places=5)  # c0 = 0: f has no effect

    def test_gru_steps_match_pytorch(self):
        I, H = self.I, self.H
        w = self.weights(3, seed=13)
        layer = nnlite.GRU(H).build((2, I))
        self.load(layer, w)
        got = layer.forward([self.x]).tolist()[0]
        w_ih, w_hh = rows(w["weight_ih"], 3 * H, I), rows(w["weight_hh"], 3 * H, H)
        h = [0.0] * H
        for t, x_t in enumerate(self.x):
            gi = [a + b for a, b in zip(matvec(w_ih, x_t), w["bias_ih"])]
            gh = [a + b for a, b in zip(matvec(w_hh, h), w["bias_hh"])]
            r = [sigmoid(gi[j] + gh[j]) for j in range(H)]
            z = [sigmoid(gi[H + j] + gh[H + j]) for j in range(H)]
            n = [math.tanh(gi[2 * H + j] + r[j] * gh[2 * H + j]) for j in range(H)]
            h = [(1 - z[j]) * n[j] + z[j] * h[j] for j in range(H)]
            for j in range(H):
                self.assertAlmostEqual(got[t][j], h[j], places=5, msg="step %d unit %d" % (t, j))

    def test_bidirectional_rnn_reverse_weights(self):
        I, H = self.I, self.H
        forward, backward = self.weights(1, seed=14), self.weights(1, seed=15)
        layer = nnlite.SimpleRNN(H, bidirectional=True).build((2, I))
        self.load(layer, dict(forward, **{name + "_reverse": v for name, v in backward.items()}))
        got = layer.forward([self.x]).tolist()[0]

        def run(w, steps):
            h, out = [0.0] * H, {}
            for t in steps:
                pre = [a + b + p + q for a, b, p, q in zip(matvec(rows(w["weight_ih"], H, I), self.x[t]), w["bias_ih"],
                                                          matvec(rows(w["weight_hh"], H, H), h), w["bias_hh"])]
                h = [math.tanh(v) for v in pre]
                out[t] = h
            return out

        fwd, bwd = run(forward, [0, 1]), run(backward, [1, 0])
        for t in range(2):
            for j in range(H):
                self.assertAlmostEqual(got[t][j], fwd[t][j], places=5)
                self.assertAlmostEqual(got[t][H + j], bwd[t][j], places=5)


def order_task(count, length, seed):
    """Random strings of letters with one 'x' and one 'y'; label 1 when the 'x' comes first."""
    rng = random.Random(seed)
    filler = [c for c in "abcdefghijklmnopqrstuvwz"]
    texts, labels = [], []
    for _ in range(count):
        chars = [rng.choice(filler) for _ in range(length)]
        first, second = rng.sample(range(length), 2)
        chars[first], chars[second] = "x", "y"
        texts.append("".join(chars))
        labels.append(1 if first < second else 0)
    return texts, labels


def encode(texts):
    return [[float(ord(c) - ord("a")) for c in text] for text in texts]


class SequenceClassifierTest(unittest.TestCase):
    def test_lstm_learns_which_letter_comes_first(self):
        # Each string has one 'x' and one 'y', so only their order tells the label: a model that
        # ignores order (a bag of characters) is at chance.
        length = 16
        train_texts, train_labels = order_task(1200, length, seed=1)
        test_texts, test_labels = order_task(400, length, seed=2)
        model = nnlite.Model((length,), [nnlite.Embedding(26, 8), nnlite.LSTM(16, return_sequences=False),
                                         nnlite.Dense(2, activation="softmax")], seed=3)
        model.compile(nnlite.Adam(0.02))
        started = time.perf_counter()
        history = model.fit(encode(train_texts), train_labels, epochs=8, batch_size=32, verbose=0, seed=4)
        seconds = time.perf_counter() - started
        loss, accuracy = model.evaluate(encode(test_texts), test_labels)
        self.assertGreaterEqual(accuracy, 0.9, "history %s" % (history.history,))
        self.assertLess(history.history["loss"][-1], history.history["loss"][0])
        self.assertLess(seconds, 30.0)
        probabilities = model.predict(encode(["abxcdeyfghijklmn", "abycdexfghijklmn"])).tolist()
        self.assertEqual([max(range(2), key=p.__getitem__) for p in probabilities], [1, 0])


class SaveLoadTest(unittest.TestCase):
    def test_gru_model_round_trip_gives_identical_predictions(self):
        length = 7
        texts, labels = order_task(64, length, seed=5)
        model = nnlite.Model((length,), [nnlite.Embedding(26, 6),
                                         nnlite.GRU(5, bidirectional=True, learn_initial_state=True),
                                         nnlite.GRU(4, return_sequences=False), nnlite.Dense(2, activation="softmax")],
                             seed=6)
        model.compile(nnlite.Adam(0.01))
        model.fit(encode(texts), labels, epochs=1, batch_size=16, verbose=0)
        before = model.predict(encode(texts)).tolist()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gru.safetensors")
            model.save(path)
            loaded = nnlite.Model.load(path)
        self.assertEqual(loaded.predict(encode(texts)).tolist(), before)
        self.assertEqual([type(layer) for layer in loaded.layers], [nnlite.Embedding, nnlite.GRU, nnlite.GRU,
                                                                   nnlite.Dense])
        first = loaded.layers[1]
        self.assertEqual(first.output_shape, (length, 10))
        self.assertEqual(loaded.layers[2].output_shape, (4,))
        self.assertEqual([p.name for p in first.params()],
                         ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "h0", "weight_ih_reverse",
                          "weight_hh_reverse", "bias_ih_reverse", "bias_hh_reverse", "h0_reverse"])
        for a, b in zip(model.layers[1].params(), first.params()):
            self.assertEqual(a.value.tolist(), b.value.tolist())
        self.assertEqual(loaded.param_count, model.param_count)


class RNNOptionsTest(unittest.TestCase):
    """The nnl_rnn_options mirror carries its own size, which the library takes."""

    def create(self, options, constructor=None):
        out = ctypes.c_void_p()
        (constructor or _api.C.nnl_layer_lstm)(ctypes.byref(out), options)
        try:
            _api.C.nnl_layer_build(out, 2, (ctypes.c_int64 * 2)(3, 2), 0)
            shape = (ctypes.c_int64 * 8)()
            ndim = ctypes.c_int()
            _api.C.nnl_layer_output_shape(out, shape, 8, ctypes.byref(ndim))
            return tuple(shape[:ndim.value])
        finally:
            _api.C.nnl_layer_free(out)

    def test_mirror_sets_its_struct_size(self):
        self.assertEqual(_api.RNNOptions().struct_size, ctypes.sizeof(_api.RNNOptions))
        self.assertEqual(_api.RNNOptions(hidden=5).struct_size, ctypes.sizeof(_api.RNNOptions))

    def test_null_takes_the_defaults(self):
        for constructor in (_api.C.nnl_layer_rnn, _api.C.nnl_layer_lstm, _api.C.nnl_layer_gru):
            self.assertEqual(self.create(None, constructor), (3, 128))  # hidden 128, every step
        self.assertEqual(nnlite.LSTM(128).build((3, 2)).output_shape, (3, 128))  # the same defaults in Python

    def test_the_library_takes_the_mirror_size_and_no_less(self):
        options = _api.RNNOptions(hidden=5, return_sequences=0, bidirectional=1)
        self.assertEqual(self.create(ctypes.byref(options)), (10,))
        options.struct_size = _api.RNNOptions.learn_initial_state.offset + ctypes.sizeof(ctypes.c_int)
        self.assertEqual(self.create(ctypes.byref(options)), (10,))
        options.struct_size = _api.RNNOptions.learn_initial_state.offset
        for constructor, name in ((_api.C.nnl_layer_rnn, "nnl_layer_rnn"), (_api.C.nnl_layer_lstm, "nnl_layer_lstm"),
                                  (_api.C.nnl_layer_gru, "nnl_layer_gru")):
            with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                self.create(ctypes.byref(options), constructor)
            self.assertIn("%s: nnl_rnn_options struct_size=" % name, ctx.exception.message)

    def test_a_newer_larger_struct_needs_a_zero_tail(self):
        class Newer(ctypes.Structure):
            _fields_ = [("options", _api.RNNOptions), ("tail", ctypes.c_ubyte * 16)]

        newer = Newer(_api.RNNOptions(hidden=3, return_sequences=1))
        newer.options.struct_size = ctypes.sizeof(Newer)
        pointer = ctypes.cast(ctypes.pointer(newer), ctypes.POINTER(_api.RNNOptions))
        self.assertEqual(self.create(pointer), (3, 3))
        newer.tail[15] = 1
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            self.create(pointer)
        self.assertIn("nnl_rnn_options", ctx.exception.message)
        self.assertIn("not zero", ctx.exception.message)


class BadArgumentTest(unittest.TestCase):
    def test_hidden_out_of_range(self):
        for cls, kind, gates in CELLS:
            name = "nnl_layer_" + kind
            for hidden in (0, -3, 65537):
                with self.subTest(cell=kind, hidden=hidden):
                    with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                        cls(hidden)
                    self.assertEqual(ctx.exception.status, nnlite.Status.INVALID_ARG)
                    self.assertIn("%s: hidden=%d" % (name, hidden), ctx.exception.message)
                    self.assertIn("need hidden in 1..65536", ctx.exception.message)
        self.assertEqual(nnlite.SimpleRNN(65536).type, "rnn")

    def test_hidden_must_be_an_integer(self):
        with self.assertRaises(TypeError):
            nnlite.LSTM(2.5)


if __name__ == "__main__":
    unittest.main()
