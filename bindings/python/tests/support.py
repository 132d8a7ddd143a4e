"""Shared helpers of the nnlite Python tests."""

import os
import tempfile
import unittest

import nnlite
from nnlite import _buffers

HAVE_NUMPY = _buffers.HAVE_NUMPY
NEEDS_NUMPY = "needs numpy"
needs_numpy = unittest.skipUnless(HAVE_NUMPY, NEEDS_NUMPY)
without_numpy = unittest.skipIf(HAVE_NUMPY, "tests the stdlib-only path (numpy absent)")

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DATA_DIR = os.environ.get("NNLITE_TEST_DATA", os.path.join(SOURCE_ROOT, "data"))
MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte"]


def mnist_dir():
    """data/mnist when its four IDX files are there (plain or .gz), else None."""
    path = os.path.join(DATA_DIR, "mnist")
    present = all(os.path.exists(os.path.join(path, f)) or os.path.exists(os.path.join(path, f + ".gz"))
                  for f in MNIST_FILES)
    return path if present else None


#: A short text of Chinese and ASCII lines for the tokenizer, the text data sets and the language models.
POEM = "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n"
CORPUS = (POEM + "hello nnlite, hello world.\n") * 40


class TextFile:
    """A temporary directory holding ``text`` as corpus.txt (``path``); ``close()`` removes it."""

    def __init__(self, text=CORPUS):
        self._dir = tempfile.TemporaryDirectory()
        self.directory = self._dir.name
        self.path = os.path.join(self.directory, "corpus.txt")
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(text)

    def close(self):
        self._dir.cleanup()


def blobs(count=200, seed=1):
    """A small separable 3-class problem: (samples as nested lists of 4 floats, labels as a list of ints)."""
    import random
    rng = random.Random(seed)
    centres = [(2, 0, 0, 1), (-2, 1, 0, 0), (0, -2, 2, 0)]
    x, y = [], []
    for i in range(count):
        label = i % 3
        x.append([c + rng.gauss(0, 0.4) for c in centres[label]])
        y.append(label)
    return x, y


def small_model(seed=0):
    """A compiled 4 -> 16 -> 3 classifier."""
    model = nnlite.Model((4,), [nnlite.Dense(16, activation="relu"), nnlite.Dense(3, activation="softmax")],
                         seed=seed)
    return model.compile(nnlite.Adam(0.01))
