"""Models: building, compile, fit with progress and callbacks, evaluate, predict, save and load."""

import io
import math
import os
import tempfile
import threading
import unittest

import nnlite
from nnlite.progress import ProgressBar
from support import blobs, needs_numpy, small_model


class ModelTest(unittest.TestCase):
    def setUp(self):
        self.x, self.y = blobs(300)

    def test_build_and_describe(self):
        model = nnlite.Model((8, 8, 1), seed=3)
        model.add(nnlite.Conv2D(4, 3, activation="relu")).add(nnlite.MaxPool2D(2))
        for layer in (nnlite.Flatten(), nnlite.Dense(10, activation="softmax")):
            model.add(layer)
        self.assertEqual(len(model), 4)
        self.assertEqual([layer.type for layer in model.layers], ["conv2d", "maxpool2d", "flatten", "dense"])
        self.assertIsInstance(model.layers[3], nnlite.Dense)
        self.assertEqual(model.output_shape, (10,))
        self.assertEqual(model.param_count, 3 * 3 * 4 + 4 + 36 * 10 + 10)
        text = model.summary(print_fn=None)
        self.assertIn("conv2d", text)
        self.assertIn(str(model.param_count), text)
        printed = []
        self.assertEqual(model.summary(print_fn=printed.append), text)
        self.assertEqual(printed, [text.rstrip("\n")])
        self.assertIn("4 layers", repr(model))
        self.assertIs(nnlite.Sequential, nnlite.Model)

    def test_add_errors_leave_the_layer_to_the_caller(self):
        model = nnlite.Model((4,))
        conv = nnlite.Conv2D(2, 3)
        with self.assertRaises(nnlite.ShapeError):
            model.add(conv)
        conv.build((5, 5, 1))  # still ours, unbuilt and usable
        with self.assertRaises(TypeError):
            model.add("dense")
        model.add(nnlite.Dense(3, activation="softmax")).compile()
        with self.assertRaises(nnlite.StateError):
            model.add(nnlite.Dense(3))

    def test_fit_learns_and_reports(self):
        model = small_model()
        reports = []
        history = model.fit(self.x, self.y, epochs=3, batch_size=16, validation_data=(self.x[:60], self.y[:60]),
                            seed=1, verbose=0, callback=reports.append)
        self.assertEqual(sorted(history.history), ["accuracy", "epoch", "learning_rate", "loss", "val_accuracy",
                                                   "val_loss"])
        self.assertEqual(history.history["epoch"], [1, 2, 3])
        self.assertLess(history.history["loss"][-1], history.history["loss"][0])
        self.assertGreater(history.history["val_accuracy"][-1], 0.95)
        self.assertFalse(history.stopped)
        batches = math.ceil(300 / 16)
        self.assertEqual(len(reports), 3 * (batches + 1))
        end = [r for r in reports if r.epoch_end]
        self.assertEqual([r.epoch for r in end], [1, 2, 3])
        self.assertTrue(all(r.batches == batches and r.epochs == 3 for r in reports))
        self.assertTrue(math.isnan(reports[0].val_loss))
        self.assertEqual(reports[-1].step, 3 * batches)

    def test_progress_bar_prints_like_keras(self):
        model = small_model()
        bar_output = io.StringIO()
        bar = ProgressBar(verbose=1, file=bar_output)
        model.fit(self.x, self.y, epochs=2, batch_size=32, verbose=0, callback=bar)
        lines = bar_output.getvalue().splitlines()
        self.assertEqual(lines[0], "Epoch 1/2")
        self.assertRegex(lines[1], r"^10/10 \[=+\] - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$")
        self.assertEqual(lines[2], "Epoch 2/2")
        self.assertEqual(len(lines), 4)
        per_epoch = io.StringIO()
        model.fit(self.x, self.y, epochs=1, verbose=0, callback=ProgressBar(verbose=2, file=per_epoch))
        self.assertRegex(per_epoch.getvalue(), r"^Epoch 1/1\n10/10 - \d+s .* - loss: ")

    def test_callback_can_stop(self):
        model = small_model()
        history = model.fit(self.x, self.y, epochs=5, batch_size=10, verbose=0,
                            callback=lambda p: p.epoch == 2 and p.epoch_end)
        self.assertTrue(history.stopped)
        self.assertEqual(history.history["epoch"], [1, 2])

    def test_callback_exception_propagates(self):
        model = small_model()

        def boom(progress):
            if progress.batch == 3:
                raise KeyError("from the callback")

        with self.assertRaises(KeyError):
            model.fit(self.x, self.y, epochs=2, verbose=0, callback=boom)
        self.assertEqual(model.optimizer.steps, 3)

    def test_evaluate_and_predict(self):
        model = small_model()
        train = nnlite.Dataset(self.x, self.y)
        model.fit(train, epochs=3, verbose=0)
        loss, accuracy = model.evaluate(train)
        self.assertEqual((loss, accuracy), model.evaluate(self.x, self.y))
        self.assertGreater(accuracy, 0.95)
        probabilities = model.predict(self.x)
        self.assertEqual(probabilities.shape, (300, 3))
        rows = probabilities.tolist()
        self.assertTrue(all(abs(sum(row) - 1) < 1e-5 for row in rows))
        in_pieces = model.predict(self.x, batch_size=7).tolist()
        self.assertEqual(rows, in_pieces)
        outputs, classes = model.predict_dataset(train, batch_size=50)
        self.assertEqual(outputs.tolist(), rows)
        self.assertEqual(classes.tolist(), [row.index(max(row)) for row in rows])
        self.assertEqual(model.predict(nnlite.Tensor.from_data(self.x[:5])).tolist(), rows[:5])
        with self.assertRaises(ValueError):
            model.predict(self.x[0])  # one sample is not a batch
        with self.assertRaises(nnlite.NumericError):
            model.predict([[float("nan")] * 4])

    def test_regression_with_mse(self):
        xs = [[i / 50.0] for i in range(50)]
        ys = [[3 * x[0] - 1] for x in xs]
        model = nnlite.Model((1,), [nnlite.Dense(1)]).compile(nnlite.SGD(0.1), loss="mse")
        model.fit(xs, ys, epochs=200, batch_size=10, verbose=0)
        loss, accuracy = model.evaluate(xs, ys)
        self.assertLess(loss, 1e-3)
        self.assertTrue(math.isnan(accuracy))
        kernel, bias = (p.value.tolist() for p in model.layers[0].params())
        self.assertAlmostEqual(kernel[0][0], 3, delta=0.05)
        self.assertAlmostEqual(bias[0], -1, delta=0.05)
        with self.assertRaises(ValueError):
            model.compile(loss="hinge")

    def test_save_load_round_trip(self):
        model = small_model(seed=5)
        model.fit(self.x, self.y, epochs=2, verbose=0)
        expected = model.predict(self.x).tolist()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.safetensors")
            model.save(path)
            loaded = nnlite.Model.load(path)
            self.assertEqual(loaded.predict(self.x).tolist(), expected)
            self.assertEqual([layer.type for layer in loaded.layers], ["dense", "dense"])
            self.assertIsNone(loaded.optimizer)
            with self.assertRaises(nnlite.StateError):
                loaded.fit(self.x, self.y, verbose=0)  # weights only: not compiled
            model.save(path, include_optimizer=True)
            resumed = nnlite.Model.load(path)
            resumed.fit(self.x, self.y, epochs=1, verbose=0)  # compiled from the file
            with self.assertRaises(nnlite.FileError):
                nnlite.Model.load(os.path.join(tmp, "missing.safetensors"))
            with self.assertRaises(nnlite.FileError):
                model.save(os.path.join(tmp, "no", "such", "dir.safetensors"))

    def test_sequence_model_round_trip(self):
        model = nnlite.Model((6,), [nnlite.Embedding(10, 8), nnlite.TransformerBlock(2, 8), nnlite.LayerNorm(),
                                    nnlite.Flatten(), nnlite.Dense(10, activation="softmax")], seed=4)
        x = [[float((i * 3 + t) % 10) for t in range(6)] for i in range(40)]
        model.compile(nnlite.AdamW(1e-2)).fit(x, [int(row[0]) for row in x], epochs=2, verbose=0)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "sequence.safetensors")
            model.save(path)
            loaded = nnlite.Model.load(path)
        self.assertEqual([type(layer) for layer in loaded.layers],
                         [nnlite.Embedding, nnlite.TransformerBlock, nnlite.LayerNorm, nnlite.Flatten, nnlite.Dense])
        self.assertEqual(loaded.predict(x).tolist(), model.predict(x).tolist())

    def test_predict_from_many_threads(self):
        model = small_model()
        model.fit(self.x, self.y, epochs=1, verbose=0)
        expected = model.predict(self.x).tolist()
        results, errors = [], []

        def work():
            try:
                for _ in range(5):
                    results.append(model.predict(self.x, batch_size=32).tolist())
            except Exception as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 20)
        self.assertTrue(all(r == expected for r in results))


@needs_numpy
class ModelNumpyTest(unittest.TestCase):
    def test_numpy_in_and_out(self):
        import numpy as np
        x, y = blobs(120)
        x, y = np.array(x, dtype=np.float32), np.array(y)
        model = small_model()
        model.fit(x, y, epochs=10, verbose=0)
        p = model.predict(x)
        self.assertEqual((type(p), p.dtype, p.shape), (np.ndarray, np.float32, (120, 3)))
        self.assertGreater((p.argmax(axis=1) == y).mean(), 0.95)
        self.assertTrue(np.array_equal(model.predict(x.astype(np.float64)), p))
        self.assertTrue(np.array_equal(model.predict(np.asfortranarray(x)), p))
        kernel = model.layers[0].params()[0].value.numpy()
        kernel[:] = 0  # writes through to the model
        self.assertFalse(np.array_equal(model.predict(x), p))


if __name__ == "__main__":
    unittest.main()
