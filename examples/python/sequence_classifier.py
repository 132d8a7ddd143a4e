#!/usr/bin/env python3
"""Classify lines of text with an LSTM over their characters.

    Embedding(vocab, 32) -> LSTM(hidden, return_sequences=False) -> Dense(labels, softmax)

trained with Adam, the gradient norm clipped to --clip. The data is a UTF-8
file of ``label<TAB>text`` lines (--data FILE); without one the script makes
a small task of its own: which of English, Chinese or digits (dates, times,
phone numbers, sums) a short line is. The lines are
shuffled with --seed and split 80/20 into training and test sets. Each line
becomes --maxlen character ids: id 0 pads, id 1 stands for characters the
training lines do not have; a longer line keeps its first --maxlen characters,
and a shorter one is padded at the front, so the LSTM's final state comes
right after the line's last character.

    python3 examples/python/sequence_classifier.py [--data FILE] [--epochs N] [--hidden N] [--maxlen N]
                                                   [--batch N] [--lr X] [--clip X] [--seed N] [--save FILE]

One line per epoch (loss, training and test accuracy), a few test lines with
their predictions, and last a machine-readable line: test_accuracy=x.xxxx
It needs only the standard library.
"""

import argparse
import collections
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_PACKAGE = os.path.join(HERE, os.pardir, os.pardir, "bindings", "python")
if os.path.isdir(os.path.join(SOURCE_PACKAGE, "nnlite")):
    sys.path.insert(0, os.path.normpath(SOURCE_PACKAGE))  # run from a checkout: use its package

import nnlite  # noqa: E402

PAD, UNKNOWN = 0, 1


def parse_args():
    parser = argparse.ArgumentParser(description="An LSTM over characters classifying lines of text.")
    parser.add_argument("--data", help="UTF-8 file of label<TAB>text lines (default: a built-in task)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=64, help="LSTM hidden size")
    parser.add_argument("--maxlen", type=int, default=40, help="characters per line (pad or truncate)")
    parser.add_argument("--embedding", type=int, default=32, help="width of the character embedding")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--clip", type=float, default=1.0, help="clip the gradient norm to this (0: no clipping)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--save", help="save the trained model to this file")
    args = parser.parse_args()
    for name in ("epochs", "hidden", "maxlen", "embedding", "batch"):
        if getattr(args, name) < 1:
            parser.error("--%s must be at least 1" % name)
    return args


def read_pairs(path):
    """(label, text) pairs of a label<TAB>text file; blank lines are skipped, others without a tab refused."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            label, tab, text = line.partition("\t")
            if not tab or not label:
                sys.exit("sequence_classifier: %s:%d: expected label<TAB>text" % (path, number))
            pairs.append((label, text))
    return pairs


ENGLISH = ("the a my your this that one every old new small big red green quiet busy cat dog bird river "
           "train city garden kitchen window letter morning evening teacher friend is was looks sleeps runs "
           "waits sings opens near under behind above today tonight again slowly very happy cold warm").split()
CHINESE = list("我你他她们的是在有不了人这中大为上个国和说到时要就出会可也子对生能而那得于着下自之年过发后作"
               "里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心本前开但因只从想实")


def builtin_pairs(seed):
    """Short lines of three kinds, made with a seeded generator: English, Chinese, digits."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(100):
        words = [rng.choice(ENGLISH) for _ in range(rng.randint(2, 6))]
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 99)))  # "the 12 dogs": English still
        text = " ".join(words)
        pairs.append(("english", text[0].upper() + text[1:] + rng.choice([".", "!", "?", ""])))
    for _ in range(100):
        text = "".join(rng.choice(CHINESE) for _ in range(rng.randint(3, 12)))
        if rng.random() < 0.2:
            cut = rng.randrange(len(text))
            text = text[:cut] + str(rng.randint(1, 99)) + text[cut:]  # "3个", "2024年": Chinese still
        pairs.append(("chinese", text + rng.choice(["。", "！", "？", ""])))
    for _ in range(100):
        kind = rng.randrange(4)
        if kind == 0:
            text = "%04d-%02d-%02d" % (rng.randint(1900, 2099), rng.randint(1, 12), rng.randint(1, 28))
        elif kind == 1:
            text = "%02d:%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        elif kind == 2:
            text = "+%d %03d %04d %04d" % (rng.randint(1, 99), rng.randint(0, 999), rng.randint(0, 9999),
                                          rng.randint(0, 9999))
        else:
            text = " + ".join(str(rng.randint(0, 999)) for _ in range(rng.randint(2, 4))) + " = ?"
        pairs.append(("digits", text))
    return pairs


