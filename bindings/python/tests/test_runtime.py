"""Library loading, ABI check, the declaration table, version, threads, SIMD level and the log callback."""

import ctypes
import ctypes.util
import os
import subprocess
import sys
import unittest

import nnlite
from nnlite import _api, _library


class LoadingTest(unittest.TestCase):
    def test_library_from_environment(self):
        explicit = os.environ.get("NNLITE_LIBRARY")
        if not explicit:
            self.skipTest("NNLITE_LIBRARY is not set")
        self.assertEqual(nnlite.library_path(), explicit)

    def test_abi_matches_meson(self):
        expected = os.environ.get("NNLITE_EXPECTED_ABI")
        if expected is None:
            self.skipTest("NNLITE_EXPECTED_ABI is not set (meson sets it)")
        self.assertEqual(nnlite.ABI_VERSION, int(expected), "bump _library.ABI_VERSION with meson's abi_version")
        self.assertEqual(nnlite.abi_version(), nnlite.ABI_VERSION)

    def test_abi_mismatch_is_a_clear_import_error(self):
        with self.assertRaises(ImportError) as ctx:
            _library.load(nnlite.library_path(), expected_abi=nnlite.ABI_VERSION + 1)
        self.assertIn("has ABI version %d" % nnlite.ABI_VERSION, str(ctx.exception))
        self.assertIn("needs ABI %d" % (nnlite.ABI_VERSION + 1), str(ctx.exception))

    def test_not_nnlite(self):
        libc = ctypes.util.find_library("c")
        with self.assertRaises(ImportError) as ctx:
            _library.load(libc)
        self.assertIn("not libnnlite", str(ctx.exception))

    def test_missing_symbols_are_named(self):
        with self.assertRaises(ImportError) as ctx:
            _api.bind(ctypes.CDLL(ctypes.util.find_library("c")))
        self.assertIn("nnl_tensor_create", str(ctx.exception))
        self.assertIn("nnl_gpt_generate", str(ctx.exception))

    def test_unloadable_path_fails_import(self):
        env = dict(os.environ, NNLITE_LIBRARY="/nonexistent/libnnlite.so.0")
        proc = subprocess.run([sys.executable, "-c", "import nnlite"], env=env, capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ImportError: nnlite: cannot load /nonexistent/libnnlite.so.0", proc.stderr)

    def test_candidates_include_the_build_tree_or_system(self):
        self.assertTrue(all(isinstance(path, str) and origin for path, origin in _library.candidates()))


class RuntimeTest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(nnlite.version(), r"^\d+\.\d+\.\d+")
        major, minor, patch = (int(p) for p in nnlite.version().split(".")[:3])
        self.assertEqual(nnlite.version_number(), major * 10000 + minor * 100 + patch)
        self.assertEqual(nnlite.__version__, nnlite.version())

    def test_simd_level(self):
        self.assertIn(nnlite.simd_level(), ("scalar", "avx2", "avx512", "neon"))

    def test_cpu_info(self):
        info = nnlite.cpu_info()
        self.assertEqual(info["simd"], nnlite.simd_level())
        self.assertIsInstance(info["model"], str)
        self.assertGreater(info["l1d_bytes"], 0)
        self.assertGreater(info["l2_bytes"], 0)
        self.assertGreaterEqual(info["l3_bytes"], 0)
        if info["simd"] == "scalar":
            self.assertEqual((info["gemm_mr"], info["gemm_kc"]), (0, 0))
        else:
            self.assertGreater(info["gemm_kc"], 0)
            self.assertEqual(info["gemm_mc"] % info["gemm_mr"], 0)
            self.assertEqual(info["gemm_nc"] % info["gemm_nr"], 0)

    def test_threads(self):
        before = nnlite.num_threads()
        self.assertGreaterEqual(before, 1)
        try:
            nnlite.set_num_threads(1)
            self.assertEqual(nnlite.num_threads(), 1)
            with self.assertRaises(nnlite.InvalidArgumentError):
                nnlite.set_num_threads(0)
        finally:
            nnlite.set_num_threads(before)

    def test_log_callback_receives_errors(self):
        messages = []
        nnlite.set_log_callback(lambda level, message: messages.append((level, message)))
        try:
            with self.assertRaises(nnlite.InvalidArgumentError):
                nnlite.Dense(0)
        finally:
            nnlite.set_log_callback(None)
        self.assertTrue(messages)
        self.assertEqual(messages[-1][0], "error")
        self.assertIn("units", messages[-1][1])
        count = len(messages)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dense(0)
        self.assertEqual(len(messages), count, "the callback was removed")


if __name__ == "__main__":
    unittest.main()
