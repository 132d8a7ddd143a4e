"""Moving arrays between Python and C: inputs as addresses, results as arrays.

With numpy installed, results are numpy arrays and numpy inputs of the
right type pass without a copy. Without it, inputs may be (nested) lists
and tuples, ``array.array`` objects or any buffer-protocol object, and
results are ``memoryview`` objects with the result's format and shape (they
index, iterate, and ``tolist()`` like a nested list).

Every function returns, beside an address, the Python object that owns the
memory: keep it referenced for as long as C uses the address.
"""

import array
import ctypes
import sys

from . import _shapes

try:
    import numpy as np
except ImportError:
    np = None

#: True when results are numpy arrays.
HAVE_NUMPY = np is not None

_NUMPY_TYPES = {"f": "float32", "i": "int32", "q": "int64", "d": "float64", "B": "uint8"}
_CTYPES = {"f": ctypes.c_float, "i": ctypes.c_int32, "q": ctypes.c_int64, "d": ctypes.c_double,
           "B": ctypes.c_uint8}
_NATIVE = "<" if sys.byteorder == "little" else ">"


def _nested_shape(data):
    """Shape of a rectangular nest of lists/tuples (checked while flattening)."""
    shape = []
    while isinstance(data, (list, tuple)):
        shape.append(len(data))
        if not data:
            break
        data = data[0]
    return tuple(shape)


def _flatten(data, shape):
    """The leaves of a nest of lists/tuples of the given shape, row-major."""
    level = [data]
    for depth, size in enumerate(shape):
        nxt = []
        for item in level:
            if not isinstance(item, (list, tuple)) or len(item) != size:
                raise ValueError("nnlite: ragged nested sequence: expected length %d at depth %d" % (size, depth))
            nxt.extend(item)
        level = nxt
    return level


def _buffer_view(data):
    """A memoryview of ``data`` when it has the buffer protocol, else None."""
    if isinstance(data, (str, bytes, bytearray)):
        return None
    try:
        return memoryview(data)
    except TypeError:
        return None


def _format_char(view):
    """The struct character of a memoryview in native byte order, or None."""
    fmt = view.format
    if len(fmt) == 2 and fmt[0] in "@=" + _NATIVE:
        fmt = fmt[1]
    return fmt if len(fmt) == 1 else None


def _address_of(view, typecode):
    """Address of a C-contiguous memoryview of ``typecode``, copying only when it is read-only."""
    carray_type = _CTYPES[typecode] * (view.nbytes // view.itemsize)
    raw = view.cast("B")
    carray = carray_type.from_buffer_copy(raw) if view.readonly else carray_type.from_buffer(raw)
    return ctypes.addressof(carray), carray


def to_c(data, typecode, writable=False):
    """``(address, shape, owner)`` of ``data`` as a C-contiguous array of ``typecode``.

    ``typecode`` is ``"f"`` (float32), ``"i"`` (int32) or ``"B"`` (uint8:
    0/1 label matrices, bools accepted). Data of another
    type or layout is converted into a copy; with ``writable`` it must be
    used in place (C writes into it), so a copy is an error.
    Integer conversion refuses values that are not whole numbers. An
    :class:`nnlite.Tensor` passes its own memory.
    """
    if callable(getattr(data, "memoryview", None)):
        data = data.memoryview()  # a Tensor
    if HAVE_NUMPY and not isinstance(data, (str, bytes)):
        original = np.asarray(data)
        if typecode in "iB" and original.dtype.kind not in "iub":
            if original.size and not np.array_equal(original, np.round(original)):
                raise ValueError("nnlite: expected whole numbers (labels or token ids), got %s" % original.dtype)
        if typecode in "iB" and original.dtype.kind in "iu" and original.size:
            low, high = int(original.min()), int(original.max())
            bound = (-2**31, 2**31) if typecode == "i" else (0, 256)
            if low < bound[0] or high >= bound[1]:
                raise OverflowError("nnlite: value %d does not fit in %s" % (high if high >= bound[1] else low,
                                                                             _NUMPY_TYPES[typecode]))
        arr = np.ascontiguousarray(original, dtype=_NUMPY_TYPES[typecode])
        if writable and (_buffer_view(data) is None or not arr.flags.writeable
                         or not np.shares_memory(arr, original)):
            raise TypeError("nnlite: expected a writable C-contiguous %s array to use in place, got %s %s"
                            % (_NUMPY_TYPES[typecode], original.dtype, "array" if original.ndim else "scalar"))
        return arr.ctypes.data, arr.shape, arr
    view = _buffer_view(data)
    if view is not None:
        fmt = _format_char(view)
        if fmt == typecode and view.c_contiguous and not (writable and view.readonly):
            address, owner = _address_of(view, typecode)
            return address, view.shape, owner
        if writable:
            raise TypeError("nnlite: expected a writable C-contiguous buffer of format %r to use in place, "
                            "got format %r" % (typecode, view.format))
        shape = view.shape
        values = view.tolist() if view.ndim else [view.tolist()]
        values = _flatten(values, shape) if view.ndim else values
    else:
        if writable:
            raise TypeError("nnlite: expected a writable buffer (numpy array, array.array) to use in place, got %s"
                            % type(data).__name__)
        if not isinstance(data, (list, tuple)) and hasattr(data, "__iter__"):
            data = list(data)  # range, generators, ...
        shape = _nested_shape(data)
        values = _flatten(data, shape) if shape else [data]
    if typecode in "iB":
        ints = [int(v) for v in values]
        if any(i != v for i, v in zip(ints, values)):
            raise ValueError("nnlite: expected whole numbers (labels or token ids)")
        values = ints
    buf = array.array(typecode, values)
    return buf.buffer_info()[0], shape, buf


def new(shape, typecode):
    """``(address, result)`` of a new zero-filled array; C writes through ``address``."""
    shape = tuple(int(d) for d in shape)
    if HAVE_NUMPY:
        arr = np.zeros(shape, dtype=_NUMPY_TYPES[typecode])
        return arr.ctypes.data, arr
    count = _shapes.count(shape)
    buf = array.array(typecode, bytes(count * array.array(typecode).itemsize))
    if count == 0:
        return buf.buffer_info()[0], memoryview(buf)  # memoryview cannot have zeros in its shape
    return buf.buffer_info()[0], memoryview(buf).cast("B").cast(typecode, shape)


def view(address, shape, typecode, owner, use_numpy=HAVE_NUMPY):
    """An array over C memory at ``address`` without copying.

    ``owner`` is attached to the array's memory so that whatever keeps the
    memory valid lives as long as the array (or any slice of it).
    """
    shape = tuple(int(d) for d in shape)
    carray = (_CTYPES[typecode] * _shapes.count(shape)).from_address(address)
    carray.nnlite_owner = owner
    if use_numpy:
        return np.frombuffer(carray, dtype=_NUMPY_TYPES[typecode]).reshape(shape)
    return memoryview(carray).cast("B").cast(typecode, shape)

