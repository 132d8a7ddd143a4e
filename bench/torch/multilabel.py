#!/usr/bin/python3
"""The multi-label digits model in PyTorch, the peer of bench/multilabel.c.

Same network (Conv2d(1,32,3)+ReLU, MaxPool 2, Conv2d(32,64,3)+ReLU, MaxPool 2,
Linear(3840,128)+ReLU, Linear(128,10)) with BCEWithLogitsLoss, same training
(5 epochs, batch 32, reshuffled each epoch, Adam lr 1e-3 eps 1e-7 as Keras),
same data (the IDX files of scripts/make-multilabel), 2 threads; test label
sets at probability 0.5. Prints key=value lines like bench/multilabel.c.

Run with Debian's interpreter: /usr/bin/python3 bench/torch/multilabel.py --data DIR
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnn import find, read_idx, setup, train  # noqa: E402  (the MNIST peer's IDX reader, options, training loop)


def load(directory, prefix):
    x = read_idx(find(directory, prefix + "-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(directory, prefix + "-labels-idx2-ubyte")).astype(np.float32)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def multilabel_cnn(rows, cols, classes):
    flat = 64 * ((((rows - 2) // 2) - 2) // 2) * ((((cols - 2) // 2) - 2) // 2)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(flat, 128), nn.ReLU(), nn.Linear(128, classes))


def metrics(model, x, y):
    """Subset accuracy, micro-F1, macro-F1 (0 for a class without tp, fp, fn) and Hamming loss at 0.5."""
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 500]) >= 0 for i in range(0, len(x), 500)]).numpy()
    truth = y.numpy() >= 0.5
    tp = (predicted & truth).sum(0)
    fp = (predicted & ~truth).sum(0)
    fn = (~predicted & truth).sum(0)
    per_class = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return {"subset_accuracy": (predicted == truth).all(1).mean(),
            "micro_f1": 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1),
            "macro_f1": per_class.mean(),
            "hamming_loss": (predicted != truth).mean()}


def main():
    args = setup()
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    model = multilabel_cnn(x_train.shape[2], x_train.shape[3], y_train.shape[1])
    t0 = time.perf_counter()
    train(model, x_train, y_train, args.epochs, 32, nn.BCEWithLogitsLoss())
    seconds = time.perf_counter() - t0
    images = len(x_train) * args.epochs
    print(f"torch={torch.__version__}\nthreads={torch.get_num_threads()}\nimages={images}")
    print(f"train_seconds={seconds:.3f}\nimages_per_s={images / seconds:.0f}")
    for key, value in metrics(model, x_test, y_test).items():
        print(f"{key}={value:.4f}")


if __name__ == "__main__":
    main()
