"""examples/python/sequence_classifier.py runs end to end, on its built-in task and on a label<TAB>text file."""

import os
import random
import re
import subprocess
import sys
import tempfile
import unittest

from support import SOURCE_ROOT

EXAMPLE = os.path.join(SOURCE_ROOT, "examples", "python", "sequence_classifier.py")


@unittest.skipUnless(os.path.exists(EXAMPLE), "examples/python/sequence_classifier.py is not in this tree")
class SequenceClassifierExampleTest(unittest.TestCase):
    def run_example(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run([sys.executable, EXAMPLE] + list(args), cwd=tmp, capture_output=True, text=True,
                                  timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        last = re.fullmatch(r"test_accuracy=(\d\.\d{4})", lines[-1])
        self.assertIsNotNone(last, lines[-1])
        return lines, float(last.group(1))

    def test_builtin_task(self):
        lines, accuracy = self.run_example("--epochs", "6")
        self.assertIn("300 lines from the built-in task (English / Chinese / digits): 240 training, 60 test",
                      lines[0])
        self.assertEqual(len([line for line in lines if re.match(r"epoch \d+/6  loss=", line)]), 6)
        self.assertIn("lstm_1 (lstm)                (None, 64)", "\n".join(lines))
        self.assertGreaterEqual(accuracy, 0.9)

    def test_data_file_with_padding_and_truncation(self):
        rng = random.Random(3)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "lines.tsv")
            with open(path, "w", encoding="utf-8") as f:
                for _ in range(300):  # the label is whether 'q' comes before 'z'; lines longer than maxlen too
                    chars = [rng.choice("abcdefghijklmnoprstuvwxy") for _ in range(rng.randint(4, 40))]
                    i, j = rng.sample(range(min(len(chars), 24)), 2)
                    chars[i], chars[j] = "q", "z"
                    f.write("%s\t%s\n\n" % ("q_first" if i < j else "z_first", "".join(chars)))
            model = os.path.join(tmp, "model.safetensors")
            lines, accuracy = self.run_example("--data", path, "--epochs", "12", "--hidden", "32", "--maxlen",
                                               "24", "--save", model)
            self.assertTrue(os.path.getsize(model) > 0)
        self.assertIn("300 lines from %s: 240 training, 60 test; labels q_first, z_first" % path, lines[0])
        self.assertGreaterEqual(accuracy, 0.9)

    def test_a_line_without_a_tab_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.tsv")
            with open(path, "w", encoding="utf-8") as f:
                f.write("a\tone\nno tab here\n")
            proc = subprocess.run([sys.executable, EXAMPLE, "--data", path], capture_output=True, text=True,
                                  timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("bad.tsv:2: expected label<TAB>text", proc.stderr)


if __name__ == "__main__":
    unittest.main()
