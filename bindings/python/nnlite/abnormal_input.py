"""Abnormal input (``nnlite/input_check.h``): does an image look unlike the training data?

:func:`input_check` measures the ink of one input (the fraction of values
above ``ink_level``) and the top class probability, and names the first
reason to distrust the prediction: ``"blank"``, ``"too much ink"`` or ``"low
confidence"``. :meth:`nnlite.Model.predict_checked` predicts and checks in
one call. The defaults suit images in [0, 1] with ink 1 (MNIST);
docs/seeing-inside.md gives the measurements behind them.
"""

import collections
import ctypes

from . import _buffers
from ._api import C, InputCheckOptions, InputReport

#: Reason codes (``nnl_input_reason``).
OK, BLANK, FULL, UNSURE = 0, 1, 2, 3

#: The thresholds of ``NNL_INPUT_CHECK_OPTIONS_INIT``.
DEFAULTS = {"ink_level": 0.5, "min_ink": 0.02, "max_ink": 0.45, "min_confidence": 0.6}


class InputCheck(collections.namedtuple("InputCheck", "reason name top_class top_probability ink")):
    """What the check found: ``reason`` (:data:`OK` ...), its ``name``, the top class and probability
    (-1 and NaN without probabilities) and the ink fraction. ``ok`` is True when nothing is unusual."""

    __slots__ = ()

    @property
    def ok(self):
        return self.reason == OK


def options(thresholds):
    """A pointer to ``nnl_input_check_options`` for the keyword ``thresholds`` given, or None (the defaults)."""
    unknown = set(thresholds) - set(DEFAULTS)
    if unknown:
        raise TypeError("nnlite: unknown threshold(s) %s; expected %s" % (sorted(unknown), sorted(DEFAULTS)))
    if not thresholds:
        return None
    return ctypes.byref(InputCheckOptions(**dict(DEFAULTS, **thresholds)))


def report_of(report):
    """An :class:`InputCheck` from a filled ``InputReport``."""
    name = C.nnl_input_reason_name(report.reason).decode("ascii")
    return InputCheck(report.reason, name, report.top_class, report.top_probability, report.ink)


def input_check(x, probabilities=None, **thresholds):
    """Check one input ``x`` (any shape) and, when given, the model's ``probabilities`` for it.

    ``thresholds``: ``ink_level``, ``min_ink``, ``max_ink``, ``min_confidence``
    (the others keep :data:`DEFAULTS`). Returns an :class:`InputCheck`.
    """
    from .model import _wrap  # a temporary C tensor over x's memory

    x_address, x_shape, x_owner = _buffers.to_c(x, "f")
    p_address, count, p_owner = None, 0, None
    if probabilities is not None:
        p_address, p_shape, p_owner = _buffers.to_c(probabilities, "f")
        count = 1
        for d in p_shape:
            count *= d
    report = InputReport()
    tensor = None
    try:
        tensor = _wrap(x_address, tuple(x_shape) or (1,))
        C.nnl_input_check(tensor, p_address, count, options(thresholds), ctypes.byref(report))
    finally:
        C.nnl_tensor_free(tensor)
    return report_of(report)
