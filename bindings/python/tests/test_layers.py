"""Layers on their own: constructors, build, shapes, parameters, forward and backward."""

import os
import tempfile
import unittest

import nnlite


class LayerTest(unittest.TestCase):
    def test_each_constructor(self):
        cases = [
            (nnlite.Dense(5, activation="relu"), "dense", (3,), (5,), 20),
            (nnlite.Conv2D(4, 3, activation="relu"), "conv2d", (6, 6, 2), (4, 4, 4), 3 * 3 * 2 * 4 + 4),
            (nnlite.Conv2D(4, (3, 1), strides=2, padding="same"), "conv2d", (6, 6, 2), (3, 3, 4), 3 * 2 * 4 + 4),
            (nnlite.MaxPool2D(2), "maxpool2d", (6, 6, 2), (3, 3, 2), 0),
            (nnlite.AvgPool2D((3, 3), strides=1), "avgpool2d", (6, 6, 2), (4, 4, 2), 0),
            (nnlite.Flatten(), "flatten", (6, 6, 2), (72,), 0),
            (nnlite.Activation("tanh"), "activation", (7,), (7,), 0),
            (nnlite.Dropout(0.5), "dropout", (7,), (7,), 0),
            (nnlite.BatchNorm(), "batchnorm", (7,), (7,), 14),
            (nnlite.Residual(nnlite.Dense(7, activation="relu"), nnlite.Dense(7)), "residual", (7,), (7,), 112),
        ]
        for layer, kind, input_shape, output_shape, params in cases:
            with self.subTest(kind=kind):
                self.assertEqual(layer.type, kind)
                self.assertEqual(layer.param_count, 0)
                layer.build(input_shape, seed=1)
                self.assertEqual(layer.output_shape, output_shape)
                self.assertEqual(layer.param_count, params)

    def test_sequence_layers(self):
        cases = [
            (nnlite.Embedding(20, 16), "embedding", (8,), (8, 16), 320),
            (nnlite.LayerNorm(), "layernorm", (8, 16), (8, 16), 32),
            (nnlite.CausalSelfAttention(4), "causal_self_attention", (8, 16), (8, 16), 16 * 48 + 48 + 16 * 16 + 16),
            (nnlite.TransformerBlock(2, 16), "transformer_block", (8, 16), (8, 16), 3280),
            (nnlite.SelfAttention(4), "self_attention", (8, 16), (8, 16), 16 * 48 + 48 + 16 * 16 + 16),
            (nnlite.EncoderBlock(2, 16), "encoder_block", (8, 16), (8, 16), 3280),
            (nnlite.SelectPosition(0), "select_position", (8, 16), (16,), 0),
        ]
        for layer, kind, input_shape, output_shape, params in cases:
            with self.subTest(kind=kind):
                self.assertEqual(type(layer).__name__.lower(), kind.replace("_", ""))
                layer.build(input_shape, seed=2)
                self.assertEqual((layer.type, layer.output_shape, layer.param_count), (kind, output_shape, params))
        with self.assertRaises(nnlite.ShapeError):
            nnlite.CausalSelfAttention(3).build((8, 16))
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.Embedding(5, 4).build((3,)).forward([[0.0, 1.0, 7.0]])
        self.assertIn("7", ctx.exception.message)

    def test_encoder_reads_both_ways(self):
        layer = nnlite.EncoderBlock(2, 8, dropout=0.1).build((5, 8), seed=3)
        x = [[[((t * 8 + c) % 7) / 7.0 for c in range(8)] for t in range(5)]]
        changed = [row[:] for row in x[0]]
        changed[4] = [1.0] * 8  # only the last position differs, and position 0 sees it
        self.assertNotEqual(layer.forward(x).tolist()[0][0], layer.forward([changed]).tolist()[0][0])
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.EncoderBlock(2, 8, dropout=1.0)

    def test_padding_changes_nothing(self):
        def encoder(length):
            return nnlite.Sequential((length,), [nnlite.Embedding(10, 8), nnlite.PositionEmbedding(6),
                                                 nnlite.EncoderBlock(2, 8), nnlite.LayerNorm()], seed=4)
        padded, short = encoder(6), encoder(4)
        for a, b in zip(padded.layers, short.layers):
            for pa, pb in zip(a.params(), b.params()):
                pa.value.copy_to(pb.value.memoryview())
        self.assertIsNone(padded.padding_token)
        padded.padding_token = 1
        self.assertEqual(padded.padding_token, 1)
        got = padded.predict([[5, 6, 7, 8, 1, 1]]).tolist()[0][:4]
        want = short.predict([[5, 6, 7, 8]]).tolist()[0]
        for row_got, row_want in zip(got, want):
            for g, w in zip(row_got, row_want):
                self.assertAlmostEqual(g, w, places=4)
        with self.assertRaises(nnlite.ShapeError):
            nnlite.Sequential((2, 2), []).padding_token = 0
        with self.assertRaises(nnlite.InvalidArgumentError):
            padded.padding_token = -5
        padded.padding_token = None
        self.assertIsNone(padded.padding_token)

    def test_classifier_from_a_pretrained_encoder(self):
        tok = nnlite.Tokenizer("abcdefg", special_tokens=True)
        encoder = nnlite.Sequential((6,), [nnlite.Embedding(len(tok), 8), nnlite.PositionEmbedding(6),
                                           nnlite.EncoderBlock(2, 8), nnlite.LayerNorm(), nnlite.TiedOutput(0)])
        encoder.padding_token = nnlite.text.PAD
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "encoder.safetensors")
            encoder.save(path)
            clf = nnlite.Model.load(path).truncate(4)
            clf.add(nnlite.SelectPosition(0)).add(nnlite.Dense(2, activation="softmax"))
            clf.tokenizer = tok
            clf.class_names = ["论语", "道德经"]
            self.assertEqual(clf.class_names, ["论语", "道德经"])
            clf.save(path)
            back = nnlite.Model.load(path)
            self.assertEqual((back.class_names, back.padding_token, len(back.tokenizer)), (["论语", "道德经"], 1, 12))
            x = [[nnlite.text.CLS, 6, 7, nnlite.text.SEP, 1, 1]]
            self.assertEqual(back.predict(x).tolist(), clf.predict(x).tolist())
            back.class_names = None
            back.tokenizer = None
            self.assertIsNone(back.class_names)
            self.assertIsNone(back.tokenizer)
            with self.assertRaises(TypeError):
                back.tokenizer = "abc"

    def test_attention_is_causal(self):
        layer = nnlite.TransformerBlock(2, 8).build((5, 8), seed=3)
        x = [[[((t * 8 + c) % 7) / 7.0 for c in range(8)] for t in range(5)]]
        changed = [row[:] for row in x[0]]
        changed[4] = [1.0] * 8  # only the last position differs
        before, after = layer.forward(x).tolist()[0], layer.forward([changed]).tolist()[0]
        self.assertEqual(before[:4], after[:4])
        self.assertNotEqual(before[4], after[4])

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            nnlite.Dense(3, activation="swish")
        with self.assertRaises(ValueError):
            nnlite.Conv2D(3, 3, padding="full")
        with self.assertRaises(ValueError):
            nnlite.MaxPool2D((1, 2, 3))
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dropout(1.0)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Activation(None)

    def test_unbuilt_and_rebuilt(self):
        layer = nnlite.Dense(2)
        with self.assertRaises(nnlite.StateError):
            layer.output_shape
        layer.build((3,))
        with self.assertRaises(nnlite.StateError):
            layer.build((3,))
        with self.assertRaises(nnlite.ShapeError):
            nnlite.Conv2D(2, 3).build((4,))

    def test_dense_forward_matches_hand_computation(self):
        layer = nnlite.Dense(2).build((3,), seed=4)
        kernel, bias = layer.params()
        self.assertEqual((kernel.name, kernel.value.shape), ("kernel", (3, 2)))
        self.assertEqual((bias.name, bias.value.shape), ("bias", (2,)))
        w = kernel.value.tolist()
        bias.value.fill(0.5)
        x = [[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]]
        y = layer.forward(x).tolist()
        for row, out in zip(x, y):
            for j in range(2):
                self.assertAlmostEqual(out[j], sum(row[i] * w[i][j] for i in range(3)) + 0.5, places=5)

    def test_backward_gives_gradients(self):
        layer = nnlite.Dense(2).build((3,), seed=4)
        w = layer.params()[0].value.tolist()
        layer.zero_grad()
        x = [[1.0, 2.0, 3.0]]
        layer.forward(x, training=True)
        dx = layer.backward([[1.0, -1.0]])
        self.assertEqual(dx.shape, (1, 3))
        for i in range(3):
            self.assertAlmostEqual(dx.tolist()[0][i], w[i][0] - w[i][1], places=5)
        grad = layer.params()[0].grad.tolist()
        self.assertAlmostEqual(grad[2][0], 3.0, places=5)
        self.assertAlmostEqual(grad[2][1], -3.0, places=5)
        layer.zero_grad()
        self.assertEqual(layer.params()[1].grad.tolist(), [0.0, 0.0])

    def test_backward_needs_training_forward(self):
        layer = nnlite.Dense(2).build((3,))
        layer.forward([[1.0, 2.0, 3.0]])
        with self.assertRaises(nnlite.StateError):
            layer.backward([[1.0, 1.0]])

    def test_batchnorm_statistics_have_no_gradient(self):
        params = nnlite.BatchNorm().build((3,)).params()
        self.assertEqual(len(params), 4)
        self.assertTrue(all(isinstance(p, nnlite.Param) for p in params))
        self.assertEqual([p.grad is None for p in params], [False, False, True, True])

    def test_residual_owns_inner_layers(self):
        inner = nnlite.Dense(4)
        block = nnlite.Residual()
        block.add(inner)
        with self.assertRaises(nnlite.StateError):
            nnlite.Residual(inner)  # belongs to the block already
        block.build((4,))
        self.assertEqual(inner.output_shape, (4,))
        del block
        self.assertEqual(inner.param_count, 20)  # the inner layer keeps the block alive


if __name__ == "__main__":
    unittest.main()
