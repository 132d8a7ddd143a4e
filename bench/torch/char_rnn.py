#!/usr/bin/python3
"""PyTorch peer of bench/char_rnn (issue 13): a character-level LSTM or GRU
language model on fortunes-zh `chinese` with the same data split as
bench/torch/gpt.py (ANSI escapes stripped, vocabulary = sorted distinct code
points plus the unknown id 0, first 90% train, last 10% validation).

Config: Embedding(vocab, 128), 2-layer nn.LSTM / nn.GRU of hidden 128
(batch_first, no dropout), Linear(hidden, vocab); sequence 64, batch 16;
PyTorch's default initialisation; Adam lr 2e-3 with 100 warmup steps and
cosine decay to 2e-4 (get_lr in bench/torch/corpus.py, nanoGPT's), gradient clipping 1.0,
2,000 steps. Batches are random windows drawn from a seeded generator;
validation loss = mean over 50 random validation batches (their own
fixed generator, so every run sees the same ones). Generation: 500 tokens after
"今天", the recurrent state carried token by token (one step per token),
temperature 0.8, top-k 200.

Run with Debian's interpreter:
  /usr/bin/python3 bench/torch/char_rnn.py [--cell lstm|gru] [--iters N]
      [--hidden H] [--batch B] [--threads N] [--seed S] [--sample]
Prints key=value lines like bench/torch/gpt.py; --sample writes the generated
text to stderr.
"""
import argparse
import sys
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from corpus import batch, get_lr, load

class CharRNN(nn.Module):
    def __init__(self, cell, vocab, n_embd=128, hidden=128, layers=2):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.wte = nn.Embedding(vocab, n_embd)
        self.rnn = rnn(n_embd, hidden, num_layers=layers, batch_first=True, dropout=0.0)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, idx, targets=None, state=None):
        y, state = self.rnn(self.wte(idx), state)
        logits = self.head(y)
        if targets is None:
            return logits, None, state
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1)), state

    @torch.no_grad()
    def generate(self, idx, n, temperature=0.8, top_k=200, generator=None):
        """Reads the prompt once, then one recurrent step per new token."""
        logits, _, state = self(idx)
        out = []
        for _ in range(n):
            logits = logits[:, -1, :] / temperature
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("inf")
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)
            out.append(nxt)
            logits, _, state = self(nxt, state=state)
        return torch.cat([idx] + out, dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/usr/share/games/fortunes/chinese")
    ap.add_argument("--cell", choices=("lstm", "gru"), default="lstm")
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--sample", action="store_true", help="write the generated text to stderr")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, val, vocab, stoi, chars = load(a.corpus)
    B, T, n_embd, layers = a.batch, 64, 128, 2
    model = CharRNN(a.cell, vocab, n_embd, a.hidden, layers)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(a.seed)
    t0, cpu0 = time.time(), time.process_time()
    for it in range(a.iters):
        for g in opt.param_groups:
            g["lr"] = get_lr(it, 2e-3, 2e-4, 100, a.iters)
        x, y = batch(train, B, T, gen)
        _, loss, _ = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    train_s, train_cpu_s = time.time() - t0, time.process_time() - cpu0
    model.eval()
    vgen = torch.Generator().manual_seed(a.seed + 1)
    with torch.no_grad():
        losses = [model(*batch(val, B, T, vgen))[1].item() for _ in range(50)]
    prompt = torch.tensor([[stoi.get(c, 0) for c in "今天"]])
    n = 500
    ggen = torch.Generator().manual_seed(a.seed + 2)
    t0 = time.time()
    ids = model.generate(prompt, n, generator=ggen)
    gen_s = time.time() - t0
    if a.sample:
        itos = {i + 1: c for i, c in enumerate(chars)}
        sys.stderr.write("".join(itos.get(i, "?") for i in ids[0].tolist()) + "\n")
    print("impl=torch\ntorch=%s\ncell=%s\nhidden=%d\nbatch=%d\nthreads=%d\niters=%d\nparams=%d\nvocab=%d" %
          (torch.__version__, a.cell, a.hidden, B, a.threads, a.iters,
           sum(p.numel() for p in model.parameters()), vocab))
    print("train_s=%.2f\ntrain_cpu_s=%.2f\ntrain_tokens_per_s=%.0f\nval_loss=%.4f\ngen_tokens=%d\ngen_tokens_per_s=%.0f" %
          (train_s, train_cpu_s, a.iters * B * T / train_s, sum(losses) / len(losses), n, n / gen_s))


if __name__ == "__main__":
    main()
