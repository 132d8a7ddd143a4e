"""What the PyTorch peers of the text benchmarks share with each other and
with nnlite: the corpus as nnl_text_dataset reads it, random windows, and
nanoGPT's learning-rate schedule."""

import math
import re

import torch

# The same ANSI rule as lib/data/utf8.c: ESC [ params* intermediates* final?, or a lone ESC.
ANSI = re.compile("\x1b(?:\\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?)?")


def load(path):
    """Training and validation ids (first 90% / last 10%), vocabulary size, stoi, chars."""
    text = ANSI.sub("", open(path, "rb").read().decode("utf-8"))
    chars = sorted(set(text))
    stoi = {c: i + 1 for i, c in enumerate(chars)}  # id 0 is the unknown token, as nnlite
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = len(data) * 9 // 10
    return data[:n], data[n:], len(chars) + 1, stoi, chars


def get_lr(it, lr, min_lr, warmup, decay):
    """nanoGPT's get_lr: linear warmup, cosine decay to min_lr at `decay`, then min_lr."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it >= decay:
        return min_lr
    ratio = (it - warmup) / (decay - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def batch(data, b, t, gen=None):
    """b random windows of t ids and their next ids."""
    ix = torch.randint(len(data) - t, (b,), generator=gen)
    return torch.stack([data[i:i + t] for i in ix]), torch.stack([data[i + 1:i + t + 1] for i in ix])
