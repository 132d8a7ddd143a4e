#!/usr/bin/env python3
"""Check an MNIST-style IDX directory: headers, exact sizes, images per class.

Usage: check-idx.py DIR TRAIN_COUNTS TEST_COUNTS
  TRAIN_COUNTS, TEST_COUNTS: comma-separated images per class, e.g. 801,902,...

Reads train-/t10k-{images-idx3,labels-idx1}-ubyte.gz from DIR; exits
nonzero with the reason when anything differs. Stdlib only.
"""
import gzip
import os
import struct
import sys


def fail(message):
    sys.exit("check-idx: error: " + message)


def read_idx(path, magic, ndim):
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        fail(f"{path}: {e}")
    header = 4 + 4 * ndim
    if len(data) < header:
        fail(f"{path}: {len(data)} bytes, shorter than its header")
    fields = struct.unpack(f">{1 + ndim}I", data[:header])
    if fields[0] != magic:
        fail(f"{path}: magic 0x{fields[0]:08x}, expected 0x{magic:08x}")
    size = 1
    for d in fields[1:]:
        size *= d
    if len(data) != header + size:
        fail(f"{path}: {len(data)} bytes, expected {header + size} for dims {fields[1:]}")
    return fields[1:], data[header:]


def check_pair(directory, prefix, counts):
    (n_images, rows, cols), _ = read_idx(
        os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), 0x803, 3)
    (n_labels,), labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), 0x801, 1)
    if (rows, cols) != (28, 28):
        fail(f"{prefix}: images are {rows}x{cols}, expected 28x28")
    if n_images != n_labels or n_images != sum(counts):
        fail(f"{prefix}: {n_images} images and {n_labels} labels, expected {sum(counts)} of each")
    got = [labels.count(c) for c in range(len(counts))]
    if got != counts:
        fail(f"{prefix}: images per class {got}, expected {counts}")
    return n_images


def main():
    if len(sys.argv) != 4:
        fail("usage: check-idx.py DIR TRAIN_COUNTS TEST_COUNTS")
    directory = sys.argv[1]
    train = check_pair(directory, "train", [int(c) for c in sys.argv[2].split(",")])
    test = check_pair(directory, "t10k", [int(c) for c in sys.argv[3].split(",")])
    print(f"check-idx: {directory}: {train} training and {test} test images, classes as expected")


if __name__ == "__main__":
    main()
