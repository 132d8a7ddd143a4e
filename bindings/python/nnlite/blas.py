"""Single-precision matrix multiply (the library's SGEMM) on 2-D arrays."""

from . import _buffers
from ._api import C


def _matrix(data, name, writable=False):
    address, shape, owner = _buffers.to_c(data, "f", writable=writable)
    if len(shape) != 2:
        raise ValueError("nnlite: sgemm: %s must be 2-D, got shape %s" % (name, tuple(shape)))
    return address, tuple(shape), owner


def sgemm(a, b, c=None, *, alpha=1.0, beta=0.0, trans_a=False, trans_b=False):
    """``c = alpha * op(a) @ op(b) + beta * c``, where op transposes when asked.

    ``a``, ``b`` are 2-D float32 data (converted when needed). ``c``, when
    given, must be a writable C-contiguous float32 (M, N) array and is
    updated in place; otherwise a new one is returned (``beta`` is then
    irrelevant). Uses the library's SIMD kernels and threads.
    """
    a_address, a_shape, a_owner = _matrix(a, "a")
    b_address, b_shape, b_owner = _matrix(b, "b")
    m, k = a_shape[::-1] if trans_a else a_shape
    k_b, n = b_shape[::-1] if trans_b else b_shape
    if k != k_b:
        raise ValueError("nnlite: sgemm: op(a) is %dx%d but op(b) is %dx%d" % (m, k, k_b, n))
    if c is None:
        c_address, c = _buffers.new((m, n), "f")
    else:
        c_address, c_shape, c_owner = _matrix(c, "c", writable=True)
        if c_shape != (m, n):
            raise ValueError("nnlite: sgemm: c has shape %s, expected %s" % (c_shape, (m, n)))
    C.nnl_sgemm(1 if trans_a else 0, 1 if trans_b else 0, m, n, k, alpha, a_address, a_shape[1], b_address,
                b_shape[1], beta, c_address, n)
    return c
