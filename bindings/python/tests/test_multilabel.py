"""Multi-label classification: label matrices, metrics and threshold tuning against hand computation,
a sigmoid head trained to a stated micro-F1, and the IDX files of scripts/make-multilabel."""

import os
import random
import unittest

import nnlite
from support import DATA_DIR

# The C tests' example: an empty predicted set (sample 2), a class never present (2), one never predicted (1).
TRUTH = [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]]
PREDICTED = [[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0]]


def points(n, seed):
    """(x, labels): points in [-1, 1)^2, classes a > 0, b > 0, a + b > 0.5."""
    rng = random.Random(seed)
    x = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    return x, [[int(a > 0), int(b > 0), int(a + b > 0.5)] for a, b in x]


def rows(matrix):
    return [list(row) for row in (matrix.tolist() if hasattr(matrix, "tolist") else matrix)]


class MultilabelDatasetTest(unittest.TestCase):
    def test_label_matrix(self):
        x, labels = points(10, 1)
        data = nnlite.Dataset.multilabel(x, labels)
        self.assertTrue(data.is_multilabel)
        self.assertEqual(data.num_classes, 3)
        self.assertEqual(data.target_shape, (3,))
        self.assertEqual(rows(data.multilabels()), labels)
        self.assertEqual(rows(data.multilabels(2, 3)), labels[2:5])
        bools = nnlite.Dataset.multilabel(x, [[bool(v) for v in row] for row in labels])
        self.assertEqual(rows(bools.multilabels()), labels)
        self.assertFalse(nnlite.Dataset([[0.0], [1.0]], [0, 1]).is_multilabel)

    def test_mismatched_shapes_and_values(self):
        x, labels = points(4, 2)
        with self.assertRaises(nnlite.ShapeError) as ctx:
            nnlite.Dataset.multilabel(x, labels[:3])
        self.assertIn("3 rows, there are 4 samples", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.Dataset.multilabel(x, [[0, 1, 0], [1, 2, 0], [0, 0, 0], [1, 1, 1]])
        self.assertIn("labels[1][1]=2", ctx.exception.message)
        with self.assertRaises(ValueError):
            nnlite.Dataset.multilabel(x, [0, 1, 0, 1])
        with self.assertRaises(nnlite.StateError):
            nnlite.Dataset.multilabel(x, labels).labels()


class MultilabelMetricsTest(unittest.TestCase):
    def test_report_matches_hand_computation(self):
        report = nnlite.multilabel_report(TRUTH, PREDICTED)
        self.assertAlmostEqual(report.subset_accuracy, 2 / 5)
        self.assertAlmostEqual(report.hamming_loss, 3 / 15)
        for got, want in zip(report.micro, (2 / 3, 1 / 2, 4 / 7)):
            self.assertAlmostEqual(got, want)
        for got in report.macro:
            self.assertAlmostEqual(got, 1 / 3)
        self.assertEqual(report.precision, [1.0, 0.0, 0.0])
        self.assertEqual(report.recall, [1.0, 0.0, 0.0])
        self.assertEqual(report.support, [2, 2, 0])
        self.assertIn("subset accuracy 0.4000", str(report))
        with self.assertRaises(ValueError):
            nnlite.multilabel_report(TRUTH, PREDICTED[:4])
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.multilabel_report(TRUTH, [[3, 0, 0]] + PREDICTED[1:])

    def test_tuned_thresholds(self):
        p = [[0.9, 0.8, 0.7], [0.4, 0.6, 0.2], [0.35, 0.3, 0.6], [0.2, 0.1, 0.1], [0.1, 0.05, 0.0]]
        t = [[1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]]
        thresholds = nnlite.tune_thresholds(p, t)
        self.assertAlmostEqual(thresholds[0], 0.275, places=6)
        self.assertEqual(thresholds[1:], [0.5, 0.5])
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.tune_thresholds([[1.5, 0, 0]] + p[1:], t)


class MultilabelModelTest(unittest.TestCase):
    def model(self, activation="sigmoid"):
        model = nnlite.Model((2,), seed=5)
        model.add(nnlite.Dense(16, activation="tanh"))
        model.add(nnlite.Dense(3, activation=activation))
        model.compile(loss="sigmoid_binary_crossentropy", optimizer=nnlite.Adam(1e-2))
        return model

    def test_trains_to_a_high_micro_f1(self):
        train = nnlite.Dataset.multilabel(*points(2000, 11))
        test = nnlite.Dataset.multilabel(*points(500, 12))
        model = self.model()
        history = model.fit(train, epochs=8, batch_size=32, validation_data=test, seed=1, verbose=0)
        self.assertEqual(len(history.history["micro_f1"]), 8)
        probabilities, labels = model.predict_multilabel(test)
        report = nnlite.multilabel_report(test.multilabels(), labels)
        self.assertGreaterEqual(report.micro[2], 0.9)
        self.assertAlmostEqual(history.history["val_micro_f1"][-1], report.micro[2])
        self.assertAlmostEqual(history.history["val_hamming_loss"][-1], report.hamming_loss)
        self.assertAlmostEqual(history.history["val_accuracy"][-1], report.subset_accuracy)
        # per-class thresholds
        _, strict = model.predict_multilabel(test, threshold=[0.5, 0.5, 0.99])
        for p_row, l_row in zip(rows(probabilities), rows(strict)):
            self.assertEqual(l_row[2], int(p_row[2] >= 0.99))
        with self.assertRaises(ValueError):
            model.predict_multilabel(test, threshold=[0.5, 0.5])
        with self.assertRaises(nnlite.InvalidArgumentError):
            model.predict_multilabel(test, threshold=1.5)

    def test_logits_head(self):
        data = nnlite.Dataset.multilabel(*points(20, 3))
        model = self.model(activation=None)
        probabilities, _ = model.predict_multilabel(data)
        logits, _ = model.predict_dataset(data)
        import math
        for p_row, z_row in zip(rows(probabilities), rows(logits)):
            for p, z in zip(p_row, z_row):
                self.assertAlmostEqual(p, 1 / (1 + math.exp(-z)), places=6)


class MultilabelFilesTest(unittest.TestCase):
    def test_make_multilabel_folder(self):
        directory = os.path.join(DATA_DIR, "multilabel")
        if not os.path.exists(os.path.join(directory, "t10k-labels-idx2-ubyte.gz")):
            self.skipTest("data/multilabel is missing (scripts/fetch-data makes it)")
        train, test = nnlite.Dataset.load_idx_dir(directory)
        self.assertEqual((len(train), len(test)), (8000, 2000))
        self.assertEqual(test.sample_shape, (28, 56, 1))
        self.assertTrue(test.is_multilabel)
        sizes = [sum(row) for row in rows(test.multilabels())]
        self.assertEqual(set(sizes), {1, 2})


if __name__ == "__main__":
    unittest.main()
