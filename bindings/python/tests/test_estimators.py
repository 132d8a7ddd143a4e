"""Classic learners: fit on blobs and XOR, predictions and probabilities, importances, files, options, misuse."""

import array
import os
import random
import tempfile
import unittest

import nnlite
from support import needs_numpy


def blobs(n, features, classes, seed):
    """Samples near one corner per class (feature c % features shifted by 1.5) and their labels, as lists."""
    rng = random.Random(seed)
    x, y = [], []
    for i in range(n):
        label = i % classes
        row = [rng.uniform(-1, 1) for _ in range(features)]
        row[label % features] += 1.5
        x.append(row)
        y.append(label)
    return x, y


def xor(n, seed):
    rng = random.Random(seed)
    x, y = [], []
    for i in range(n):
        a, b = i & 1, (i >> 1) & 1
        x.append([a + rng.uniform(-0.2, 0.2), b + rng.uniform(-0.2, 0.2)])
        y.append(a ^ b)
    return x, y


def accuracy(labels, y):
    return sum(int(p) == t for p, t in zip(labels, y)) / len(y)


class EstimatorTest(unittest.TestCase):
    def test_every_learner_fits_blobs(self):
        x, y = blobs(300, 6, 3, 1)
        test_x, test_y = blobs(300, 6, 3, 2)
        for make in (nnlite.LinearSVM, nnlite.SVM, nnlite.DecisionTree, nnlite.RandomForest):
            estimator = make().fit(x, y)
            self.assertEqual(estimator.num_classes, 3)
            self.assertEqual(estimator.num_features, 6)
            self.assertGreater(estimator.size, 0)
            self.assertGreater(accuracy(estimator.predict(test_x), test_y), 0.8, make.__name__)

    def test_rbf_svm_separates_xor_and_linear_does_not(self):
        x, y = xor(80, 3)
        test_x, test_y = xor(200, 4)
        self.assertEqual(accuracy(nnlite.SVM(c=10, gamma=2).fit(x, y).predict(test_x), test_y), 1.0)
        self.assertLess(accuracy(nnlite.LinearSVM().fit(x, y).predict(test_x), test_y), 0.8)

    def test_tree_splits_where_gini_says(self):
        # weighted Gini of the splits of 1..7 labelled 0 0 1 0 1 1 1 is lowest after 4 (see tests/classic)
        x = [[v, 0.0] for v in range(1, 8)]
        tree = nnlite.DecisionTree(max_depth=1).fit(x, [0, 0, 1, 0, 1, 1, 1])
        self.assertEqual(tree.size, 3)
        probs = tree.predict_proba([[4.4, 0], [4.6, 0]]).tolist()
        self.assertAlmostEqual(probs[0][0], 0.75)
        self.assertAlmostEqual(probs[1][1], 1.0)
        self.assertEqual(tree.feature_importances.tolist(), [1.0, 0.0])

    def test_forest_is_the_same_at_any_thread_count(self):
        x, y = blobs(200, 8, 4, 5)
        one = nnlite.RandomForest(n_estimators=10, threads=1, seed=3).fit(x, y)
        two = nnlite.RandomForest(n_estimators=10, threads=2, seed=3).fit(x, y)
        self.assertEqual(one.size, two.size)
        self.assertEqual(one.predict_proba(x).tolist(), two.predict_proba(x).tolist())

    def test_probabilities(self):
        x, y = blobs(200, 5, 3, 6)
        svm = nnlite.SVM(probability=True).fit(x, y)
        for row in svm.predict_proba(x[:10]).tolist():
            self.assertAlmostEqual(sum(float(p) for p in row), 1.0, places=4)
        with self.assertRaises(nnlite.UnsupportedError):
            nnlite.LinearSVM().fit(x, y).predict_proba(x[:1])
        with self.assertRaises(nnlite.UnsupportedError):
            nnlite.SVM().fit(x, y).predict_proba(x[:1])
        with self.assertRaises(nnlite.UnsupportedError):
            _ = nnlite.SVM().fit(x, y).feature_importances

    def test_files_round_trip(self):
        x, y = blobs(150, 4, 3, 7)
        with tempfile.TemporaryDirectory() as tmp:
            for make in (nnlite.LinearSVM, nnlite.SVM, nnlite.DecisionTree, nnlite.RandomForest):
                estimator = make().fit(x, y)
                path = os.path.join(tmp, "e.safetensors")
                estimator.save(path)
                loaded = nnlite.Estimator.load(path)
                self.assertEqual(loaded.kind, estimator.kind)
                self.assertEqual(loaded.predict(x).tolist(), estimator.predict(x).tolist())
            with open(path, "r+b") as f:
                f.truncate(100)
            with self.assertRaises(nnlite.FormatError):
                nnlite.Estimator.load(path)
            with self.assertRaises(nnlite.FileError):
                nnlite.Estimator.load(os.path.join(tmp, "missing.safetensors"))

    def test_evaluate_with_a_dataset(self):
        x, y = blobs(120, 4, 3, 8)
        data = nnlite.Dataset(x, array.array("i", y))
        tree = nnlite.DecisionTree().fit(data)
        acc, matrix = tree.evaluate(data)
        self.assertEqual(acc, 1.0)
        self.assertEqual(sum(matrix.tolist()[c][c] for c in range(3)), 120)

    def test_bad_options_and_calls(self):
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.SVM(c=0)
        self.assertIn("c must", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.RandomForest(n_estimators=0)
        with self.assertRaises(ValueError):
            nnlite.DecisionTree(criterion="chaos")
        with self.assertRaises(nnlite.StateError):
            nnlite.DecisionTree().predict([[1.0, 2.0]])
        tree = nnlite.DecisionTree().fit([[0.0], [1.0]], [0, 1])
        with self.assertRaises(ValueError):
            tree.predict([[1.0, 2.0]])
        tree.close()
        with self.assertRaises(nnlite.StateError):
            tree.predict([[1.0]])

    @needs_numpy
    def test_numpy_arrays(self):
        import numpy as np
        x, y = blobs(100, 3, 2, 9)
        forest = nnlite.RandomForest(n_estimators=5).fit(np.array(x, dtype=np.float64), np.array(y))
        labels = forest.predict(np.array(x, dtype=np.float32).reshape(100, 3, 1))
        self.assertEqual(labels.dtype, np.int32)
        self.assertGreater((labels == np.array(y)).mean(), 0.9)


if __name__ == "__main__":
    unittest.main()
