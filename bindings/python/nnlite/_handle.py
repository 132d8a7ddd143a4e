"""Lifetimes of C objects seen from Python.

Each C object has one :class:`CObject`: its address, the function that frees
it (None when something else owns it) and the objects that must outlive it.
Python's reference counting does the rest: a ``CObject`` frees its C object
when the last reference to it goes, and a child (a tensor view of a layer's
weights, a layer inside a model, a numpy array over a tensor's data) holds a
reference to its parent's ``CObject``, so a parent is never freed under a
child. Nothing is freed twice, because after a transfer of ownership
(:meth:`CObject.transfer`) only the new owner frees.

:class:`Handle` is the base of every public class that wraps a C object.
"""

from ._api import make_error
from .errors import Status


class CObject:
    """One C object: address, destructor, and what must outlive it."""

    __slots__ = ("address", "_free", "_keep", "_gone_reason")

    def __init__(self, address, free=None, keep=()):
        self.address = address
        self._free = free
        self._keep = tuple(keep)
        self._gone_reason = None

    def transfer(self, owner):
        """The C object now belongs to ``owner`` (a CObject): stop freeing it and keep the owner alive."""
        self._free = None
        self._keep = (owner,)

    def forget(self, reason):
        """The C object was freed by its owner; any further use raises StateError with ``reason``."""
        self.address = None
        self._free = None
        self._keep = ()
        self._gone_reason = reason

    def __del__(self):
        if self._free is not None and self.address is not None:
            self._free(self.address)


class Handle:
    """Base of the classes that wrap a C object.

    ``close()`` drops this object's hold on the C object, which is freed at
    once unless something made from it still needs it (then it is freed when
    the last of those goes). ``close()`` may be called any number of times;
    using the object afterwards raises :class:`nnlite.StateError`. Handles are
    context managers (``with``), and are also released when garbage collected.
    """

    def __init__(self, cobject):
        self._c = cobject

    @property
    def _address(self):
        """The C address; raises StateError when closed or freed by an owner."""
        c = self._c
        if c is None:
            raise make_error(Status.STATE, "%s: used after close()" % type(self).__name__)
        if c.address is None:
            raise make_error(Status.STATE, "%s: %s" % (type(self).__name__, c._gone_reason))
        return c.address

    @property
    def closed(self):
        """True after close() (or when the owner freed the C object)."""
        return self._c is None or self._c.address is None

    def close(self):
        """Release the C object (see the class description). Idempotent."""
        self._c = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
