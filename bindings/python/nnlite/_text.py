"""Text that a C function writes into a caller's buffer (the summaries)."""

import ctypes


def summary(c_summary, address, print_fn):
    """The text ``c_summary(address, buf, capacity, length)`` writes; printed with ``print_fn`` too.

    ``print_fn=None`` only returns it. The C function is called twice: for the length, then the text.
    """
    length = ctypes.c_size_t()
    c_summary(address, None, 0, ctypes.byref(length))
    buf = ctypes.create_string_buffer(length.value + 1)
    c_summary(address, buf, len(buf), None)
    text = buf.value.decode("utf-8", "replace")
    if print_fn is not None:
        print_fn(text.rstrip("\n"))
    return text
