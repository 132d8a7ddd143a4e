#!/usr/bin/env python3
"""Builds the "which classic is this line from?" text-classification task
from Debian's fortunes-zh file `chinese` (issue 14's definition):

  - ANSI escapes stripped, entries split on lines that are just `%`;
  - an entry's attribution is its last line that starts (after spaces) with
    `--`; its work is the first `《…》` in the attribution if there is one,
    otherwise the attribution's text up to the first `，`, `,`, space or `（`;
  - entries whose work is one of the five classics below are kept; the text
    is the entry without its attribution line (surrounding blank lines
    trimmed), line breaks written as `\\n` (and a backslash as `\\\\`);
  - in file order, kept entry i with i % 5 == 0 is the test set.

Writes OUT/train.tsv, OUT/test.tsv (`label<TAB>text` lines) and
OUT/pretrain.txt: the whole file (escapes stripped) without the test
entries, the masked-LM pretraining text, its entries in a seeded random
order. Checks the counts the issue gives.

Why the order: the fortunes file is in sections, the Debian reference
manual first (70% of its characters) and the classical quotations last, so
that a pretraining run holding out the text's last 10% (the programs' and
the benchmarks' held-out windows) would never see 890 of the 1,688
training lines and would measure itself on classics alone. Shuffled, both
parts of the split are samples of the whole.

usage: make-classics-tsv.py CHINESE_FILE OUT_DIR
"""
import os
import random
import re
import sys

CLASSICS = {"谚语": 767, "论语": 555, "菜根谭": 359, "增广贤文": 348, "道德经": 81}
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~])?")
STOP = re.compile(r"[，, （]")
PRETRAIN_ORDER_SEED = 14


def work_of(attribution):
    text = attribution.strip()[2:].strip()
    book = re.search(r"《(.*?)》", text)
    if book:
        return book.group(1)
    return STOP.split(text, 1)[0]


def split_entries(text):
    entry = []
    for line in text.split("\n"):
        if line.strip() == "%":
            yield entry
            entry = []
        else:
            entry.append(line)
    if any(l.strip() for l in entry):
        yield entry


def classify(entry):
    """(work, text) of an entry with an attribution, else (None, None)."""
    for i in range(len(entry) - 1, -1, -1):
        if entry[i].lstrip().startswith("--"):
            body = "\n".join(entry[:i] + entry[i + 1:]).strip("\n")
            return work_of(entry[i]), body
    return None, None


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = ANSI.sub("", f.read())
    entries = list(split_entries(text))
    train, test, pretrain, kept = [], [], [], 0
    for entry in entries:
        work, body = classify(entry)
        if work in CLASSICS:
            line = f"{work}\t{escape(body)}\n"
            if kept % 5 == 0:
                test.append(line)
                kept += 1
                continue  # the test entries stay out of the pretraining text
            train.append(line)
            kept += 1
        pretrain.append("\n".join(entry) + "\n%\n")
    counts = {w: sum(l.startswith(w + "\t") for l in train + test) for w in CLASSICS}
    if counts != CLASSICS or len(test) != 422:
        sys.exit(f"make-classics-tsv: unexpected counts {counts}, {len(test)} test entries; "
                 f"expected {CLASSICS} and 422 (is {sys.argv[1]} Debian's fortunes-zh?)")
    random.Random(PRETRAIN_ORDER_SEED).shuffle(pretrain)
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, lines in (("train.tsv", train), ("test.tsv", test), ("pretrain.txt", pretrain)):
        tmp = os.path.join(sys.argv[2], name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(lines)
        os.replace(tmp, os.path.join(sys.argv[2], name))
    print(f"make-classics-tsv: {len(train)} train, {len(test)} test entries; counts {counts}")


if __name__ == "__main__":
    main()
