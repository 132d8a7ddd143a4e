"""PyTorch peer of bench/gpt.c: nanoGPT's CPU "baby" character model on
fortunes-zh `chinese` with the same data split, schedule and measurements.

Run with Debian's interpreter: /usr/bin/python3 bench/torch/gpt.py [--iters N]
Prints key=value lines (train_tokens_per_s, val_loss, gen_tokens_per_s).
Generation follows nanoGPT's generate(): no KV cache, the whole (cropped)
context is recomputed for every new token."""
import argparse
import math
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

from corpus import batch, get_lr, load

class Block(nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.nh = nh
        self.ln_1 = nn.LayerNorm(c)
        self.c_attn = nn.Linear(c, 3 * c)
        self.c_proj = nn.Linear(c, c)
        self.ln_2 = nn.LayerNorm(c)
        self.c_fc = nn.Linear(c, 4 * c)
        self.mlp_proj = nn.Linear(4 * c, c)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.nh, c // self.nh).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, block, n_layer=4, n_head=4, n_embd=128):
        super().__init__()
        self.block = block
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block, n_embd)
        self.h = nn.ModuleList(Block(n_embd, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") or name.endswith("mlp_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx, targets=None):
        t = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for blk in self.h:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def generate(self, idx, n, temperature=0.8, top_k=200):
        for _ in range(n):
            logits, _ = self(idx[:, -self.block:])
            logits = logits[:, -1, :] / temperature
            v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
            logits[logits < v[:, [-1]]] = -float("inf")
            idx = torch.cat((idx, torch.multinomial(F.softmax(logits, dim=-1), 1)), dim=1)
        return idx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/usr/share/games/fortunes/chinese")
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    train, val, vocab, stoi, chars = load(a.corpus)
    B, T = 12, 64
    model = GPT(vocab, T)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99))
    t0 = time.time()
    for it in range(a.iters):
        for g in opt.param_groups:
            g["lr"] = get_lr(it, 1e-3, 1e-4, 100, a.iters)
        x, y = batch(train, B, T)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    train_s = time.time() - t0
    model.eval()
    with torch.no_grad():
        losses = [model(*batch(val, B, T))[1].item() for _ in range(50)]
    prompt = torch.tensor([[stoi.get(c, 0) for c in "今天"]])
    n = 100
    t0 = time.time()
    model.generate(prompt, n)
    gen_s = time.time() - t0
    print("impl=torch\ntorch=%s\nthreads=%d\niters=%d\nparams=%d\nvocab=%d" %
          (torch.__version__, a.threads, a.iters, sum(p.numel() for p in model.parameters()), vocab))
    print("train_s=%.2f\ntrain_tokens_per_s=%.0f\nval_loss=%.4f\ngen_tokens=%d\ngen_tokens_per_s=%.0f" %
          (train_s, a.iters * B * T / train_s, sum(losses) / len(losses), n, n / gen_s))


if __name__ == "__main__":
    main()
