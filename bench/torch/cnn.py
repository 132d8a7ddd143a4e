#!/usr/bin/python3
"""The article's CNN in PyTorch, the peer of bench/mnist.c.

Same network (Conv2d(1,32,3)+ReLU, MaxPool 2, Linear(5408,128)+ReLU,
Linear(128,10)), same training (5 epochs, batch 32, reshuffled each epoch,
Adam lr 1e-3 eps 1e-7 as Keras), same data (IDX files), 2 threads.
Prints key=value lines like bench/mnist.c.

Run with Debian's interpreter: /usr/bin/python3 bench/torch/cnn.py --data DIR
"""
import argparse
import gzip
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(os.path.join(directory, stem))


def load(directory, prefix):
    x = read_idx(find(directory, prefix + "-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(directory, prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def article_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10))


def keras_init(model):
    """The article's Keras initialisation, which nnlite uses: Glorot-uniform weights, zero biases."""
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)


def train(model, x, y, epochs, batch, loss_fn=None):
    """Adam (lr 1e-3, eps 1e-7) on batches of a fresh permutation each epoch; cross-entropy by default."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    return (predicted == y).float().mean().item()


def predict_latency_us(model, image, calls=2000):
    model.eval()
    times = []
    with torch.no_grad():
        for _ in range(calls):
            t0 = time.perf_counter()
            model(image)
            times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2] * 1e6


def setup():
    """--data, --epochs, --threads, --seed from the command line; sets torch's threads and seed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--init", choices=("torch", "keras"), default="torch",
                        help="PyTorch's default initialisation, or Keras' (Glorot uniform, zero biases) as nnlite")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return args


def main():
    args = setup()
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    model = article_cnn()
    if args.init == "keras":
        keras_init(model)
    t0 = time.perf_counter()
    train(model, x_train, y_train, args.epochs, 32)
    seconds = time.perf_counter() - t0
    images = len(x_train) * args.epochs
    print(f"torch={torch.__version__}\nthreads={torch.get_num_threads()}\nimages={images}")
    print(f"train_seconds={seconds:.3f}\nimages_per_s={images / seconds:.0f}")
    print(f"test_accuracy={accuracy(model, x_test, y_test):.4f}")
    print(f"predict_us={predict_latency_us(model, x_test[:1]):.1f}")


if __name__ == "__main__":
    main()
