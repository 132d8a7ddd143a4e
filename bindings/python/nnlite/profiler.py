"""The profiler: where the time goes, per layer, kernel and thread (C API: ``nnlite/profile.h``).

As a context manager::

    with nnlite.profile(trace="trace.json") as prof:
        model.fit(train, epochs=1)
    print(prof.table())                 # like PyTorch's key_averages().table()
    slowest = prof.rows()[0]            # a ProfileRow, rows sorted by total time

or with :func:`start` and :func:`stop`. The trace file opens in Perfetto
(https://ui.perfetto.dev) or chrome://tracing. Setting ``NNL_PROFILE=FILE.json``
in the environment before the library loads profiles the whole process and
writes FILE.json and FILE.txt at exit (docs/seeing-inside.md).

The profiler is process-wide: one record for every thread of the process.
"""

import ctypes
from collections import namedtuple

from . import _paths
from ._api import C, ProfileRow as _ProfileRow
from ._text import summary as _summary

_KINDS = ("step", "layer", "loss", "optimizer", "kernel", "pool task")
_PHASES = ("", "forward", "backward")

#: One row of the table: every event of one ``name``, ``kind`` (``"step"``, ``"layer"``, ``"loss"``,
#: ``"optimizer"``, ``"kernel"``, ``"pool task"``) and ``phase`` (``"forward"``, ``"backward"`` or ``""``):
#: ``calls``, ``total_ms``, ``self_ms`` (less the events nested in them), ``flops`` (0 when unknown),
#: ``gflops_per_s`` and ``step_share`` (of the time of the fit steps).
ProfileRow = namedtuple("ProfileRow", "name kind phase calls total_ms self_ms flops gflops_per_s step_share")


def start():
    """Start recording (StateError if the profiler already runs). Earlier events are kept."""
    C.nnl_profile_start()


def stop():
    """Stop recording (StateError if it does not run); the record stays readable."""
    C.nnl_profile_stop()


def reset():
    """Forget everything recorded."""
    C.nnl_profile_reset()


def is_active():
    """Whether the profiler records."""
    return bool(C.nnl_profile_is_active())


def write_trace(path):
    """Write the record as a Chrome trace-event JSON file (FileError when it cannot be written)."""
    C.nnl_profile_write_trace(_paths.encode(path))


class _Table:
    """A snapshot of the record (nnl_profile_table), freed on exit."""

    def __enter__(self):
        out = ctypes.c_void_p()
        C.nnl_profile_table_create(ctypes.byref(out))
        self.address = out.value
        return self

    def __exit__(self, *exc):
        C.nnl_profile_table_free(self.address)


def rows():
    """The record as a list of :class:`ProfileRow`, largest total time first."""
    result = []
    with _Table() as t:
        for i in range(C.nnl_profile_table_count(t.address)):
            r = _ProfileRow()
            C.nnl_profile_table_row(t.address, i, ctypes.byref(r))
            result.append(ProfileRow(r.name.decode("utf-8", "replace"), _KINDS[r.kind], _PHASES[r.phase], r.calls,
                                     r.total_ms, r.self_ms, r.flops, r.gflops_per_s, r.step_share))
    return result


def totals():
    """``(steps, step_ms, dropped)``: fit steps recorded, their time, and events that could not be kept."""
    steps, step_ms, dropped = ctypes.c_int64(), ctypes.c_double(), ctypes.c_int64()
    with _Table() as t:
        C.nnl_profile_table_totals(t.address, ctypes.byref(steps), ctypes.byref(step_ms), ctypes.byref(dropped))
    return steps.value, step_ms.value, dropped.value


def table():
    """The record as text, one line per row (as the NNL_PROFILE FILE.txt)."""
    with _Table() as t:
        return _summary(C.nnl_profile_table_format, t.address, None)


class Profiler:
    """Records what runs inside a ``with`` block; made by :func:`profile`."""

    def __init__(self, trace=None):
        self.trace = trace

    def __enter__(self):
        reset()
        start()
        return self

    def __exit__(self, *exc):
        stop()
        if self.trace is not None:
            write_trace(self.trace)
        return False

    rows = staticmethod(rows)
    totals = staticmethod(totals)
    table = staticmethod(table)
    write_trace = staticmethod(write_trace)


def profile(trace=None):
    """A context manager that profiles its block (after clearing earlier records) and, when ``trace`` is a
    path, writes the Chrome trace there at its end. Its :meth:`rows`, :meth:`table` and :meth:`totals` read
    the record."""
    return Profiler(trace)
