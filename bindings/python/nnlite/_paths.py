"""File names for the C API: str, bytes or os.PathLike, encoded as the file system expects."""

import os


def encode(path):
    """``path`` as bytes for a ``const char *`` parameter."""
    return os.fsencode(path)