def split(pairs, seed):
    """The pairs shuffled with ``seed``, 80% for training and 20% for testing."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    cut = max(1, min(len(pairs) - 1, round(len(pairs) * 0.8)))
    return [pairs[i] for i in order[:cut]], [pairs[i] for i in order[cut:]]


class Encoder:
    """Characters to ids (0 pads, 1 is unknown, then the training characters by frequency); labels to ids."""

    def __init__(self, train_pairs, maxlen):
        counts = collections.Counter(c for _, text in train_pairs for c in text)
        self.chars = {c: i + 2 for i, (c, _) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}
        self.labels = sorted({label for label, _ in train_pairs})
        self.label_ids = {label: i for i, label in enumerate(self.labels)}
        self.maxlen = maxlen

    @property
    def vocab(self):
        return len(self.chars) + 2

    def ids(self, text):
        ids = [self.chars.get(c, UNKNOWN) for c in text[:self.maxlen]]
        return [float(PAD)] * (self.maxlen - len(ids)) + [float(i) for i in ids]

    def encode(self, pairs):
        """(samples, labels) of the pairs whose label the training set has."""
        kept = [(label, text) for label, text in pairs if label in self.label_ids]
        return [self.ids(text) for _, text in kept], [self.label_ids[label] for label, _ in kept]


def build_model(encoder, args):
    model = nnlite.Sequential((args.maxlen,), [
        nnlite.Embedding(encoder.vocab, args.embedding),
        nnlite.LSTM(args.hidden, return_sequences=False),
        nnlite.Dense(len(encoder.labels), activation="softmax"),
    ], seed=args.seed)
    return model.compile(optimizer=nnlite.Adam(args.lr), loss="sparse_categorical_crossentropy")


def main():
    args = parse_args()
    if args.data:
        pairs, source = read_pairs(args.data), args.data
    else:
        pairs, source = builtin_pairs(args.seed), "the built-in task (English / Chinese / digits)"
    if len(pairs) < 2:
        sys.exit("sequence_classifier: need at least two lines, got %d" % len(pairs))
    train_pairs, test_pairs = split(pairs, args.seed)
    encoder = Encoder(train_pairs, args.maxlen)
    x_train, y_train = encoder.encode(train_pairs)
    x_test, y_test = encoder.encode(test_pairs)
    if len(encoder.labels) < 2:
        sys.exit("sequence_classifier: the training lines have a single label (%s)" % encoder.labels[0])
    print("nnlite %s, %s kernels; %d lines from %s: %d training, %d test; labels %s; %d characters, maxlen %d"
          % (nnlite.version(), nnlite.simd_level(), len(pairs), source, len(x_train), len(x_test),
             ", ".join(encoder.labels), encoder.vocab - 2, args.maxlen))
    if len(x_test) < len(test_pairs):
        print("(%d test lines have a label the training lines lack; they are left out)"
              % (len(test_pairs) - len(x_test)))

    model = build_model(encoder, args)
    model.summary()

    def report(p):
        if p.epoch_end:
            print("epoch %d/%d  loss=%.4f  accuracy=%.4f  test_accuracy=%.4f  %.1fs"
                  % (p.epoch, p.epochs, p.loss, p.accuracy, p.val_accuracy, p.elapsed), flush=True)

    start = time.monotonic()
    validation = (x_test, y_test) if x_test else None
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch, validation_data=validation,
              seed=args.seed, verbose=0, callback=report, clip_norm=args.clip)
    train_seconds = time.monotonic() - start

    test_accuracy = float("nan")
    if x_test:
        test_loss, test_accuracy = model.evaluate(x_test, y_test)
        print("\nTest loss: %.4f  Test accuracy: %.4f  (%d lines, trained in %.1fs)"
              % (test_loss, test_accuracy, len(x_test), train_seconds))
        shown = [(label, text) for label, text in test_pairs if label in encoder.label_ids][:6]
        probabilities = model.predict([encoder.ids(text) for _, text in shown]).tolist()
        for (label, text), row in zip(shown, probabilities):
            best = max(range(len(row)), key=row.__getitem__)
            print("  %-10s %.2f  %-8s %s" % (encoder.labels[best], row[best],
                                            "" if encoder.labels[best] == label else "(" + label + ")", text))
    if args.save:
        if os.path.dirname(args.save):
            os.makedirs(os.path.dirname(args.save), exist_ok=True)
        model.save(args.save)
        print("saved the model to %s" % args.save)
    print("test_accuracy=%.4f" % test_accuracy)


if __name__ == "__main__":
    main()
