"""nnlite's status codes and the exceptions they become.

Every failing C call raises a subclass of :class:`Error` that carries the
status and the message of ``nnl_last_error()``, read on the same thread right
after the call. Each subclass also derives from the closest built-in
exception, so ``except ValueError`` or ``except OSError`` work as expected.
"""

import enum


class Status(enum.IntEnum):
    """``nnl_status`` values; fixed forever by the C ABI."""

    OK = 0
    INVALID_ARG = -1
    NOMEM = -2
    IO = -3
    FORMAT = -4
    SHAPE = -5
    STATE = -6
    NUMERIC = -7
    UNSUPPORTED = -8
    CANCELLED = -9
    INTERNAL = -10


class Error(Exception):
    """A failing nnlite call.

    Attributes:
        status: the :class:`Status` (a plain int for a status this package does not know).
        status_name: the library's short name of the status, e.g. ``"shape mismatch"``.
        message: the library's message naming the function and the values involved.
    """

    def __init__(self, status, status_name, message):
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.status_name = status_name
        self.message = message
        super().__init__("%s (%s)" % (message, status_name) if message else status_name)


class InvalidArgumentError(Error, ValueError):
    """NNL_E_INVALID_ARG: a NULL pointer, out-of-range value or bad option."""


class OutOfMemoryError(Error, MemoryError):
    """NNL_E_NOMEM: an allocation failed or a size would overflow."""


class FileError(Error, OSError):
    """NNL_E_IO: a file could not be opened, read, written or renamed."""


class FormatError(Error, ValueError):
    """NNL_E_FORMAT: a file or buffer is malformed, truncated or hostile."""


class ShapeError(Error, ValueError):
    """NNL_E_SHAPE: tensor shapes do not agree."""


class StateError(Error, RuntimeError):
    """NNL_E_STATE: the call is not valid in the object's current state (also: use after close())."""


class NumericError(Error, ArithmeticError):
    """NNL_E_NUMERIC: a NaN or infinity appeared."""


class UnsupportedError(Error, NotImplementedError):
    """NNL_E_UNSUPPORTED: the operation is not supported for this object."""


class CancelledError(Error):
    """NNL_E_CANCELLED: a callback asked to stop."""


class InternalError(Error, RuntimeError):
    """NNL_E_INTERNAL: a bug in nnlite."""


_CLASSES = {
    Status.INVALID_ARG: InvalidArgumentError,
    Status.NOMEM: OutOfMemoryError,
    Status.IO: FileError,
    Status.FORMAT: FormatError,
    Status.SHAPE: ShapeError,
    Status.STATE: StateError,
    Status.NUMERIC: NumericError,
    Status.UNSUPPORTED: UnsupportedError,
    Status.CANCELLED: CancelledError,
    Status.INTERNAL: InternalError,
}


def error_class(status):
    """The exception class for a status (:class:`Error` for unknown ones)."""
    return _CLASSES.get(status, Error)
