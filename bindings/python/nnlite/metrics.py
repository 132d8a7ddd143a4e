"""Classification metrics: confusion matrix, per-class precision/recall/F1, macro averages, accuracy."""

import ctypes

from . import _buffers
from ._api import C


def _labels(truth, predicted, num_classes):
    t_address, t_shape, t_owner = _buffers.to_c(truth, "i")
    p_address, p_shape, p_owner = _buffers.to_c(predicted, "i")
    if len(t_shape) != 1 or tuple(t_shape) != tuple(p_shape):
        raise ValueError("nnlite: truth and predicted must be 1-D and of one length, got shapes %s and %s"
                         % (tuple(t_shape), tuple(p_shape)))
    if num_classes is None:
        num_classes = int(max(1, max(t_owner, default=-1) + 1, max(p_owner, default=-1) + 1))
    return t_address, p_address, t_shape[0], num_classes, (t_owner, p_owner)


def _confusion(truth, predicted, num_classes):
    t_address, p_address, count, num_classes, owners = _labels(truth, predicted, num_classes)
    m_address, matrix = _buffers.new((num_classes, num_classes), "q")
    C.nnl_metrics_confusion(t_address, p_address, count, num_classes, m_address)
    return m_address, matrix, num_classes


def confusion_matrix(truth, predicted, num_classes=None):
    """``matrix[true][predicted]`` counts (int64, num_classes x num_classes).

    ``num_classes`` defaults to the largest label + 1. A label outside
    [0, num_classes) raises InvalidArgumentError naming its index.
    """
    return _confusion(truth, predicted, num_classes)[1]


class ClassificationReport:
    """Per-class ``precision``, ``recall``, ``f1`` and ``support`` (lists), ``macro`` (precision, recall, F1),
    ``accuracy`` and the confusion ``matrix``; ``str()`` gives the table. Made by :func:`classification_report`.

    A class never predicted has precision 0; one never present, recall 0 (as
    scikit-learn's ``zero_division=0``).
    """

    def __init__(self, matrix, precision, recall, f1, support, macro, accuracy):
        self.matrix = matrix
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.macro = macro
        self.accuracy = accuracy

    def __str__(self):
        lines = ["class  precision  recall  f1-score  support"]
        for c, (p, r, f, s) in enumerate(zip(self.precision, self.recall, self.f1, self.support)):
            lines.append("%5d  %9.4f  %6.4f  %8.4f  %7d" % (c, p, r, f, s))
        lines.append("macro  %9.4f  %6.4f  %8.4f  %7d" % (self.macro + (sum(self.support),)))
        lines.append("accuracy %.4f" % self.accuracy)
        return "\n".join(lines)

    def __repr__(self):
        return "<nnlite.ClassificationReport %d classes, accuracy %.4f>" % (len(self.precision), self.accuracy)


def classification_report(truth, predicted, num_classes=None):
    """A :class:`ClassificationReport` of predicted against true class labels (``num_classes`` as
    :func:`confusion_matrix`)."""
    matrix_address, matrix, num_classes = _confusion(truth, predicted, num_classes)
    doubles = ctypes.c_double * num_classes
    precision, recall, f1 = doubles(), doubles(), doubles()
    macro, accuracy = (ctypes.c_double * 3)(), ctypes.c_double()
    C.nnl_metrics_report(matrix_address, num_classes, precision, recall, f1, macro, ctypes.byref(accuracy))
    rows = _buffers.view(matrix_address, (num_classes, num_classes), "q", matrix, use_numpy=False).tolist()
    return ClassificationReport(matrix, list(precision), list(recall), list(f1), [sum(row) for row in rows],
                                tuple(macro), accuracy.value)
