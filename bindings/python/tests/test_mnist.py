"""Short real training on data/mnist (skipped when scripts/fetch-data has not made it)."""

import os
import tempfile
import time
import unittest

import nnlite
from support import mnist_dir


@unittest.skipIf(mnist_dir() is None, "data/mnist is absent (scripts/fetch-data makes it)")
class MnistTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.train, cls.test = nnlite.Dataset.load_idx_dir(mnist_dir())
        cls.train.shuffle(1)

    def test_dense_network_learns_digits(self):
        model = nnlite.Model((28, 28, 1), [nnlite.Flatten(), nnlite.Dense(64, activation="relu"),
                                           nnlite.Dense(10, activation="softmax")], seed=1)
        model.compile(nnlite.Adam(1e-3))
        history = model.fit(self.train, epochs=2, batch_size=32, validation_data=self.test, verbose=0)
        self.assertGreater(history.history["val_accuracy"][-1], 0.9)
        _, classes = model.predict_dataset(self.test)
        report = nnlite.classification_report(self.test.labels(), classes)
        self.assertAlmostEqual(report.accuracy, history.history["val_accuracy"][-1], places=6)
        self.assertGreater(min(report.recall), 0.7)

    def test_article_cnn_on_a_subset_and_reload(self):
        subset, _ = self.train.split(1500)
        model = nnlite.Model((28, 28, 1), [
            nnlite.Conv2D(32, 3, activation="relu"), nnlite.MaxPool2D(2), nnlite.Flatten(),
            nnlite.Dense(128, activation="relu"), nnlite.Dense(10, activation="softmax")], seed=2)
        model.compile(nnlite.Adam(1e-3))
        start = time.monotonic()
        model.fit(subset, epochs=1, batch_size=32, seed=2, verbose=0)
        print("\n  CNN, 1500 images, 1 epoch: %.2f s" % (time.monotonic() - start), end=" ")
        loss, accuracy = model.evaluate(self.test)
        self.assertGreater(accuracy, 0.8)
        x, _ = self.test.get_batch(0, 64)
        expected = model.predict(x).tolist()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "cnn.safetensors")
            model.save(path)
            loaded = nnlite.Model.load(path)
        self.assertEqual(loaded.predict(x).tolist(), expected)
        self.assertEqual(len(loaded), 5)


if __name__ == "__main__":
    unittest.main()
