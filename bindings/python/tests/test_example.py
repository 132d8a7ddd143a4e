"""examples/python/mnist_cnn.py runs end to end (one epoch) on data/mnist."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

from support import SOURCE_ROOT, mnist_dir

EXAMPLE = os.path.join(SOURCE_ROOT, "examples", "python", "mnist_cnn.py")


@unittest.skipIf(mnist_dir() is None, "data/mnist is absent (scripts/fetch-data makes it)")
@unittest.skipUnless(os.path.exists(EXAMPLE), "examples/python/mnist_cnn.py is not in this tree")
class MnistExampleTest(unittest.TestCase):
    def test_one_epoch(self):
        with tempfile.TemporaryDirectory() as tmp:
            grid = os.path.join(tmp, "grid.png")
            env = dict(os.environ, MPLBACKEND="Agg")  # no window when matplotlib is installed
            proc = subprocess.run([sys.executable, EXAMPLE, "--data", mnist_dir(), "--epochs", "1", "--grid", grid,
                                   "--save", os.path.join(tmp, "model.safetensors")],
                                  cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            lines = proc.stdout.splitlines()
            self.assertIn("Epoch 1/1", lines)
            self.assertIn("Total params: 693962", proc.stdout)
            last = re.fullmatch(r"test_accuracy=(0\.\d{4}) train_seconds=(\d+\.\d\d)", lines[-1])
            self.assertIsNotNone(last, lines[-1])
            self.assertGreater(float(last.group(1)), 0.9)
            with open(grid, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertTrue(os.path.getsize(os.path.join(tmp, "model.safetensors")) > 2_000_000)


if __name__ == "__main__":
    unittest.main()
