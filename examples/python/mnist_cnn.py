#!/usr/bin/env python3
"""The article's MNIST program (section 5.2) in Python with nnlite.

    Conv2D(32, 3x3, relu) -> MaxPool(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax)

trained with Adam (learning rate 1e-3), batch 32, 5 epochs with a Keras-like
progress bar; then the test accuracy, a confusion matrix with per-class
precision/recall/F1, a saved model file, and 25 test images with their
predicted labels (matplotlib when installed, else a PNG).

    python3 examples/python/mnist_cnn.py [--data DIR] [--epochs N] [--batch N] [--threads N]
                                         [--seed N] [--save FILE] [--grid FILE.png]

The model and the picture go to out/ unless --save/--grid say otherwise.
The last line is machine-readable: test_accuracy=0.xxxx train_seconds=x.xx
It needs only the standard library; numpy is used when installed.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_PACKAGE = os.path.join(HERE, os.pardir, os.pardir, "bindings", "python")
if os.path.isdir(os.path.join(SOURCE_PACKAGE, "nnlite")):
    sys.path.insert(0, os.path.normpath(SOURCE_PACKAGE))  # run from a checkout: use its package

import nnlite  # noqa: E402
import prediction_grid  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description="The article's MNIST CNN with nnlite.")
    parser.add_argument("--data", default="data/mnist", help="directory with the four MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="compute threads (default: all cores)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--save", default="out/mnist_cnn.safetensors", help="where to save the trained model")
    parser.add_argument("--grid", default="out/mnist_predictions.png", help="picture of 25 predictions")
    args = parser.parse_args()
    for path in (args.save, args.grid):  # outputs go to out/ by default: make the folder
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    return args


def build_model(seed):
    """The article's network, compiled with Adam and sparse categorical cross-entropy."""
    model = nnlite.Sequential((28, 28, 1), [
        nnlite.Conv2D(32, (3, 3), activation="relu"),
        nnlite.MaxPool2D((2, 2)),
        nnlite.Flatten(),
        nnlite.Dense(128, activation="relu"),
        nnlite.Dense(10, activation="softmax"),
    ], seed=seed)
    return model.compile(optimizer=nnlite.Adam(1e-3), loss="sparse_categorical_crossentropy")


def print_report(truth, predicted):
    matrix = nnlite.confusion_matrix(truth, predicted, num_classes=10).tolist()
    print("\nConfusion matrix (rows: true digit, columns: predicted)")
    print("      " + "".join("%6d" % c for c in range(10)))
    for r, row in enumerate(matrix):
        print("%6d" % r + "".join("%6d" % v for v in row))
    print()
    print(nnlite.classification_report(truth, predicted, num_classes=10))


def main():
    args = parse_args()
    if args.threads > 0:
        nnlite.set_num_threads(args.threads)
    try:
        # The loader already scales pixels to [0, 1] (the article's x / 255.0).
        train, test = nnlite.Dataset.load_idx_dir(args.data)
    except nnlite.Error as exc:
        sys.exit("mnist_cnn: cannot load %s: %s\n(run scripts/fetch-data first, or pass --data DIR with the "
                 "four MNIST IDX files)" % (args.data, exc.message))
    print("nnlite %s, %s kernels, %d threads; %d training and %d test images from %s"
          % (nnlite.version(), nnlite.simd_level(), nnlite.num_threads(), len(train), len(test), args.data))

    model = build_model(args.seed)
    model.summary()

    start = time.monotonic()
    model.fit(train, epochs=args.epochs, batch_size=args.batch, seed=args.seed)
    train_seconds = time.monotonic() - start

    test_loss, test_accuracy = model.evaluate(test)
    print("\nTest loss: %.4f  Test accuracy: %.4f  (%d images)" % (test_loss, test_accuracy, len(test)))

    x_test, _ = test.get_batch(0, len(test))
    predictions = model.predict(x_test)
    predicted_labels = [row.index(max(row)) for row in predictions.tolist()]
    truth = test.labels().tolist()
    print_report(truth, predicted_labels)

    model.save(args.save)
    print("saved the model to %s" % args.save)

    # 25 test images spread over the test set (the project's test split is sorted by digit).
    picked = [i * len(test) // 25 for i in range(min(25, len(test)))]
    images = [[[pixel[0] for pixel in row] for row in test.get_batch(i, 1)[0].tolist()[0]] for i in picked]
    print(prediction_grid.show(args.grid, images, [predicted_labels[i] for i in picked], [truth[i] for i in picked]))
    print("test_accuracy=%.4f train_seconds=%.2f" % (test_accuracy, train_seconds))


if __name__ == "__main__":
    main()
