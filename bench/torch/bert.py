"""PyTorch peer of bench/bert.c: issue 14's BERT-style encoder on data/classics-zh
(scripts/fetch-data) with the same config, data, masking rule and measurements,
and the bag-of-characters baseline (scikit-learn: TF-IDF over character 1-2
grams, logistic regression).

Run with Debian's interpreter: /usr/bin/python3 bench/torch/bert.py [--iters N] [--epochs N] [--seeds N (0: pretraining alone)] [--masked-head]
Prints key=value lines (see bench/bert.c). Differences from nnlite, kept on
purpose: the masking draws from torch's generator (each position with
probability 0.15, where nnlite chooses exactly round(0.15 n) a window), and
the pretraining computes the output layer at every position, as a PyTorch
model is usually written (HF's BertForMaskedLM does), unless --masked-head
is given; nnlite's fit runs it at the masked positions only, with the same
loss and gradients."""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from corpus import ANSI, get_lr

PAD, CLS, SEP, MASK, SPECIALS = 1, 2, 3, 4, 5
BLOCK, POSITIONS = 64, 128


def vocabulary(path):
    """Ids as nnlite's tokenizer with special tokens: 0 [UNK], 1..4 specials, then the sorted code points."""
    text = ANSI.sub("", open(path, encoding="utf-8").read())
    stoi = {c: i + SPECIALS for i, c in enumerate(sorted(set(text)))}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = len(ids) * 9 // 10
    return ids[:n], ids[n:], len(stoi) + SPECIALS, stoi


def read_tsv(path, stoi, labels):
    rows = []
    for line in open(path, encoding="utf-8"):
        label, text = line.rstrip("\n").split("\t", 1)
        text = text.replace("\\\\", "\0").replace("\\n", "\n").replace("\\t", "\t").replace("\0", "\\")
        labels.setdefault(label, len(labels))
        rows.append(([CLS] + [stoi.get(c, 0) for c in text][:POSITIONS - 2] + [SEP], labels[label], text))
    return rows


def framed(ids, starts):
    """Windows of BLOCK tokens framed as the classifier's input: [CLS], BLOCK - 2 tokens of text, [SEP]."""
    cls, sep = torch.tensor([CLS]), torch.tensor([SEP])
    return torch.stack([torch.cat([cls, ids[i:i + BLOCK - 2], sep]) for i in starts])


def mask(x, vocab, gen):
    """BERT's rule: 15% of the non-special positions, 80% [MASK], 10% random, 10% kept."""
    y = torch.full_like(x, -100)
    chosen = (torch.rand(x.shape, generator=gen) < 0.15) & (x >= SPECIALS)
    y[chosen] = x[chosen]
    u = torch.rand(x.shape, generator=gen)
    x = x.clone()
    x[chosen & (u < 0.8)] = MASK
    rand = chosen & (u >= 0.8) & (u < 0.9)
    x[rand] = torch.randint(SPECIALS, vocab, (int(rand.sum()),), generator=gen)
    return x, y


class Block(nn.Module):
    def __init__(self, c, nh, p):
        super().__init__()
        self.nh, self.p = nh, p
        self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.attn, self.proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.fc, self.out = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)
        self.drop = nn.Dropout(p)

    def forward(self, x, keep):
        b, t, c = x.shape
        q, k, v = self.attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.nh, c // self.nh).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.nh)
        att = att.masked_fill(~keep[:, None, None, :], float("-inf")).softmax(dim=-1)
        x = x + self.drop(self.proj((att @ v).transpose(1, 2).reshape(b, t, c)))
        return x + self.drop(self.out(F.gelu(self.fc(self.ln_2(x)), approximate="tanh")))


class Encoder(nn.Module):
    def __init__(self, vocab, layers=4, heads=4, c=128, p=0.1):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, c), nn.Embedding(POSITIONS, c)
        self.drop = nn.Dropout(p)
        self.h = nn.ModuleList(Block(c, heads, p) for _ in range(layers))
        self.ln_f = nn.LayerNorm(c)
        for name, w in self.named_parameters():
            if w.dim() == 2:
                nn.init.normal_(w, 0.0, 0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(w)

    def forward(self, idx):
        keep = idx != PAD
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(idx.size(1))))
        for blk in self.h:
            x = blk(x, keep)
        return self.ln_f(x)


def adamw(params, lr):
    params = list(params)
    decay = [p for p in params if p.dim() >= 2]
    rest = [p for p in params if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=lr)


def mlm_loss(enc, x, y, vocab, masked_head):
    """Cross-entropy over the masked positions. With masked_head the tied
    output runs on those positions only (what nnlite's fit does by itself);
    the loss and its gradients are the same."""
    h = enc(x)
    if masked_head:
        chosen = y != -100
        return F.cross_entropy(h[chosen] @ enc.wte.weight.t(), y[chosen])
    return F.cross_entropy((h @ enc.wte.weight.t()).view(-1, vocab), y.view(-1))


