"""scikit-learn's side of bench/classic.c: the same data (an MNIST-style
directory, pixels scaled to [0, 1]), learner and hyperparameters.

Usage: classic.py --model linear-svm|svm|tree|forest --data DIR [--c X]
                  [--gamma X] [--trees N] [--threads N] [--seed N]
Prints key=value lines: fit_seconds, fit_cpu_seconds (every thread, from
getrusage), test_accuracy, predict_us (one image per call, mean over 200
calls), model_bytes (the fitted estimator pickled).
Needs Debian's python3-sklearn (1.2.1 here): run with /usr/bin/python3."""
import argparse
import gzip
import os
import pickle
import resource
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier


def read_idx(path):
    if not os.path.exists(path):
        path += ".gz"
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(directory, part):
    x = read_idx(os.path.join(directory, part + "-images-idx3-ubyte"))
    y = read_idx(os.path.join(directory, part + "-labels-idx1-ubyte"))
    return x.reshape(len(x), -1).astype(np.float32) / 255.0, y.astype(np.int64)


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def make(args):
    if args.model == "linear-svm":
        return LinearSVC(C=args.c, random_state=args.seed)
    if args.model == "svm":
        return SVC(C=args.c, gamma=args.gamma if args.gamma > 0 else "scale", random_state=args.seed)
    if args.model == "tree":
        return DecisionTreeClassifier(max_depth=args.max_depth or None, random_state=args.seed)
    return RandomForestClassifier(n_estimators=args.trees, max_depth=args.max_depth or None,
                                  n_jobs=args.threads, random_state=args.seed)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=["linear-svm", "svm", "tree", "forest"])
    p.add_argument("--data", required=True)
    p.add_argument("--c", type=float, default=1.0)
    p.add_argument("--gamma", type=float, default=0.0)
    p.add_argument("--trees", type=int, default=100)
    p.add_argument("--max-depth", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    model = make(args)
    start, cpu_start = time.perf_counter(), cpu_seconds()
    model.fit(x_train, y_train)
    fit_seconds, fit_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    accuracy = float((model.predict(x_test) == y_test).mean())
    calls = 200
    start = time.perf_counter()
    for i in range(calls):
        model.predict(x_test[i:i + 1])
    predict_us = (time.perf_counter() - start) / calls * 1e6
    print(f"fit_seconds={fit_seconds:.3f}")
    print(f"fit_cpu_seconds={fit_cpu:.3f}")
    print(f"test_accuracy={accuracy:.4f}")
    print(f"predict_us={predict_us:.1f}")
    print(f"model_bytes={len(pickle.dumps(model))}")


if __name__ == "__main__":
    main()
