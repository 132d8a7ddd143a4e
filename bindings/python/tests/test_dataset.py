"""Datasets: from arrays (labels or float targets), IDX files, batches, labels, shuffle, split, normalisation."""

import array
import gzip
import os
import struct
import tempfile
import unittest

import nnlite
from support import needs_numpy, mnist_dir


def write_idx(directory, images, labels, prefix="train"):
    """Write an IDX image/label pair (gzip) from lists of 2x3 byte images; returns the two paths."""
    images_path = os.path.join(directory, "%s-images-idx3-ubyte.gz" % prefix)
    labels_path = os.path.join(directory, "%s-labels-idx1-ubyte.gz" % prefix)
    with gzip.open(images_path, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, len(images), 2, 3) + bytes(b for image in images for b in image))
    with gzip.open(labels_path, "wb") as f:
        f.write(struct.pack(">II", 0x801, len(labels)) + bytes(labels))
    return images_path, labels_path


class DatasetTest(unittest.TestCase):
    def test_labelled_from_lists(self):
        ds = nnlite.Dataset([[1, 2], [3, 4], [5, 6]], [0, 2, 1])
        self.assertEqual((len(ds), ds.sample_shape, ds.target_shape, ds.num_classes), (3, (2,), (), 3))
        self.assertEqual(ds.labels().tolist(), [0, 2, 1])
        self.assertEqual(ds.labels(1, 2).tolist(), [2, 1])
        x, y = ds.get_batch(1, 2)
        self.assertEqual((x.tolist(), y.tolist()), ([[3, 4], [5, 6]], [2.0, 1.0]))
        self.assertIn("3 samples", repr(ds))

    def test_float_targets(self):
        ds = nnlite.Dataset([[1.0], [2.0]], [[0.5, 1.5], [2.5, 3.5]])
        self.assertEqual((ds.target_shape, ds.num_classes), ((2,), 0))
        self.assertEqual(ds.get_batch(0, 2)[1].tolist(), [[0.5, 1.5], [2.5, 3.5]])
        with self.assertRaises(nnlite.StateError):
            ds.labels()

    def test_from_buffers(self):
        x = array.array("f", range(12))
        ds = nnlite.Dataset(memoryview(x).cast("B").cast("f", (3, 2, 2)), array.array("i", [1, 0, 1]))
        self.assertEqual((ds.sample_shape, ds.num_classes), ((2, 2), 2))
        self.assertEqual(ds.get_batch(2, 1)[0].tolist(), [[[8, 9], [10, 11]]])

    def test_from_tensors(self):
        ds = nnlite.Dataset(nnlite.Tensor.from_data([[1, 2], [3, 4]]), [1, 0])
        self.assertEqual(ds.get_batch(0, 2)[0].tolist(), [[1, 2], [3, 4]])

    def test_bad_inputs(self):
        with self.assertRaises(ValueError):
            nnlite.Dataset([[1, 2], [3, 4]], [0])
        with self.assertRaises(nnlite.InvalidArgumentError) as ctx:
            nnlite.Dataset([[1], [2]], [0, -3])
        self.assertIn("-3", ctx.exception.message)
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dataset([[1]], [0]).get_batch(0, 2)

    def test_shuffle_is_seeded_and_keeps_pairs(self):
        def order(seed):
            ds = nnlite.Dataset([[float(i)] for i in range(50)], list(range(50)))
            ds.shuffle(seed)
            x, y = ds.get_batch(0, 50)
            self.assertEqual([row[0] for row in x.tolist()], y.tolist())
            return y.tolist()

        self.assertEqual(order(7), order(7))
        self.assertNotEqual(order(7), order(8))
        self.assertEqual(sorted(order(7)), list(range(50)))

    def test_split(self):
        ds = nnlite.Dataset([[float(i)] for i in range(10)], [i % 3 for i in range(10)])
        first, second = ds.split(7)
        self.assertEqual((len(first), len(second), second.num_classes), (7, 3, 3))
        self.assertEqual(second.labels().tolist(), [1, 2, 0])
        with self.assertRaises(nnlite.InvalidArgumentError):
            ds.split(10)

    def test_normalize_scale_mean_std(self):
        ds = nnlite.Dataset([[0.0, 2.0], [4.0, 6.0]], [0, 1])
        mean, std = ds.mean_std()
        self.assertAlmostEqual(mean, 3.0, places=5)
        self.assertAlmostEqual(std, 5 ** 0.5, places=5)
        ds.normalize(mean, std)
        self.assertAlmostEqual(ds.mean_std()[0], 0.0, places=5)
        ds.scale(2.0)
        self.assertAlmostEqual(ds.mean_std()[1], 2.0, places=5)
        with self.assertRaises(nnlite.InvalidArgumentError):
            ds.normalize(0.0, 0.0)

    def test_augmentation_needs_images(self):
        images = nnlite.Dataset([[[[0.0]] * 4] * 4] * 2, [0, 1])
        images.set_augmentation(rotation=10, scale=0.1, shift=1, seed=3)
        images.set_augmentation()
        with self.assertRaises(nnlite.ShapeError):
            nnlite.Dataset([[1.0, 2.0]], [0]).set_augmentation(rotation=10)

    def test_idx_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            images, labels = write_idx(tmp, [bytes([0, 51, 102, 153, 204, 255])] * 4, [3, 1, 4, 1])
            ds = nnlite.Dataset.load_idx(images, labels)
            self.assertEqual((len(ds), ds.sample_shape, ds.num_classes), (4, (2, 3, 1), 5))
            pixels = [v[0] for row in ds.get_batch(0, 1)[0].tolist()[0] for v in row]
            self.assertEqual([round(p * 255) for p in pixels], [0, 51, 102, 153, 204, 255])
            write_idx(tmp, [bytes(6)] * 2, [0, 1], prefix="t10k")
            train, test = nnlite.Dataset.load_idx_dir(tmp)
            self.assertEqual((len(train), len(test), test.num_classes), (4, 2, 5))
            with open(labels, "r+b") as f:
                f.write(b"\x00\x00")  # corrupt the gzip stream's magic
            with self.assertRaises(nnlite.FormatError) as ctx:
                nnlite.Dataset.load_idx(images, labels)
            self.assertIn(labels, ctx.exception.message)

    def test_real_mnist(self):
        path = mnist_dir()
        if path is None:
            self.skipTest("data/mnist is absent (scripts/fetch-data makes it)")
        train, test = nnlite.Dataset.load_idx_dir(path)
        self.assertEqual((train.sample_shape, train.num_classes, test.num_classes), ((28, 28, 1), 10, 10))
        self.assertGreater(len(train), len(test))


class TsvTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.tok = nnlite.Tokenizer("学而道可\n", special_tokens=True)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_samples_and_class_names(self):
        train = nnlite.Dataset.load_tsv(self.write("train.tsv", "论语\t学而\\n\n道德经\t道可道\n"), self.tok, 6)
        self.assertEqual((len(train), train.sample_shape, train.num_classes), (2, (6,), 2))
        self.assertEqual(train.class_names, ["论语", "道德经"])
        x, y = train.get_batch(0, 2)
        ids = [self.tok.encode(c).tolist()[0] for c in "学而\n道可"]
        cls, sep, pad = nnlite.text.CLS, nnlite.text.SEP, nnlite.text.PAD
        self.assertEqual(x.tolist(), [[cls, ids[0], ids[1], ids[2], sep, pad],
                                      [cls, ids[3], ids[4], ids[3], sep, pad]])
        self.assertEqual(y.tolist(), [0.0, 1.0])
        test = nnlite.Dataset.load_tsv(self.write("test.tsv", "道德经\t可\n"), self.tok, 4, labels_from=train)
        self.assertEqual((test.class_names, test.labels().tolist()), (["论语", "道德经"], [1]))
        self.assertIsNone(nnlite.Dataset([[1.0]], [0]).class_names)

    def test_bad_line_names_its_number(self):
        with self.assertRaises(nnlite.FormatError) as ctx:
            nnlite.Dataset.load_tsv(self.write("bad.tsv", "论语\t学\nno tab\n"), self.tok, 8)
        self.assertIn("line 2", str(ctx.exception))
        with self.assertRaises(nnlite.InvalidArgumentError):
            nnlite.Dataset.load_tsv(self.write("ok.tsv", "a\tb\n"), nnlite.Tokenizer("ab"), 8)
        with self.assertRaises(TypeError):
            nnlite.Dataset.load_tsv(self.write("ok.tsv", "a\tb\n"), "not a tokenizer", 8)


@needs_numpy
class DatasetNumpyTest(unittest.TestCase):
    def test_numpy_arrays(self):
        import numpy as np
        x = np.random.default_rng(0).random((20, 3, 3, 1), dtype=np.float32)
        y = np.arange(20) % 4
        ds = nnlite.Dataset(x, y)
        self.assertEqual((ds.sample_shape, ds.num_classes), ((3, 3, 1), 4))
        labels = ds.labels()
        self.assertEqual((labels.dtype, labels.tolist()), (np.int32, y.tolist()))
        self.assertTrue(np.array_equal(ds.get_batch(0, 20)[0].numpy(), x))
        floats = nnlite.Dataset(x, np.ones((20, 2)))
        self.assertEqual(floats.target_shape, (2,))
        with self.assertRaises(OverflowError):
            nnlite.Dataset(x, np.full(20, 2**40))
        with self.assertRaises(nnlite.StateError):
            nnlite.Dataset(x, np.full(20, 0.5)).labels()  # float targets, not class labels


if __name__ == "__main__":
    unittest.main()
