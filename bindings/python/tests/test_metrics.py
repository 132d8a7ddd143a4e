"""Metrics: confusion matrix and the classification report against hand computation."""

import array
import unittest

import nnlite
from support import needs_numpy


class MetricsTest(unittest.TestCase):
    truth = [0, 0, 1, 1, 2, 2, 2]
    predicted = [0, 1, 1, 1, 2, 0, 2]

    def test_confusion_matrix(self):
        matrix = nnlite.confusion_matrix(self.truth, self.predicted)
        self.assertEqual(matrix.tolist(), [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
        wider = nnlite.confusion_matrix(array.array("i", self.truth), self.predicted, num_classes=4)
        self.assertEqual(wider.tolist()[3], [0, 0, 0, 0])
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.confusion_matrix([0, 5], [0, 1], num_classes=3)
        self.assertIn("5", ctx.exception.message)
        with self.assertRaises(ValueError):
            nnlite.confusion_matrix([0, 1], [0])
        with self.assertRaises(ValueError):
            nnlite.confusion_matrix([0.5], [0])

    def test_empty(self):
        self.assertEqual(nnlite.confusion_matrix([], []).tolist(), [[0]])

    def test_classification_report(self):
        report = nnlite.classification_report(self.truth, self.predicted)
        self.assertEqual(report.support, [2, 2, 3])
        expected_precision = [1 / 2, 2 / 3, 1.0]
        expected_recall = [1 / 2, 1.0, 2 / 3]
        for got, want in zip(report.precision, expected_precision):
            self.assertAlmostEqual(got, want)
        for got, want in zip(report.recall, expected_recall):
            self.assertAlmostEqual(got, want)
        for f1, p, r in zip(report.f1, expected_precision, expected_recall):
            self.assertAlmostEqual(f1, 2 * p * r / (p + r))
        self.assertAlmostEqual(report.macro[0], sum(expected_precision) / 3)
        self.assertAlmostEqual(report.accuracy, 5 / 7)
        text = str(report)
        self.assertTrue(text.startswith("class  precision  recall  f1-score  support\n"))
        self.assertIn("accuracy 0.7143", text)
        self.assertIn("3 classes", repr(report))

    def test_never_predicted_class_has_zero_precision(self):
        report = nnlite.classification_report([0, 1], [0, 0], num_classes=2)
        self.assertEqual((report.precision[1], report.recall[1]), (0.0, 0.0))

    @needs_numpy
    def test_numpy_labels(self):
        import numpy as np
        matrix = nnlite.confusion_matrix(np.array(self.truth, dtype=np.int64), np.array(self.predicted))
        self.assertEqual((type(matrix), matrix.dtype), (np.ndarray, np.int64))
        self.assertEqual(matrix.trace(), 5)


if __name__ == "__main__":
    unittest.main()
