"""Tokenizer, text data sets and the GPT: training with progress, streaming generation, save and load."""

import ctypes
import os
import tempfile
import unittest

import nnlite
from support import CORPUS, POEM


class TokenizerTest(unittest.TestCase):
    def test_code_points_in_order(self):
        tok = nnlite.Tokenizer("cab")
        self.assertEqual((tok.vocab_size, len(tok)), (4, 4))
        self.assertEqual([tok.piece(i) for i in range(1, 4)], ["a", "b", "c"])
        self.assertEqual(tok.encode("abcz").tolist(), [1, 2, 3, 0])
        self.assertEqual(tok.decode([3, 1, 0]), "ca\ufffd")
        with self.assertRaises(IndexError):
            tok.piece(4)
        with self.assertRaises(nnlite.InvalidArgumentError):
            tok.decode([9])

    def test_empty_text(self):
        tok = nnlite.Tokenizer("ab")
        self.assertEqual(len(tok.encode("")), 0)
        self.assertEqual(tok.decode([]), "")

    def test_chinese_round_trip(self):
        tok = nnlite.Tokenizer(POEM)
        ids = tok.encode(POEM)
        self.assertEqual(len(ids), len(POEM))
        self.assertEqual(tok.decode(ids), POEM)
        self.assertEqual(tok.decode(tok.encode(POEM.encode("utf-8"))), POEM)

    def test_invalid_utf8(self):
        with self.assertRaises(nnlite.FormatError) as ctx:
            nnlite.Tokenizer(b"ab\xffcd")
        self.assertIn("2", ctx.exception.message)
        self.assertEqual(nnlite.Tokenizer(b"ab\xffcd", replace_invalid=True).encode("\ufffd").tolist(), [5])

    def test_special_tokens(self):
        tok = nnlite.Tokenizer("b a", special_tokens=True)
        self.assertEqual(tok.num_special, 5)
        self.assertEqual(nnlite.Tokenizer("ab").num_special, 1)
        self.assertEqual(len(tok), 8)
        self.assertEqual([tok.piece(i) for i in (nnlite.text.PAD, nnlite.text.CLS, nnlite.text.SEP, nnlite.text.MASK)],
                         ["[PAD]", "[CLS]", "[SEP]", "[MASK]"])
        self.assertEqual(tok.encode("ab[").tolist(), [6, 7, 0])
        self.assertEqual(tok.decode([nnlite.text.CLS, 6, nnlite.text.SEP]), "[CLS]a[SEP]")

    def test_strip_ansi(self):
        tok = nnlite.Tokenizer("\x1b[31mred\x1b[0m", strip_ansi=True)
        self.assertEqual(tok.decode(range(1, tok.vocab_size)), "der")


class TextDatasetTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "corpus.txt")
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(CORPUS)

    def tearDown(self):
        self.tmp.cleanup()

    def test_splits_and_samples(self):
        data = nnlite.TextDataset(self.path, seed=3)
        train, val = data.length("train"), data.length("validation")
        self.assertEqual(train + val, len(CORPUS))
        self.assertEqual(val, data.length("val"))
        tokens = data.sample(4, 8).tolist()
        self.assertEqual((len(tokens), len(tokens[0])), (4, 9))
        text = data.tokenizer.decode(tokens[0])
        self.assertIn(text, CORPUS)
        with self.assertRaises(ValueError):
            data.length("test")
        with self.assertRaises(nnlite.InvalidArgumentError):
            data.sample(1, train + 5)

    def test_given_tokenizer_and_errors(self):
        tok = nnlite.Tokenizer("abc")
        data = nnlite.TextDataset(self.path, tok)
        self.assertEqual(data.tokenizer.vocab_size, 4)
        with self.assertRaises(nnlite.FileError):
            nnlite.TextDataset(os.path.join(self.tmp.name, "missing.txt"))
        short = os.path.join(self.tmp.name, "short.txt")
        with open(short, "w") as f:
            f.write("too short")
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.TextDataset(short)


class GptTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(self.tmp.name, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(CORPUS)
        self.data = nnlite.TextDataset(path, seed=1)
        self.gpt = nnlite.GPT(self.data.tokenizer, n_layer=1, n_head=2, n_embd=32, block_size=16, seed=7)

    def tearDown(self):
        self.tmp.cleanup()

    def train(self, iters, **kwargs):
        options = dict(batch_size=8, learning_rate=1e-2, warmup_iters=5, eval_interval=20, eval_batches=2,
                       verbose=0)
        options.update(kwargs)
        return self.gpt.train(self.data, iters=iters, **options)

    def test_describe(self):
        self.assertEqual(self.gpt.config, {"n_layer": 1, "n_head": 2, "n_embd": 32, "block_size": 16,
                                           "dropout": 0.0, "seed": 7})
        self.assertEqual(self.gpt.tokenizer.vocab_size, self.data.tokenizer.vocab_size)
        self.assertEqual(self.gpt.step, 0)
        self.assertGreater(self.gpt.param_count, 0)
        self.assertIn("TransformerBlock", self.gpt.summary(print_fn=None))
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.GPT(self.data.tokenizer, n_head=3, n_embd=32)

    def test_train_lowers_the_loss(self):
        before = self.gpt.evaluate(self.data, batches=2, batch_size=8)
        reports = []
        history = self.train(60, callback=reports.append)
        self.assertEqual(self.gpt.step, 60)
        self.assertEqual([r.step for r in reports], list(range(1, 61)))
        self.assertEqual(history.history["val_step"], [20, 40, 60])
        self.assertLess(history.history["val_loss"][-1], before - 1.0)
        self.assertLess(self.gpt.evaluate(self.data, batches=2, batch_size=8), before - 1.0)

    def test_train_progress_bar_and_stop(self):
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            history = self.train(40, verbose=1, callback=lambda p: p.step == 25)
        self.assertTrue(history.stopped)
        self.assertEqual(self.gpt.step, 25)
        self.assertRegex(out.getvalue(), r"step 20/40 - \d+s - loss: \d+\.\d{4} .* val_loss: ")

    def test_streaming_generation(self):
        self.train(40)
        pieces = []
        text = self.gpt.generate("床前", max_tokens=30, seed=5, on_token=lambda piece, token: pieces.append(piece))
        self.assertEqual(len(pieces), 30)
        self.assertEqual("".join(pieces), text)
        self.assertEqual(self.gpt.generate("床前", max_tokens=30, seed=5), text)
        stopped = self.gpt.generate("", max_tokens=30, on_token=lambda piece, token: piece == "\n" or None)
        self.assertTrue(len(stopped) <= 30)
        greedy = self.gpt.generate("hello", max_tokens=20, temperature=0)
        self.assertEqual(greedy, self.gpt.generate("hello", max_tokens=20, temperature=0, seed=99))
        with self.assertRaises(nnlite.InvalidArgumentError):
            self.gpt.generate("x", top_p=0.0)

    def test_attention_weights_of_a_generation(self):
        self.train(20)
        prompt = "床前"
        text = prompt + self.gpt.generate(prompt, max_tokens=10, seed=3)
        weights, tokens = self.gpt.attention_weights(text)
        n = len(text)
        self.assertEqual(tokens, list(text))
        self.assertEqual(tuple(weights.shape), (1, 2, n, n))
        for head in range(2):
            for t in range(n):
                row = [float(weights[0, head, t, j]) for j in range(n)]
                self.assertAlmostEqual(sum(row), 1.0, places=5)
                self.assertEqual(row[t + 1:], [0.0] * (n - t - 1))  # causal: nothing after t
        with self.assertRaises(nnlite.InvalidArgumentError):
            self.gpt.attention_weights("x" * 17)  # longer than block_size
        with self.assertRaises(ValueError):
            self.gpt.model.attention_weights([[1, 2]])
        dense = nnlite.Model((4,), [nnlite.layers.Dense(2)])
        with self.assertRaises(nnlite.UnsupportedError):
            dense.attention_weights([1, 2])

    def test_generation_callback_exception_propagates(self):
        def boom(piece, token):
            raise RuntimeError("stop here")

        with self.assertRaises(RuntimeError):
            self.gpt.generate("hello", max_tokens=5, on_token=boom)

    def test_save_load_and_resume(self):
        self.train(20)
        path = os.path.join(self.tmp.name, "gpt.safetensors")
        self.gpt.save(path, training_state=True)
        loaded = nnlite.GPT.load(path)
        self.assertEqual((loaded.step, loaded.config), (20, self.gpt.config))
        self.assertEqual(loaded.generate("hello", max_tokens=20, seed=3),
                         self.gpt.generate("hello", max_tokens=20, seed=3))
        loaded.train(self.data, iters=30, batch_size=8, learning_rate=1e-2, warmup_iters=5, eval_interval=20,
                     eval_batches=2, verbose=0)
        self.assertEqual(loaded.step, 30)
        with open(path, "r+b") as f:
            f.write(b"\xff" * 8)
        with self.assertRaises(nnlite.FormatError):
            nnlite.GPT.load(path)


class SizedStructTest(unittest.TestCase):
    """The mirrors of the sized option structs carry their own size, which the library takes."""

    def setUp(self):
        self.tokenizer = nnlite.Tokenizer(POEM)

    def test_mirrors_set_their_struct_size(self):
        from nnlite import _api
        for mirror in (_api.GptConfig, _api.GptTrainOptions, _api.GptGenerateOptions):
            self.assertEqual(mirror().struct_size, ctypes.sizeof(mirror))
            self.assertEqual(mirror(seed=5).struct_size, ctypes.sizeof(mirror))

    def test_the_library_takes_the_mirror_size_and_no_less(self):
        from nnlite import _api
        config = _api.GptConfig(n_layer=1, n_head=2, n_embd=8, block_size=8, dropout=0.25, seed=9)
        out = ctypes.c_void_p()
        _api.C.nnl_gpt_create(ctypes.byref(out), ctypes.byref(config), self.tokenizer._address)
        try:
            got = _api.GptConfig()
            _api.C.nnl_gpt_get_config(out, ctypes.byref(got))
            self.assertEqual((got.n_layer, got.n_head, got.n_embd, got.block_size, got.dropout, got.seed),
                             (1, 2, 8, 8, 0.25, 9))
            got.struct_size -= 1
            with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                _api.C.nnl_gpt_get_config(out, ctypes.byref(got))
            self.assertIn("nnl_gpt_config struct_size=", ctx.exception.message)
        finally:
            _api.C.nnl_gpt_free(out)
        config.struct_size -= 1
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            _api.C.nnl_gpt_create(ctypes.byref(out), ctypes.byref(config), self.tokenizer._address)
        self.assertIn("nnl_gpt_create: nnl_gpt_config struct_size=", ctx.exception.message)

    def test_a_newer_larger_struct_needs_a_zero_tail(self):
        from nnlite import _api

        class Newer(ctypes.Structure):
            _fields_ = [("config", _api.GptConfig), ("tail", ctypes.c_ubyte * 16)]

        newer = Newer(_api.GptConfig(n_layer=1, n_head=2, n_embd=8, block_size=8))
        newer.config.struct_size = ctypes.sizeof(Newer)
        pointer = ctypes.cast(ctypes.pointer(newer), ctypes.POINTER(_api.GptConfig))
        out = ctypes.c_void_p()
        _api.C.nnl_gpt_create(ctypes.byref(out), pointer, self.tokenizer._address)
        _api.C.nnl_gpt_free(out)
        newer.tail[15] = 1
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            _api.C.nnl_gpt_create(ctypes.byref(out), pointer, self.tokenizer._address)
        self.assertIn("nnl_gpt_config", ctx.exception.message)
        self.assertIn("not zero", ctx.exception.message)


if __name__ == "__main__":
    unittest.main()
