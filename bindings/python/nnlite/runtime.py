"""Process-wide settings and facts of the loaded library: version, threads, SIMD, logging."""

import ctypes

from ._api import C, LIBRARY_PATH, LOG_FN, CPUInfo

_LEVELS = {0: "debug", 1: "info", 2: "warn", 3: "error"}
_log_callback = None  # the installed LOG_FN, kept alive while C may call it


def version():
    """Version string of the loaded library, e.g. ``"0.1.0"``."""
    return C.nnl_version_string().decode()


def version_number():
    """Version as one number: major * 10000 + minor * 100 + patch."""
    return C.nnl_version_number()


def abi_version():
    """ABI version of the loaded library (the soname's number)."""
    return C.nnl_abi_version()


def library_path():
    """Path (or name) of the loaded libnnlite."""
    return LIBRARY_PATH


def simd_level():
    """Instruction set the kernels use: ``"scalar"``, ``"avx2"``, ``"avx512"`` or ``"neon"``.

    Chosen once from the CPU; the environment variable ``NNL_SIMD`` lowers it
    when set before the first use.
    """
    return C.nnl_simd_name(C.nnl_simd_level()).decode()


def cpu_info():
    """What the library found out about this CPU and how it blocks the matrix product for it.

    A dict: ``model`` (the CPU's brand string, ``""`` if it gives none),
    ``simd`` (as :func:`simd_level`), ``l1d_bytes`` and ``l2_bytes`` (one
    core's caches), ``l3_bytes`` (0 when none or unknown), and the SGEMM
    micro-tile ``gemm_mr`` x ``gemm_nr`` with its cache blocks ``gemm_kc``,
    ``gemm_mc``, ``gemm_nc`` (all 0 at the scalar level, which does not block).
    """
    info = CPUInfo()
    C.nnl_cpu_info_get(ctypes.byref(info))
    result = {name: getattr(info, name) for name, _ in CPUInfo._fields_ if name not in ("struct_size", "model", "simd")}
    result["model"] = info.model.decode("utf-8", "replace")
    result["simd"] = C.nnl_simd_name(info.simd).decode()
    return result


def set_num_threads(n):
    """Use ``n`` (1..1024) compute threads. Call between computations, not during one."""
    C.nnl_set_num_threads(n)


def num_threads():
    """Number of compute threads (the number of cores unless set)."""
    return C.nnl_get_num_threads()


def set_log_callback(fn):
    """Send the library's log messages to ``fn(level, message)``, or stop with None.

    ``level`` is ``"debug"``, ``"info"``, ``"warn"`` or ``"error"``. The
    library may call ``fn`` from any thread that runs nnlite code, so it must
    be thread-safe. Exceptions raised by ``fn`` are reported by ctypes and
    otherwise ignored.
    """
    global _log_callback
    if fn is None:
        C.nnl_set_log_callback(LOG_FN(), None)  # a NULL function pointer
        _log_callback = None
        return

    def trampoline(level, message, user):
        fn(_LEVELS.get(level, str(level)), message.decode("utf-8", "replace"))

    callback = LOG_FN(trampoline)
    C.nnl_set_log_callback(callback, None)
    _log_callback = callback
