"""Tensors: float32 arrays of up to 8 dimensions owned by the library, or wrapping Python memory."""

import ctypes

from . import _buffers, _shapes
from ._api import C
from ._handle import CObject, Handle


class Tensor(Handle):
    """A dense, row-major float32 tensor (``nnl_tensor``).

    ``Tensor(shape)`` is zero-filled; :meth:`from_data` copies data in and
    :meth:`wrap` uses a writable buffer in place. :meth:`numpy` and
    :meth:`memoryview` give views of the data without copying; a view keeps
    the tensor's memory (and whatever owns it, e.g. a model) alive.

    Thread-safety: reads from many threads at once are fine; writes need
    exclusive access.
    """

    def __init__(self, shape):
        ndim, dims = _shapes.dims(shape)
        out = ctypes.c_void_p()
        C.nnl_tensor_create(ctypes.byref(out), ndim, dims)
        super().__init__(CObject(out.value, C.nnl_tensor_free))

    @classmethod
    def _adopt(cls, address, free=None, keep=()):
        """A Tensor for an existing C tensor: freed with ``free`` (None: owned elsewhere), outliving ``keep``."""
        tensor = cls.__new__(cls)
        Handle.__init__(tensor, CObject(address, free, keep))
        return tensor

    @classmethod
    def from_data(cls, data, shape=None):
        """A new tensor holding a copy of ``data`` (numpy array, nested lists, buffer, Tensor).

        ``shape`` defaults to the data's shape; it may differ when the element
        counts agree (e.g. a flat list with ``shape=(2, 3)``).
        """
        address, data_shape, owner = _buffers.to_c(data, "f")
        ndim, dims = _shapes.dims(data_shape if shape is None else shape)
        _check_count(data_shape, dims[:ndim])
        out = ctypes.c_void_p()
        C.nnl_tensor_create_from(ctypes.byref(out), ndim, dims, address)
        return cls._adopt(out.value, C.nnl_tensor_free)

    @classmethod
    def wrap(cls, data, shape=None):
        """A tensor over ``data`` without copying: writes through either side show in both.

        ``data`` must be a writable, C-contiguous float32 buffer (a numpy
        ``float32`` array, ``array.array('f')``, ...); the tensor keeps it alive.
        """
        return _wrap(data, shape, writable=True)

    @property
    def shape(self):
        """The dimensions, as a tuple."""
        address = self._address
        out = (ctypes.c_int64 * _shapes.MAX_DIMS)()
        C.nnl_tensor_shape(address, out, _shapes.MAX_DIMS)
        return tuple(out[:C.nnl_tensor_ndim(address)])

    @property
    def ndim(self):
        """Number of dimensions (0 for a scalar)."""
        return C.nnl_tensor_ndim(self._address)

    @property
    def size(self):
        """Number of elements."""
        return C.nnl_tensor_size(self._address)

    @property
    def nbytes(self):
        """Size of the data in bytes."""
        return C.nnl_tensor_nbytes(self._address)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self):
        if self.closed:
            return "<nnlite.Tensor (closed)>"
        return "<nnlite.Tensor shape=%s>" % (self.shape,)

    def numpy(self):
        """A numpy array over the tensor's data (no copy; writes go to the tensor). Needs numpy."""
        if not _buffers.HAVE_NUMPY:
            raise ImportError("nnlite: Tensor.numpy() needs numpy; use memoryview() or tolist()")
        return self._view(use_numpy=True)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=bool(copy))

    def memoryview(self):
        """A memoryview (format ``'f'``, the tensor's shape) over the data, without copying."""
        return self._view(use_numpy=False)

    def _view(self, use_numpy):
        address = self._address
        return _buffers.view(C.nnl_tensor_data(address), self.shape, "f", self._c, use_numpy)

    def tolist(self):
        """The data as (nested) Python lists of floats."""
        return self.memoryview().tolist()

    def copy_to(self, out):
        """Copy the data into ``out``, a writable float32 buffer of exactly :attr:`size` elements."""
        address, shape, owner = _buffers.to_c(out, "f", writable=True)
        C.nnl_tensor_copy_to(self._address, address, _shapes.count(shape))
        return out

    def reshape(self, shape):
        """Give the tensor a new shape with the same number of elements (in place, no copy)."""
        ndim, dims = _shapes.dims(shape)
        C.nnl_tensor_reshape(self._address, ndim, dims)
        return self

    def fill(self, value):
        """Set every element to ``value``."""
        C.nnl_tensor_fill(self._address, value)
        return self

    def init_uniform(self, low, high, seed=0):
        """Fill with uniform numbers in [low, high) from nnlite's seeded PCG32 generator."""
        C.nnl_tensor_init_uniform(self._address, low, high, seed)
        return self

    def init_normal(self, mean=0.0, stddev=1.0, seed=0):
        """Fill with normal numbers N(mean, stddev^2)."""
        C.nnl_tensor_init_normal(self._address, mean, stddev, seed)
        return self

    def init_glorot(self, fan_in, fan_out, seed=0):
        """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
        C.nnl_tensor_init_glorot(self._address, fan_in, fan_out, seed)
        return self

    def init_he(self, fan_in, seed=0):
        """He/Kaiming normal: N(0, 2 / fan_in)."""
        C.nnl_tensor_init_he(self._address, fan_in, seed)
        return self


def _check_count(data_shape, shape):
    if _shapes.count(data_shape) != _shapes.count(shape):
        raise ValueError("nnlite: %d values cannot have shape %s" % (_shapes.count(data_shape), tuple(shape)))


def _wrap(data, shape, writable):
    address, data_shape, owner = _buffers.to_c(data, "f", writable=writable)
    ndim, dims = _shapes.dims(data_shape if shape is None else shape)
    _check_count(data_shape, dims[:ndim])
    out = ctypes.c_void_p()
    C.nnl_tensor_wrap(ctypes.byref(out), ndim, dims, address)
    return Tensor._adopt(out.value, C.nnl_tensor_free, (owner,))


def as_tensor(data, shape=None):
    """``data`` itself when it is a Tensor, else a tensor over it (over a float32 copy when needed).

    For inputs that C only reads.
    """
    return data if isinstance(data, Tensor) else _wrap(data, shape, writable=False)
