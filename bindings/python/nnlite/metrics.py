"""Classification metrics: confusion matrix, per-class precision/recall/F1, macro averages, accuracy;
multi-label metrics and per-class threshold tuning."""

import ctypes

from . import _buffers
from ._api import C, MultilabelReport as _MultilabelReport


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


def _matrix(values, typecode, name):
    """``(address, (count, classes), owner)`` of a 2-D samples x classes matrix."""
    address, shape, owner = _buffers.to_c(values, typecode)
    if len(shape) != 2:
        raise ValueError("nnlite: %s must be 2-D (samples x classes), got shape %s" % (name, tuple(shape)))
    return address, tuple(shape), owner


class MultilabelReport:
    """Multi-label metrics, made by :func:`multilabel_report`: ``subset_accuracy`` (exact set matches),
    ``hamming_loss`` (wrong sample-class decisions), ``micro`` and ``macro`` (precision, recall, F1)
    and per-class ``precision``, ``recall``, ``f1``, ``support`` (lists); ``str()`` gives the table.

    As scikit-learn's with ``zero_division=0``: a class never predicted has
    precision 0, one never present recall 0 and F1 0.
    """

    def __init__(self, report, precision, recall, f1, support):
        self.subset_accuracy = report.subset_accuracy
        self.hamming_loss = report.hamming_loss
        self.micro = (report.micro_precision, report.micro_recall, report.micro_f1)
        self.macro = (report.macro_precision, report.macro_recall, report.macro_f1)
        self.precision, self.recall, self.f1, self.support = precision, recall, f1, support

    def __str__(self):
        lines = ["class  precision  recall  f1-score  support"]
        for c, (p, r, f, s) in enumerate(zip(self.precision, self.recall, self.f1, self.support)):
            lines.append("%5d  %9.4f  %6.4f  %8.4f  %7d" % (c, p, r, f, s))
        lines.append("micro  %9.4f  %6.4f  %8.4f" % self.micro)
        lines.append("macro  %9.4f  %6.4f  %8.4f" % self.macro)
        lines.append("subset accuracy %.4f, Hamming loss %.4f" % (self.subset_accuracy, self.hamming_loss))
        return "\n".join(lines)

    def __repr__(self):
        return "<nnlite.MultilabelReport %d classes, micro F1 %.4f>" % (len(self.f1), self.micro[2])


def multilabel_report(truth, predicted):
    """A :class:`MultilabelReport` of predicted against true label sets.

    Both are samples x classes matrices of 0/1 (ints or bools; numpy arrays,
    nested lists, buffers), e.g. :meth:`nnlite.Dataset.multilabels` and the
    label sets of :meth:`nnlite.Model.predict_multilabel`.
    """
    t_address, t_shape, t_owner = _matrix(truth, "B", "truth")
    p_address, p_shape, p_owner = _matrix(predicted, "B", "predicted")
    if t_shape != p_shape:
        raise ValueError("nnlite: truth and predicted have shapes %s and %s" % (t_shape, p_shape))
    count, classes = t_shape
    doubles = ctypes.c_double * classes
    precision, recall, f1, support = doubles(), doubles(), doubles(), (ctypes.c_int64 * classes)()
    report = _MultilabelReport()
    C.nnl_metrics_multilabel(t_address, p_address, count, classes, ctypes.byref(report), precision, recall, f1,
                             support)
    return MultilabelReport(report, list(precision), list(recall), list(f1), list(support))


def tune_thresholds(probabilities, truth):
    """Per-class thresholds (a list of floats in [0, 1]) that maximise each class's F1 on these data.

    ``probabilities`` (samples x classes, in [0, 1], e.g. from
    :meth:`nnlite.Model.predict_multilabel` on validation data) and ``truth``
    (0/1 of the same shape). Each class keeps 0.5 unless a cut between two
    of its probabilities gives a strictly higher F1, so no class's F1 on
    these data goes down; pass the result as ``threshold`` to
    :meth:`nnlite.Model.predict_multilabel`.
    """
    p_address, p_shape, p_owner = _matrix(probabilities, "f", "probabilities")
    t_address, t_shape, t_owner = _matrix(truth, "B", "truth")
    if t_shape != p_shape:
        raise ValueError("nnlite: probabilities and truth have shapes %s and %s" % (p_shape, t_shape))
    thresholds = (ctypes.c_float * p_shape[1])()
    C.nnl_metrics_tune_thresholds(p_address, t_address, p_shape[0], p_shape[1], thresholds)
    return list(thresholds)
