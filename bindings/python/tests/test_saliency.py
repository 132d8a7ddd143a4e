"""Saliency, occlusion and the abnormal-input check through the bindings: saliency against finite
differences of the logit, occlusion against a loop of predictions, the check on made-up and real
inputs (the default digits model), and the errors."""

import math
import os
import random
import unittest

import nnlite
from support import SOURCE_ROOT


def flat(values):
    """A nested list (or array) as a flat list of floats."""
    values = values.tolist() if hasattr(values, "tolist") else values
    out = []
    stack = [values]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        else:
            out.append(float(v))
    return out


def small_model(last="softmax"):
    return nnlite.Model((4, 4, 1), [nnlite.Conv2D(3, 3, activation="tanh"), nnlite.Flatten(),
                                    nnlite.Dense(3, activation=last)], seed=3)


def image(seed):
    rng = random.Random(seed)
    return [[[rng.uniform(0, 1)] for _ in range(4)] for _ in range(4)]


class SaliencyTest(unittest.TestCase):
    def test_gradient_of_the_logit(self):
        # the same weights without the softmax output the logits themselves
        soft, plain = small_model(), small_model(None)
        x = [image(1), image(2)]
        maps = flat(soft.saliency(x, [2, 0]))
        self.assertEqual(len(maps), 32)
        h = 1e-2
        for sample, c in ((0, 2), (1, 0)):
            for i in range(16):
                up = [[list(map(list, row)) for row in img] for img in x]
                down = [[list(map(list, row)) for row in img] for img in x]
                up[sample][i // 4][i % 4][0] += h
                down[sample][i // 4][i % 4][0] -= h
                numeric = (flat(plain.predict(up))[sample * 3 + c] - flat(plain.predict(down))[sample * 3 + c]) / (2 * h)
                self.assertAlmostEqual(maps[sample * 16 + i], numeric, delta=5e-4)
        self.assertGreater(max(abs(v) for v in maps), 0.05)
        # None = each sample's predicted class; one int = that class for all
        probabilities = flat(soft.predict(x))
        predicted = [max(range(3), key=lambda k: probabilities[s * 3 + k]) for s in range(2)]
        self.assertEqual(flat(soft.saliency(x)), flat(soft.saliency(x, predicted)))
        self.assertEqual(flat(soft.saliency(x, 1)), flat(soft.saliency(x, [1, 1])))
        try:
            import numpy
        except ImportError:
            return
        self.assertEqual(flat(soft.saliency(numpy.array(x, dtype=numpy.float32), numpy.int64(1))),
                         flat(soft.saliency(x, [1, 1])))

    def test_errors(self):
        model = small_model()
        with self.assertRaises(nnlite.InvalidArgumentError):
            model.saliency([image(1)], [3])
        with self.assertRaises(nnlite.ShapeError):
            model.saliency([[[0.0]] * 5])
        with self.assertRaises(ValueError):
            model.saliency([image(1)], [0, 1])
        tokens = nnlite.Model((4,), [nnlite.Embedding(10, 8)])
        with self.assertRaisesRegex(nnlite.UnsupportedError, "token ids"):
            tokens.saliency([[1, 2, 3, 4]])


class OcclusionTest(unittest.TestCase):
    def test_matches_a_loop_of_predictions(self):
        model = small_model()
        x = image(5)
        base = flat(model.predict([x]))[1]
        total, count = [0.0] * 16, [0] * 16
        for y0 in (0, 2):
            for x0 in (0, 2):
                hidden = [[list(px) for px in row] for row in x]
                for r in range(y0, y0 + 2):
                    for q in range(x0, x0 + 2):
                        hidden[r][q][0] = 0.0
                drop = base - flat(model.predict([hidden]))[1]
                for r in range(y0, y0 + 2):
                    for q in range(x0, x0 + 2):
                        total[r * 4 + q] += drop
                        count[r * 4 + q] += 1
        got = flat(model.occlusion(x, 1, patch=2, stride=2))
        for g, t, n in zip(got, total, count):
            self.assertAlmostEqual(g, t / n, delta=1e-6)
        with self.assertRaisesRegex(nnlite.InvalidArgumentError, "patch=5"):
            model.occlusion(x, 1, patch=5)


class InputCheckTest(unittest.TestCase):
    def test_reasons(self):
        blank = [0.0] * 100
        self.assertEqual(nnlite.input_check(blank).name, "blank")
        inked = [1.0 if i % 10 == 0 else 0.0 for i in range(100)]
        check = nnlite.input_check(inked, [0.1, 0.8, 0.1])
        self.assertTrue(check.ok)
        self.assertEqual((check.top_class, round(check.ink, 6)), (1, 0.1))
        self.assertAlmostEqual(check.top_probability, 0.8, places=6)
        self.assertEqual(nnlite.input_check(inked, [0.3, 0.3, 0.4]).name, "low confidence")
        self.assertTrue(nnlite.input_check(inked, [0.3, 0.3, 0.4], min_confidence=0.35).ok)
        self.assertEqual(nnlite.input_check([1.0] * 100).reason, nnlite.abnormal_input.FULL)
        self.assertTrue(math.isnan(nnlite.input_check(inked).top_probability))
        with self.assertRaises(TypeError):
            nnlite.input_check(inked, ink=0.1)
        with self.assertRaisesRegex(nnlite.InvalidArgumentError, "min_ink"):
            nnlite.input_check(inked, min_ink=0.9, max_ink=0.5)

    def test_defaults_match_the_library(self):
        # keyword defaults filled from DEFAULTS must decide as the C defaults (NULL options) do
        rng = random.Random(7)
        for _ in range(200):
            ink = rng.choice([0.01, 0.019, 0.021, 0.3, 0.449, 0.451, 0.9])
            values = [1.0 if rng.random() < ink else 0.0 for _ in range(1000)]
            p = rng.uniform(0.3, 0.9)
            probabilities = [p, 1 - p]
            self.assertEqual(nnlite.input_check(values, probabilities),
                             nnlite.input_check(values, probabilities, ink_level=0.5))

    def test_default_digits_model(self):
        path = os.path.join(SOURCE_ROOT, "models", "digits.safetensors")
        if not os.path.exists(path):
            self.skipTest("no models/digits.safetensors")
        model = nnlite.Model.load(path)
        blank = [[[0.0]] * 28 for _ in range(28)]
        outputs, check = model.predict_checked(blank)
        self.assertEqual((check.name, len(flat(outputs))), ("blank", 10))
        full = [[[1.0]] * 28 for _ in range(28)]
        self.assertEqual(model.predict_checked(full)[1].name, "too much ink")
        # a clean vertical stroke is a confident 1
        one = [[[1.0 if 12 <= c <= 14 and 4 <= r <= 23 else 0.0] for c in range(28)] for r in range(28)]
        outputs, check = model.predict_checked(one)
        self.assertTrue(check.ok, check)
        self.assertEqual(check.top_class, 1)
        # its saliency and occlusion maps have their mass on the stroke's neighbourhood
        grad = [abs(v) for v in flat(model.saliency([one], 1))]
        self.assertGreater(max(grad), 0)
        occlusion = flat(model.occlusion(one, 1))
        on_stroke = sum(occlusion[r * 28 + c] for r in range(4, 24) for c in range(12, 15))
        self.assertGreater(on_stroke / 60, sum(occlusion) / 784)


if __name__ == "__main__":
    unittest.main()
