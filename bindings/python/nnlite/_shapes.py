"""Shapes across the C boundary: int64 dimension arrays in, tuples out."""

import ctypes

#: NNL_MAX_DIMS of nnlite/tensor.h.
MAX_DIMS = 8


def dims(shape):
    """``(ndim, int64 array)`` for a shape given as an int or a sequence of ints."""
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(d) for d in shape)
    return len(shape), (ctypes.c_int64 * max(len(shape), 1))(*shape)


def count(shape):
    """Number of elements of a shape (1 for ``()``)."""
    n = 1
    for d in shape:
        n *= d
    return n


def read(getter, address):
    """Call a C shape getter ``getter(address, dims, capacity, &ndim)`` and return the shape as a tuple."""
    out = (ctypes.c_int64 * MAX_DIMS)()
    ndim = ctypes.c_int()
    getter(address, out, MAX_DIMS, ctypes.byref(ndim))
    return tuple(out[:ndim.value])
