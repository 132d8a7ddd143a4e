"""Language models from layers: text windows, fit by steps, sampled evaluation, generation, the new losses,
models that evaluate after loading, GPT.model, and the sized structs of nnl_model_fit_with/nnl_model_generate."""

import ctypes
import gc
import math
import os
import unittest

import nnlite
from support import TextFile, blobs, small_model

WINDOW = 16


def causal_model(vocab, dim=32, heads=2, dropout=0.0, seed=3):
    """Embedding, position embedding, one transformer block, layer norm and an output tied to the embedding."""
    return nnlite.Sequential((WINDOW,), [
        nnlite.Embedding(vocab, dim), nnlite.PositionEmbedding(WINDOW),
        nnlite.TransformerBlock(heads, dim, dropout=dropout), nnlite.LayerNorm(), nnlite.TiedOutput(0)], seed=seed)


class TextWindowsTest(unittest.TestCase):
    def setUp(self):
        self.file = TextFile()
        self.text = nnlite.TextDataset(self.file.path, seed=1)

    def tearDown(self):
        self.file.close()

    def test_windows_are_the_text_shifted_by_one(self):
        windows = nnlite.Dataset.from_text(self.text, "train", WINDOW)
        self.assertEqual(len(windows), self.text.length("train") - WINDOW)
        self.assertEqual((windows.sample_shape, windows.target_shape), ((WINDOW,), (WINDOW,)))
        x, y = windows.get_batch(3, 2)
        x, y = x.tolist(), y.tolist()
        tokens = self.text.tokenizer.encode(self.file_text()).tolist()
        self.assertEqual(x[0], [float(t) for t in tokens[3:3 + WINDOW]])
        self.assertEqual(y[0], [float(t) for t in tokens[4:4 + WINDOW]])
        self.assertEqual(x[1][:-1], x[0][1:])
        validation = nnlite.Dataset.from_text(self.text, "validation", WINDOW)
        self.assertEqual(len(validation), self.text.length("validation") - WINDOW)

    def file_text(self):
        with open(self.file.path, encoding="utf-8") as f:
            return f.read()

    def test_masked_windows(self):
        text = nnlite.TextDataset(self.file.path, seed=1, special_tokens=True)
        self.assertEqual(text.tokenizer.num_special, 5)
        masked = nnlite.Dataset.masked_lm(text, "train", WINDOW, mask_rate=0.5, seed=3)
        self.assertEqual((masked.sample_shape, masked.target_shape), ((WINDOW,), (WINDOW,)))
        x, y = masked.get_batch(0, 4)
        x, y = x.tolist(), y.tolist()
        tokens = text.tokenizer.encode(self.file_text()).tolist()
        for k in range(4):
            chosen = [t for t in range(WINDOW) if y[k][t] != nnlite.IGNORE_INDEX]
            self.assertEqual(len(chosen), WINDOW // 2)
            for t in range(WINDOW):
                if t in chosen:
                    self.assertEqual(y[k][t], tokens[k + t])
                else:
                    self.assertEqual(x[k][t], tokens[k + t])
        self.assertEqual(masked.get_batch(0, 4)[0].tolist(), x)  # the same masking every time
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dataset.masked_lm(self.text, "train", WINDOW)  # no special tokens
        with self.assertRaises(TypeError):
            nnlite.Dataset.masked_lm("text", "train", WINDOW)

    def test_framed_masked_windows(self):
        text = nnlite.TextDataset(self.file.path, seed=1, special_tokens=True)
        masked = nnlite.Dataset.masked_lm(text, "train", WINDOW, mask_rate=0.5, seed=3, framed=True)
        self.assertEqual(len(masked), text.length("train") - WINDOW)
        x, y = masked.get_batch(5, 2)
        x, y = x.tolist(), y.tolist()
        tokens = text.tokenizer.encode(self.file_text()).tolist()
        for k in range(2):
            self.assertEqual((x[k][0], x[k][-1]), (nnlite.text.CLS, nnlite.text.SEP))
            self.assertEqual((y[k][0], y[k][-1]), (nnlite.IGNORE_INDEX, nnlite.IGNORE_INDEX))
            chosen = [t for t in range(1, WINDOW - 1) if y[k][t] != nnlite.IGNORE_INDEX]
            self.assertEqual(len(chosen), round(0.5 * (WINDOW - 2)))
            for t in range(1, WINDOW - 1):
                self.assertEqual(y[k][t] if t in chosen else x[k][t], tokens[5 + k + t - 1])
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dataset.masked_lm(text, "train", 2, framed=True)  # no room for the frame

    def test_bad_windows(self):
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.Dataset.from_text(self.text, "train", 0)
        self.assertIn("nnl_dataset_from_text", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dataset.from_text(self.text, "validation", self.text.length("validation"))
        with self.assertRaises(ValueError):
            nnlite.Dataset.from_text(self.text, "test", WINDOW)
        with self.assertRaises(TypeError):
            nnlite.Dataset.from_text("some text", "train", WINDOW)
        windows = nnlite.Dataset.from_text(self.text, "train", WINDOW)
        with self.assertRaises(nnlite.UnsupportedError) as ctx:
            windows.shuffle(1)
        self.assertIn("windows of a text", ctx.exception.message)


class CausalModelTest(unittest.TestCase):
    def setUp(self):
        self.file = TextFile()
        self.text = nnlite.TextDataset(self.file.path, seed=1)
        self.tokenizer = self.text.tokenizer
        self.vocab = self.tokenizer.vocab_size
        self.train = nnlite.Dataset.from_text(self.text, "train", WINDOW)
        self.validation = nnlite.Dataset.from_text(self.text, "validation", WINDOW)

    def tearDown(self):
        self.file.close()

    def compiled(self, **kwargs):
        return causal_model(self.vocab, **kwargs).compile(nnlite.AdamW(1e-2), loss="softmax_crossentropy")

    def test_layers_and_tied_weight(self):
        model = causal_model(self.vocab, dim=32)
        self.assertEqual([type(layer) for layer in model.layers],
                         [nnlite.Embedding, nnlite.PositionEmbedding, nnlite.TransformerBlock, nnlite.LayerNorm,
                          nnlite.TiedOutput])
        self.assertEqual(model.output_shape, (WINDOW, self.vocab))
        self.assertEqual(model.layers[4].param_count, 0)  # the embedding's table, counted there
        self.assertEqual(model.param_count, sum(layer.param_count for layer in model.layers))
        self.assertEqual(model.layers[1].params()[0].value.shape, (WINDOW, 32))

    def test_fit_by_steps_lowers_the_loss_then_generates(self):
        model = self.compiled()
        before, _ = model.evaluate_sampled(self.validation, batches=4, batch_size=8, seed=1)
        reports = []
        history = model.fit(self.train, steps=60, batch_size=16, seed=2, verbose=0, callback=reports.append)
        self.assertEqual(history.history["step"], list(range(1, 61)))
        self.assertEqual(len(history.history["loss"]), 60)
        self.assertEqual([r.batch for r in reports if not r.epoch_end], list(range(1, 61)))
        self.assertTrue(reports[-1].epoch_end)
        self.assertTrue(all(r.batches == 60 for r in reports))
        self.assertGreater(reports[-1].samples_per_second, 0)
        self.assertEqual(model.optimizer.steps, 60)
        first, last = history.history["loss"][:5], history.history["loss"][-5:]
        self.assertLess(sum(last) / 5, sum(first) / 5 - 1.0)
        after, accuracy = model.evaluate_sampled(self.validation, batches=4, batch_size=8, seed=1)
        self.assertLess(after, before - 1.0)
        self.assertGreater(accuracy, 0.3)

        prompt = self.tokenizer.encode("hello")
        streamed = []
        ids = model.generate(prompt, max_tokens=25, seed=5, callback=streamed.append)
        self.assertEqual(len(ids), 25)
        self.assertTrue(all(isinstance(t, int) and 0 <= t < self.vocab for t in ids))
        self.assertEqual(streamed, ids)
        self.assertEqual(model.generate(prompt, max_tokens=25, seed=5), ids)
        self.assertEqual(model.generate(list(prompt), 25, seed=5), ids)
        others = [model.generate(prompt, max_tokens=25, seed=s) for s in (6, 7, 8)]
        self.assertTrue(any(other != ids for other in others))
        greedy = model.generate(prompt, max_tokens=25, temperature=0)
        self.assertEqual(model.generate(prompt, max_tokens=25, temperature=0, seed=99), greedy)
        # past the window: the context slides
        self.assertEqual(len(model.generate(prompt, max_tokens=3 * WINDOW, seed=2)), 3 * WINDOW)
        stopped = model.generate(prompt, max_tokens=25, seed=5, callback=lambda token: True)
        self.assertEqual(stopped, ids[:1])

    def test_generate_callback_exception_propagates(self):
        model = causal_model(self.vocab)

        def boom(token):
            raise KeyError("from the callback")

        with self.assertRaises(KeyError):
            model.generate([1, 2], max_tokens=5, callback=boom)

    def test_validation_interval_and_sampled_batches(self):
        model = self.compiled()
        history = model.fit(self.train, steps=30, batch_size=8, validation_data=self.validation,
                            validation_interval=10, validation_batches=3, seed=4, verbose=0)
        self.assertEqual(history.history["val_step"], [10, 20, 30])
        self.assertEqual(len(history.history["val_loss"]), 3)
        # the validation batches are drawn with the fit's seed: the same ones evaluate_sampled draws
        self.assertEqual((history.history["val_loss"][-1], history.history["val_accuracy"][-1]),
                         model.evaluate_sampled(self.validation, batches=3, batch_size=8, seed=4))
        self.assertNotEqual(history.history["val_loss"][-1],
                            model.evaluate_sampled(self.validation, batches=3, batch_size=8, seed=5)[0])
        only_last = model.fit(self.train, steps=5, batch_size=8, validation_data=self.validation,
                              validation_batches=2, verbose=0)
        self.assertEqual(only_last.history["val_step"], [35])

    def test_validation_batches_by_epochs(self):
        x, y = blobs(120)
        model = small_model(seed=2)
        validation = nnlite.Dataset(x[:60], y[:60])
        history = model.fit(x, y, epochs=2, batch_size=16, validation_data=validation, validation_batches=2,
                            seed=3, verbose=0)
        self.assertEqual(history.history["epoch"], [1, 2])
        self.assertEqual(history.history["val_loss"][-1],
                         model.evaluate_sampled(validation, batches=2, batch_size=16, seed=3)[0])
        self.assertNotEqual(history.history["val_loss"][-1], model.evaluate(validation)[0])

    def test_steps_progress_bar_prints_each_validation(self):
        import io
        model = self.compiled()
        out = io.StringIO()
        model.fit(self.train, steps=20, batch_size=8, validation_data=self.validation, validation_interval=10,
                  validation_batches=2, verbose=0, callback=nnlite.ProgressBar(verbose=1, file=out))
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0], "Epoch 1/1")
        self.assertRegex(lines[1], r"^10/20 - \d+s .* - loss: \d+\.\d{4} - accuracy: .* - val_loss: \d+\.\d{4}")
        self.assertRegex(lines[2], r"^20/20 \[=+\] - .* - val_loss: ")
        self.assertEqual(len(lines), 3)

    def test_checkpoint_resumes_the_same_run(self):
        path = os.path.join(self.file.directory, "checkpoint.safetensors")
        model = self.compiled()
        model.fit(self.train, steps=10, batch_size=8, seed=5, checkpoint=path, verbose=0)
        model.fit(self.train, steps=10, batch_size=8, verbose=0)
        resumed = nnlite.Model.load(path)  # saved with the optimizer and the batch generator after step 10
        resumed.fit(self.train, steps=10, batch_size=8, seed=99, verbose=0)  # the seed seeds a new model only
        x, _ = self.validation.get_batch(0, 4)
        self.assertEqual(resumed.predict(x).tolist(), model.predict(x).tolist())
        every = os.path.join(self.file.directory, "every.safetensors")
        self.compiled().fit(self.train, steps=4, batch_size=8, checkpoint=every, checkpoint_interval=2, verbose=0)
        self.assertTrue(os.path.exists(every))

    def test_clip_norm_and_threads(self):
        model = self.compiled()
        clipped = model.fit(self.train, steps=3, batch_size=8, clip_norm=0.5, threads=1, verbose=0)
        self.assertTrue(all(g > 0 for g in clipped.history["grad_norm"]))
        plain = model.fit(self.train, steps=3, batch_size=8, verbose=0)
        self.assertTrue(all(math.isnan(g) for g in plain.history["grad_norm"]))  # only measured when clipping

    def test_bad_fit_arguments_raise_the_library_message(self):
        model = self.compiled()
        for kwargs, text in [({"steps": -1}, "steps=-1"), ({"steps": 2, "batch_size": 0}, "batch_size=0"),
                             ({"steps": 2, "threads": -1}, "threads=-1"),
                             ({"steps": 2, "validation_interval": -1}, "validation_interval=-1"),
                             ({"steps": 2, "clip_norm": -1.0}, "clip_norm=-1"),
                             ({"checkpoint": "x.safetensors"}, "needs a checkpoint_path and steps > 0")]:
            with self.subTest(**kwargs):
                with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                    model.fit(self.train, verbose=0, **kwargs)
                self.assertIn("nnl_model_fit_with", ctx.exception.message)
                self.assertIn(text, ctx.exception.message)
        with self.assertRaises(nnlite.StateError) as ctx:
            causal_model(self.vocab).fit(self.train, steps=2, verbose=0)
        self.assertIn("not compiled", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            model.evaluate_sampled(self.validation, batches=0)
        self.assertIn("nnl_model_evaluate_sampled", ctx.exception.message)

    def test_bad_generate_arguments(self):
        model = causal_model(self.vocab)
        for kwargs in ({"top_p": 0.0}, {"top_p": 1.5}, {"temperature": -1.0}, {"top_k": -1}, {"max_tokens": -1}):
            with self.subTest(**kwargs):
                with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                    model.generate([1, 2], **kwargs)
                self.assertIn("nnl_model_generate", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError):
            model.generate([])
        with self.assertRaises(nnlite.InvalidArgumentError):
            model.generate([self.vocab])
        with self.assertRaises(ValueError):
            model.generate([[1, 2]])
        with self.assertRaises(nnlite.UnsupportedError) as ctx:
            small_model().generate([1, 2], max_tokens=2)
        self.assertIn("nnl_model_generate", ctx.exception.message)

    def test_bad_layers(self):
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.PositionEmbedding(0)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.TiedOutput(-1)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.TransformerBlock(2, 8, dropout=1.0)
        model = nnlite.Model((WINDOW,), [nnlite.Embedding(10, 8)])
        with self.assertRaises(nnlite.ShapeError) as ctx:
            model.add(nnlite.PositionEmbedding(WINDOW - 1))
        self.assertIn("position_embedding", ctx.exception.message)
        model.add(nnlite.Dense(6))
        with self.assertRaises(nnlite.StateError) as ctx:
            model.add(nnlite.TiedOutput(1))
        self.assertIn("not an embedding", ctx.exception.message)
        with self.assertRaises(nnlite.ShapeError) as ctx:
            model.add(nnlite.TiedOutput(0))
        self.assertIn("the embedding has 8", ctx.exception.message)

    def test_block_dropout_acts_in_training_only(self):
        x = [[[math.sin(i * 0.7 + c) for c in range(8)] for i in range(WINDOW)]] * 2
        plain = nnlite.TransformerBlock(2, 8).build((WINDOW, 8), seed=1)
        dropping = nnlite.TransformerBlock(2, 8, dropout=0.5).build((WINDOW, 8), seed=1)
        self.assertEqual(plain.param_count, dropping.param_count)
        inference = dropping.forward(x).tolist()
        self.assertEqual(inference, plain.forward(x).tolist())
        self.assertNotEqual(dropping.forward(x, training=True).tolist(), inference)
        self.assertEqual(plain.forward(x, training=True).tolist(), inference)


class LossTest(unittest.TestCase):
    def test_softmax_crossentropy_per_position_skips_ignore_index(self):
        self.assertEqual(nnlite.IGNORE_INDEX, -100)
        vocab, length = 5, 3
        model = nnlite.Model((length,), [nnlite.Embedding(vocab, 4), nnlite.Dense(vocab)], seed=2)
        model.compile("adam", loss="softmax_crossentropy")
        x = [[float((i + t) % vocab) for t in range(length)] for i in range(12)]
        y = [[(i * 2 + t) % vocab for t in range(length)] for i in range(12)]
        for row in y[::3]:
            row[1] = nnlite.IGNORE_INDEX
        loss, accuracy = model.evaluate(x, y)  # integer y of two axes: labels per position
        logits = model.predict(x).tolist()
        total, count, correct = 0.0, 0, 0
        for sample, labels in zip(logits, y):
            for row, label in zip(sample, labels):
                if label == nnlite.IGNORE_INDEX:
                    continue
                top = max(row)
                total += top + math.log(sum(math.exp(v - top) for v in row)) - row[label]
                count += 1
                correct += row.index(top) == label
        self.assertEqual(count, 32)
        self.assertAlmostEqual(loss, total / count, places=5)
        self.assertAlmostEqual(accuracy, correct / count, places=9)
        y[0][0] = -5
        with self.assertRaises(nnlite.InvalidArgumentError):
            model.evaluate(x, y)

    def test_sigmoid_binary_crossentropy(self):
        x, labels = blobs(150)
        y = [[float(label == 0), float(label != 1), float(label == 2)] for label in labels]
        model = nnlite.Model((4,), [nnlite.Dense(3)], seed=1).compile(nnlite.Adam(0.05),
                                                                      loss="sigmoid_binary_crossentropy")
        history = model.fit(x, y, epochs=10, batch_size=16, verbose=0)
        self.assertLess(history.history["loss"][-1], history.history["loss"][0] / 2)
        loss, accuracy = model.evaluate(x, y)
        logits = model.predict(x).tolist()
        manual = sum(max(z, 0) - z * t + math.log1p(math.exp(-abs(z))) for row, targets in zip(logits, y)
                     for z, t in zip(row, targets)) / (len(x) * 3)
        self.assertAlmostEqual(loss, manual, places=5)
        whole = sum(all((z > 0) == (t == 1) for z, t in zip(row, targets)) for row, targets in zip(logits, y))
        self.assertAlmostEqual(accuracy, whole / len(x), places=9)
        self.assertGreater(accuracy, 0.9)

    def test_unknown_loss_names_the_choices(self):
        with self.assertRaises(ValueError) as ctx:
            small_model().compile(loss="binary_crossentropy")
        self.assertIn("sigmoid_binary_crossentropy", str(ctx.exception))


class LoadAndEvaluateTest(unittest.TestCase):
    """A loaded model evaluates without compile: its loss is in the file (was StateError 'not compiled')."""

    def setUp(self):
        self.file = TextFile()

    def tearDown(self):
        self.file.close()

    def test_sequential_load_evaluates_as_the_original(self):
        x, y = blobs(200)
        train, test = nnlite.Dataset(x[:150], y[:150]), nnlite.Dataset(x[150:], y[150:])
        model = small_model(seed=4)
        model.fit(train, epochs=2, verbose=0)
        expected = model.evaluate(test)
        path = os.path.join(self.file.directory, "model.safetensors")
        model.save(path)
        loaded = nnlite.Sequential.load(path)
        self.assertIsNone(loaded.optimizer)
        self.assertEqual(loaded.evaluate(test), expected)
        self.assertEqual(loaded.evaluate_sampled(test, 3, 16, 1), model.evaluate_sampled(test, 3, 16, 1))
        with self.assertRaises(nnlite.StateError):
            nnlite.Sequential((4,), [nnlite.Dense(3)]).evaluate(test)  # neither compiled nor loaded

    def test_language_model_keeps_its_loss(self):
        text = nnlite.TextDataset(self.file.path, seed=1)
        windows = nnlite.Dataset.from_text(text, "validation", WINDOW)
        model = causal_model(text.tokenizer.vocab_size).compile(nnlite.AdamW(1e-2), loss="softmax_crossentropy")
        model.fit(nnlite.Dataset.from_text(text, "train", WINDOW), steps=5, batch_size=8, verbose=0)
        path = os.path.join(self.file.directory, "lm.safetensors")
        model.save(path)
        loaded = nnlite.Sequential.load(path)
        self.assertEqual(loaded.evaluate(windows), model.evaluate(windows))
        self.assertEqual(loaded.generate([1, 2, 3], 10, seed=3), model.generate([1, 2, 3], 10, seed=3))


class GptModelTest(unittest.TestCase):
    def setUp(self):
        self.file = TextFile()
        self.text = nnlite.TextDataset(self.file.path, seed=1)
        self.gpt = nnlite.GPT(self.text.tokenizer, n_layer=1, n_head=2, n_embd=32, block_size=WINDOW, seed=7)

    def tearDown(self):
        self.file.close()

    def test_the_model_a_gpt_is(self):
        model = self.gpt.model
        self.assertIsInstance(model, nnlite.Model)
        self.assertEqual([layer.type for layer in model.layers],
                         ["embedding", "position_embedding", "transformer_block", "layernorm", "tied_output"])
        self.assertEqual(model.param_count, self.gpt.param_count)
        self.assertEqual(model.output_shape, (WINDOW, self.text.tokenizer.vocab_size))
        tokenizer = self.gpt.tokenizer
        text = self.gpt.generate("hello", max_tokens=20, seed=5)
        self.assertEqual(model.generate(tokenizer.encode("hello"), 20, seed=5), tokenizer.encode(text).tolist())
        windows = nnlite.Dataset.from_text(self.text, "validation", WINDOW)
        self.assertAlmostEqual(model.evaluate_sampled(windows, 2, 8, 1)[0], math.log(tokenizer.vocab_size), delta=0.5)

    def test_the_view_does_not_own_the_model(self):
        model = self.gpt.model
        with self.assertRaises(nnlite.StateError):
            model.add(nnlite.Dense(3))
        with self.assertRaises(nnlite.StateError):
            model.compile("adam")
        model.close()
        self.assertEqual(self.gpt.model.param_count, self.gpt.param_count)  # closing the view freed nothing
        model, layer = self.gpt.model, self.gpt.model.layers[0]
        count = model.param_count
        del self.gpt
        gc.collect()
        self.assertEqual(model.param_count, count)  # the view keeps the GPT alive
        self.assertEqual(len(model.generate([1, 2], 3)), 3)
        del model
        gc.collect()
        self.assertEqual(layer.params()[0].value.shape[1], 32)


class FitAndGenerateStructTest(unittest.TestCase):
    """nnl_fit_options and nnl_generate_options: the mirrors carry their size, which the library takes."""

    def setUp(self):
        from nnlite import _api
        self.api = _api
        x, y = blobs(32)
        self.model = small_model()
        self.data = nnlite.Dataset(x, y)
        self.gpt = nnlite.GPT(nnlite.Tokenizer("abcdefgh"), n_layer=1, n_head=2, n_embd=8, block_size=8)
        self.tokens = self.api.MODEL_TOKEN_FN(lambda token, user: 0)
        self.prompt = (ctypes.c_int32 * 2)(1, 2)

    def fit(self, options):
        self.api.C.nnl_model_fit_with(self.model._address, self.data._address, options)

    def generate(self, options):
        self.api.C.nnl_model_generate(self.gpt.model._address, ctypes.addressof(self.prompt), 2, options,
                                      self.tokens, None)

    def test_mirrors_set_their_struct_size(self):
        for mirror in (self.api.FitOptions, self.api.GenerateOptions):
            self.assertEqual(mirror().struct_size, ctypes.sizeof(mirror))
            self.assertEqual(mirror(seed=5).struct_size, ctypes.sizeof(mirror))

    def test_fit_options_sizes(self):
        FitOptions = self.api.FitOptions
        options = FitOptions(epochs=1, batch_size=8, seed=1)
        self.fit(ctypes.byref(options))
        self.assertEqual(self.model.optimizer.steps, 4)
        first_version = FitOptions.threads.offset + ctypes.sizeof(ctypes.c_int)  # threads was its last member
        options.struct_size = first_version
        self.fit(ctypes.byref(options))
        options.struct_size = FitOptions.threads.offset
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            self.fit(ctypes.byref(options))
        self.assertIn("nnl_model_fit_with: nnl_fit_options struct_size=", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            self.fit(ctypes.byref(FitOptions(batch_size=8)))  # a zero member is not the INIT default
        self.assertIn("epochs=0", ctx.exception.message)

    def test_generate_options_sizes(self):
        options = self.api.GenerateOptions(max_tokens=3, temperature=0.8, top_k=0, top_p=1.0, seed=1)
        self.generate(ctypes.byref(options))
        options.struct_size -= 1
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            self.generate(ctypes.byref(options))
        self.assertIn("nnl_model_generate: nnl_generate_options struct_size=", ctx.exception.message)

    def test_a_newer_larger_struct_needs_a_zero_tail(self):
        for mirror, values, call in ((self.api.FitOptions, dict(epochs=1, batch_size=8, seed=1), self.fit),
                                     (self.api.GenerateOptions, dict(max_tokens=2, top_p=1.0), self.generate)):
            class Newer(ctypes.Structure):
                _fields_ = [("options", mirror), ("tail", ctypes.c_ubyte * 16)]

            newer = Newer(mirror(**values))
            newer.options.struct_size = ctypes.sizeof(Newer)
            pointer = ctypes.cast(ctypes.pointer(newer), ctypes.POINTER(mirror))
            call(pointer)
            newer.tail[15] = 1
            with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
                call(pointer)
            self.assertIn("not zero", ctx.exception.message)


if __name__ == "__main__":
    unittest.main()
