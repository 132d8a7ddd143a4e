"""Optimizers: constructors, schedules, warm-up, clipping and their errors."""

import math
import unittest

import nnlite
from support import blobs


class OptimizerTest(unittest.TestCase):
    def test_constructors(self):
        for opt, lr in [(nnlite.SGD(0.1, momentum=0.9, nesterov=True), 0.1), (nnlite.Adam(), 1e-3),
                        (nnlite.AdamW(2e-3, weight_decay=0.1), 2e-3)]:
            with self.subTest(type(opt).__name__):
                self.assertAlmostEqual(opt.learning_rate, lr, places=7)
                self.assertEqual(opt.steps, 0)
                self.assertIn("steps=0", repr(opt))

    def test_bad_values(self):
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.SGD(-1)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.SGD(0.1, momentum=0, nesterov=True)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Adam(beta1=1.0)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Adam(clip_norm=-1)
        with self.assertRaises(ValueError):
            nnlite.Adam(schedule=("linear", 10, 0.5))

    def test_warmup_then_step_schedule(self):
        opt = nnlite.SGD(0.1, warmup_steps=10, schedule=("step", 5, 0.5))
        self.assertLess(opt.learning_rate, 0.1)
        model = nnlite.Model((4,), [nnlite.Dense(3, activation="softmax")])
        model.compile(opt)
        x, y = blobs(40)
        model.fit(x, y, epochs=5, batch_size=10, verbose=0)  # 20 steps
        self.assertEqual(opt.steps, 20)
        self.assertAlmostEqual(opt.learning_rate, 0.1 * 0.5 ** (10 // 5), places=6)

    def test_cosine_schedule_reaches_min_lr(self):
        opt = nnlite.Adam(0.01, schedule=("cosine", 4, 0.001), clip_norm=1.0)
        model = nnlite.Model((4,), [nnlite.Dense(3, activation="softmax")]).compile(opt)
        x, y = blobs(40)
        history = model.fit(x, y, epochs=1, batch_size=10, verbose=0)
        self.assertEqual(opt.steps, 4)
        self.assertAlmostEqual(opt.learning_rate, 0.001, places=6)
        self.assertTrue(all(not math.isnan(v) for v in history.history["learning_rate"]))

    def test_named_optimizers(self):
        for name in ("sgd", "adam", "ADAMW"):
            model = nnlite.Model((4,), [nnlite.Dense(3, activation="softmax")]).compile(name)
            self.assertEqual(type(model.optimizer).__name__.lower(), name.lower())
        with self.assertRaises(ValueError):
            nnlite.Model((4,), [nnlite.Dense(3)]).compile("rmsprop")


if __name__ == "__main__":
    unittest.main()
