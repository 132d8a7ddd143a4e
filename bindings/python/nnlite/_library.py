"""Finding libnnlite and checking that its ABI is the one this package speaks.

The library is looked for, in order:

1. the file named by the ``NNLITE_LIBRARY`` environment variable (and only
   that file when the variable is set);
2. a copy inside this package's directory;
3. where ``meson install`` put the library beside this package (the
   generated ``_installed`` module records it);
4. a meson build tree of the source checkout this package lives in
   (``build*/lib/`` or ``build/*/lib/``, the most recently built first);
5. the system's search path, through :func:`ctypes.util.find_library`.
"""

import ctypes
import ctypes.util
import glob
import os
import sys

#: The ABI version this package was written for; equals the soname's number.
ABI_VERSION = 0

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(_PACKAGE_DIR)))


def _file_names():
    """The library's file names on this platform, most specific first."""
    if sys.platform == "darwin":
        return ["libnnlite.%d.dylib" % ABI_VERSION, "libnnlite.dylib"]
    if sys.platform == "win32":
        return ["nnlite-%d.dll" % ABI_VERSION, "libnnlite-%d.dll" % ABI_VERSION, "nnlite.dll"]
    return ["libnnlite.so.%d" % ABI_VERSION]


def _installed_dirs():
    """Library directories recorded by ``meson install``, relocated with the package."""
    try:
        from . import _installed
    except ImportError:
        return []
    relative = os.path.relpath(_installed.LIBDIR, _installed.PACKAGE_DIR)
    return [os.path.normpath(os.path.join(_PACKAGE_DIR, relative)), _installed.LIBDIR]


def _needs_preloaded_sanitizer(path):
    """True for a library built with AddressSanitizer or ThreadSanitizer.

    Loading one into an uninstrumented Python aborts the process at once, so
    the build-tree search skips them (NNLITE_LIBRARY can still name one, with
    the sanitizer runtime in LD_PRELOAD).
    """
    with open(path, "rb") as f:
        data = f.read()
    return b"libasan.so" in data or b"libtsan.so" in data


def _build_tree_files():
    """Libraries built in the source checkout (sanitizer builds excepted), the most recently built first."""
    found = []
    for name in _file_names():
        for pattern in ("build*", os.path.join("build", "*")):
            found += glob.glob(os.path.join(_SOURCE_ROOT, pattern, "lib", name))
    found = [path for path in set(found) if os.path.exists(path) and not _needs_preloaded_sanitizer(path)]
    return sorted(found, key=os.path.getmtime, reverse=True)


def candidates():
    """Every path (or name for the system's loader) to try, in order, with its origin."""
    result = []
    for directory, origin in [(_PACKAGE_DIR, "package")] + [(d, "installed") for d in _installed_dirs()]:
        result += [(os.path.join(directory, name), origin) for name in _file_names()]
    result = [(path, origin) for path, origin in result if os.path.exists(path)]
    result += [(path, "build tree") for path in _build_tree_files()]
    system = ctypes.util.find_library("nnlite")
    if system:
        result.append((system, "system"))
    return result


def load(path, expected_abi=ABI_VERSION):
    """Open one library file and check its ABI version.

    Raises ImportError naming the file when it cannot be opened, lacks
    ``nnl_abi_version`` or reports another ABI than ``expected_abi``.
    """
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise ImportError("nnlite: cannot load %s: %s" % (path, exc)) from None
    try:
        abi_fn = lib.nnl_abi_version
    except AttributeError:
        raise ImportError("nnlite: %s is not libnnlite (it has no nnl_abi_version)" % path) from None
    abi_fn.argtypes = []
    abi_fn.restype = ctypes.c_int
    abi = abi_fn()
    if abi != expected_abi:
        raise ImportError("nnlite: %s has ABI version %d, but this nnlite Python package needs ABI %d; "
                          "install matching versions or point NNLITE_LIBRARY at a matching library"
                          % (path, abi, expected_abi))
    return lib


def find():
    """Load the first suitable library; returns ``(ctypes.CDLL, path)``.

    Raises ImportError listing every place tried and why it was refused.
    """
    explicit = os.environ.get("NNLITE_LIBRARY")
    if explicit:
        return load(explicit), explicit
    refused = []
    for path, origin in candidates():
        try:
            return load(path), path
        except ImportError as exc:
            refused.append("  %s (%s): %s" % (path, origin, exc))
    raise ImportError(
        "nnlite: libnnlite was not found. Build it with meson (it is then found in the source tree's "
        "build directory), install it with 'meson install', or set NNLITE_LIBRARY to the path of "
        "libnnlite.so.%d.%s" % (ABI_VERSION, ("\nRefused:\n" + "\n".join(refused)) if refused else ""))
