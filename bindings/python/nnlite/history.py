"""The training history the library records during fit (``nnl_history``, nnlite/history.h)."""

import ctypes

from . import _paths
from ._api import C

#: The values of the ``kind`` column, by ``nnl_history_row_kind``.
ROW_KINDS = ("step", "epoch", "validation")
_COLUMNS = 11  # NNL_HISTORY_COLUMNS


class TrainingHistory:
    """The rows the last fit of a model recorded, read from the library as they are now.

    :attr:`nnlite.Model.history` returns one. Each fit call (``Model.fit``,
    ``GPT.train`` through ``GPT.model.history``) starts a new history:

    - a ``"step"`` row after each recorded optimizer step (``history_interval``
      of :meth:`nnlite.Model.fit`): the loss and metric of that batch alone;
    - an ``"epoch"`` row after each epoch: the epoch's mean loss and metric
      and the validation loss and metric;
    - a ``"validation"`` row after each validation in steps mode.

    ``len(history)`` rows; ``history[i]`` is a dict from column name
    (:attr:`columns`: ``kind``, ``epoch``, ``step``, ``loss``, ``accuracy``
    or ``micro_f1`` or ``metric``, ``val_loss``, ``val_`` + the metric,
    ``learning_rate``, ``samples_per_s``, ``tokens_per_s``, ``elapsed_s``) to
    its value (NaN where the row has none; ``kind`` a string, ``epoch`` and
    ``step`` ints); :meth:`column` one column as a list; :meth:`write_csv`
    the library's CSV file. Read it after fit, or during fit from a callback:
    the row of a step is recorded before that step's report.
    """

    def __init__(self, model):
        self._model = model  # keeps the model, which owns the history, alive

    @property
    def _address(self):
        return C.nnl_model_history(self._model._address)

    @property
    def columns(self):
        """Column names in CSV order (the metric's name depends on the loss of the last fit)."""
        address = self._address
        return [C.nnl_history_column_name(address, key).decode() for key in range(_COLUMNS)]

    @property
    def truncated(self):
        """True when memory ran out during fit and rows are missing (fit itself went on)."""
        return C.nnl_history_truncated(self._address) == 1

    def __len__(self):
        return C.nnl_history_rows(self._address)

    def _value(self, address, row, key):
        value = ctypes.c_double()
        C.nnl_history_get(address, row, key, ctypes.byref(value))
        return value.value

    def __getitem__(self, row):
        """Row ``row`` (negative counts from the end) as a dict; IndexError out of range."""
        count = len(self)
        if not -count <= row < count:
            raise IndexError("history row %d out of range (%d rows)" % (row, count))
        address, row = self._address, row % count
        values = [self._value(address, row, key) for key in range(_COLUMNS)]
        values[0] = ROW_KINDS[int(values[0])]
        values[1], values[2] = int(values[1]), int(values[2])
        return dict(zip(self.columns, values))

    def rows(self, kind=None):
        """Every row as a dict, or only those of ``kind`` ("step", "epoch" or "validation")."""
        rows = [self[i] for i in range(len(self))]
        return rows if kind is None else [row for row in rows if row["kind"] == kind]

    def column(self, name, kind=None):
        """The values of column ``name`` in every row (or every row of ``kind``)."""
        if name not in self.columns:
            raise KeyError("no column %r; the columns are %s" % (name, ", ".join(self.columns)))
        return [row[name] for row in self.rows(kind)]

    def write_csv(self, path):
        """Write the history as a CSV file (header, then one line per row; NaN as an empty field)."""
        C.nnl_history_write_csv(self._address, _paths.encode(path))

    def __repr__(self):
        return "<nnlite.TrainingHistory %d rows>" % len(self)