def pretrain(enc, train, val, vocab, iters, gen, masked_head):
    opt = adamw(enc.parameters(), 1e-3)
    warmup = iters // 10 if iters < 1000 else 100
    t0 = time.time()
    for it in range(iters):
        for g in opt.param_groups:
            g["lr"] = get_lr(it, 1e-3, 1e-4, warmup, iters)
        ix = torch.randint(len(train) - BLOCK, (16,), generator=gen)
        x, y = mask(framed(train, ix), vocab, gen)
        loss = mlm_loss(enc, x, y, vocab, masked_head)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0)
        opt.step()
    seconds = time.time() - t0
    enc.eval()
    losses, hits, count = 0.0, 0, 0
    with torch.no_grad():
        for _ in range(50):
            ix = torch.randint(len(val) - BLOCK, (16,), generator=gen)
            x, y = mask(framed(val, ix), vocab, gen)
            logits = (enc(x) @ enc.wte.weight.t()).view(-1, vocab)
            n = int((y != -100).sum())
            losses += F.cross_entropy(logits, y.view(-1), reduction="sum").item()
            hits += int((logits.argmax(-1) == y.view(-1)).sum())
            count += n
    enc.train()
    return seconds, losses / count, hits / count


def padded(rows):
    t = max(len(r[0]) for r in rows)
    return torch.tensor([r[0] + [PAD] * (t - len(r[0])) for r in rows]), torch.tensor([r[1] for r in rows])


def macro_f1(truth, pred, k):
    f1 = []
    for c in range(k):
        tp = sum(1 for a, b in zip(truth, pred) if a == c and b == c)
        p = tp / max(1, sum(1 for b in pred if b == c))
        r = tp / max(1, sum(1 for a in truth if a == c))
        f1.append(0.0 if p + r == 0 else 2 * p * r / (p + r))
    return sum(f1) / k


def finetune(enc, train, test, k, epochs, seed):
    torch.manual_seed(seed)
    head = nn.Linear(enc.wte.weight.size(1), k)
    params = list(enc.parameters()) + list(head.parameters())
    opt = adamw(params, 3e-4)
    t0 = time.time()
    for _ in range(epochs):
        order = torch.randperm(len(train))
        for i in range(0, len(train), 32):
            x, y = padded([train[j] for j in order[i:i + 32]])
            loss = F.cross_entropy(head(enc(x)[:, 0]), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
    speed = epochs * len(train) / (time.time() - t0)
    enc.eval()
    pred = []
    with torch.no_grad():
        for i in range(0, len(test), 64):
            x, _ = padded(test[i:i + 64])
            pred += head(enc(x)[:, 0]).argmax(-1).tolist()
    truth = [r[1] for r in test]
    return sum(a == b for a, b in zip(truth, pred)) / len(test), macro_f1(truth, pred, k), speed


def baseline(train, test):
    """TF-IDF over character 1-2 grams and logistic regression (scikit-learn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    clf = LogisticRegression(max_iter=2000, C=10.0)
    clf.fit(vec.fit_transform([r[2] for r in train]), [r[1] for r in train])
    pred = clf.predict(vec.transform([r[2] for r in test]))
    truth = [r[1] for r in test]
    return accuracy_score(truth, pred), f1_score(truth, pred, average="macro")


def finetune_all(pretrained, vocab, train, test, k, epochs, seeds):
    """Fine-tunes the pretrained encoder and one from scratch per seed; prints their accuracies."""
    sums = {"finetune": [0.0, 0.0], "scratch": [0.0, 0.0]}
    speed = None
    for seed in range(1, seeds + 1):
        for kind in ("finetune", "scratch"):
            torch.manual_seed(seed)
            model = Encoder(vocab)
            if kind == "finetune":
                model.load_state_dict(pretrained)
            acc, f1, sps = finetune(model, train, test, k, epochs, seed)
            speed = speed or sps
            print("%s_seed%d_accuracy=%.4f" % (kind, seed, acc), flush=True)
            sums[kind][0] += acc
            sums[kind][1] += f1
    print("finetune_samples_per_s=%.1f" % speed)
    for kind in ("finetune", "scratch"):
        print("%s_accuracy=%.4f\n%s_macro_f1=%.4f" % (kind, sums[kind][0] / seeds, kind, sums[kind][1] / seeds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/classics-zh")
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--masked-head", action="store_true",
                    help="pretraining computes the output layer at the masked positions only")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    gen = torch.Generator().manual_seed(1337)
    train_ids, val_ids, vocab, stoi = vocabulary(os.path.join(a.data, "pretrain.txt"))
    labels = {}
    train = read_tsv(os.path.join(a.data, "train.tsv"), stoi, labels)
    test = read_tsv(os.path.join(a.data, "test.tsv"), stoi, labels)
    enc = Encoder(vocab)
    print("impl=torch\ntorch=%s\nthreads=%d\niters=%d\nepochs=%d\nseeds=%d\nparams=%d\nvocab=%d\nhead=%s" %
          (torch.__version__, a.threads, a.iters, a.epochs, a.seeds, sum(p.numel() for p in enc.parameters()), vocab,
           "masked" if a.masked_head else "all"))
    seconds, loss, acc = pretrain(enc, train_ids, val_ids, vocab, a.iters, gen, a.masked_head)
    print("pretrain_s=%.2f\npretrain_tokens_per_s=%.0f\nmlm_loss=%.4f\nmlm_accuracy=%.4f" %
          (seconds, a.iters * 16 * BLOCK / seconds, loss, acc), flush=True)
    if a.seeds > 0:  # --seeds 0: pretraining alone
        finetune_all(enc.state_dict(), vocab, train, test, len(labels), a.epochs, a.seeds)
    acc, f1 = baseline(train, test)
    print("tfidf_accuracy=%.4f\ntfidf_macro_f1=%.4f" % (acc, f1))


if __name__ == "__main__":
    main()
