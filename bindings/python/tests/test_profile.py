"""The profiler: a profiled fit's rows (one per layer forward and backward, exact call counts), its table text,
the Chrome trace file, and misuse."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import nnlite
from nnlite import profiler
from support import blobs, small_model


class ProfileTest(unittest.TestCase):
    def setUp(self):
        self.x, self.y = blobs(96)

    def tearDown(self):
        if profiler.is_active():
            profiler.stop()
        profiler.reset()

    def test_fit_rows_table_and_trace(self):
        model = small_model()
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "fit.json")
            with nnlite.profile(trace=trace) as prof:
                self.assertTrue(profiler.is_active())
                model.fit(self.x, self.y, epochs=1, batch_size=32, verbose=0)
            self.assertFalse(profiler.is_active())
            with open(trace) as f:
                events = json.load(f)["traceEvents"]
        steps = 96 // 32
        rows = {(r.name, r.phase): r for r in prof.rows()}
        self.assertEqual(rows[("fit.step", "")].calls, steps)
        self.assertEqual(rows[("fit.step", "")].kind, "step")
        for name in ("dense[0]", "dense[1]"):
            for phase in ("forward", "backward"):
                row = rows[("%s.%s" % (name, phase), phase)]
                self.assertEqual(row.kind, "layer")
                self.assertEqual(row.calls, steps)
                self.assertGreater(row.total_ms, 0)
                self.assertLessEqual(row.self_ms, row.total_ms)
        # dense[0] forward: one (32 x 4) by (4 x 16) GEMM per step, 2mnk FLOPs each.
        self.assertEqual(rows[("dense[0].forward", "forward")].flops, 2 * 32 * 16 * 4 * steps)
        totals = prof.totals()
        self.assertEqual(totals[0], steps)
        self.assertAlmostEqual(totals[1], rows[("fit.step", "")].total_ms, places=6)
        self.assertEqual(totals[2], 0)
        ordered = [r.total_ms for r in prof.rows()]
        self.assertEqual(ordered, sorted(ordered, reverse=True))
        text = prof.table()
        self.assertIn("nnlite profile: %d steps" % steps, text)
        self.assertIn("dense[1].backward", text)
        complete = [e for e in events if e["ph"] == "X"]
        names = {e["name"] for e in complete}
        self.assertTrue({"dense[0].forward", "dense[0].backward", "dense[1].forward", "dense[1].backward",
                         "fit.step", "gemm"} <= names)
        threads = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"]
        self.assertIn("main", threads)

    def test_start_stop_reset(self):
        profiler.reset()
        self.assertEqual(profiler.rows(), [])
        profiler.start()
        with self.assertRaises(nnlite.StateError) as ctx:
            profiler.start()
        self.assertIn("already runs", str(ctx.exception))
        nnlite.sgemm([[1.0, 2.0]], [[3.0], [4.0]])
        profiler.stop()
        with self.assertRaises(nnlite.StateError):
            profiler.stop()
        (row,) = profiler.rows()
        self.assertEqual((row.name, row.kind, row.calls, row.flops), ("gemm", "kernel", 1, 2 * 1 * 1 * 2))
        profiler.reset()
        self.assertEqual(profiler.rows(), [])

    def test_unwritable_trace(self):
        with self.assertRaises(nnlite.FileError) as ctx:
            profiler.write_trace("/nonexistent-nnlite-dir/trace.json")
        self.assertIn("/nonexistent-nnlite-dir/trace.json", str(ctx.exception))


class EnvironmentTest(unittest.TestCase):
    """NNL_PROFILE=FILE.json in a child process: the library profiles from its start."""

    SCRIPT = ("import nnlite\n"
              "from nnlite import profiler\n"
              "assert profiler.is_active()\n"
              "nnlite.sgemm([[1.0, 2.0]], [[3.0], [4.0]])\n"
              "try:\n"
              "    profiler.stop()\n"
              "except nnlite.FileError as e:\n"
              "    print('FileError', e)\n"
              "nnlite.sgemm([[1.0]], [[1.0]])\n")

    def run_child(self, path):
        env = dict(os.environ, NNL_PROFILE=path,
                   PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(nnlite.__file__))))
        return subprocess.run([sys.executable, "-c", self.SCRIPT], env=env, capture_output=True, text=True,
                              timeout=120)

    def test_stop_writes_the_trace_and_the_table(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "run.json")
            child = self.run_child(path)
            self.assertEqual(child.returncode, 0, child.stderr)
            self.assertNotIn("FileError", child.stdout)
            with open(path) as f:
                names = [e["name"] for e in json.load(f)["traceEvents"] if e["ph"] == "X"]
            self.assertEqual(names, ["gemm"])  # the product made while it ran, written at stop
            with open(os.path.join(tmp, "run.txt")) as f:
                table = f.read()
            self.assertIn("nnlite profile: 0 steps", table)
            self.assertIn("\ngemm ", table)

    def test_unwritable_file_fails_stop(self):
        child = self.run_child("/nonexistent-nnlite-dir/run.json")
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertIn("FileError", child.stdout)
        self.assertIn("/nonexistent-nnlite-dir/run.json", child.stdout)


if __name__ == "__main__":
    unittest.main()
