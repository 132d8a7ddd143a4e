"""Same initial weights, same batch order: nnlite against PyTorch, step by step.

    /usr/bin/python3 bench/torch/same_start.py DATA_DIR SEED [EPOCHS]
    (NNLITE_LIBRARY=build/lib/libnnlite.so unless the package finds it)

nnlite builds the article's CNN (seed SEED) and its initial weights are
copied into PyTorch's model (layouts converted); both train on the same data
in nnlite's batch order (the PCG32 stream and Fisher-Yates shuffle of
lib/core/rng.c and lib/nn/train.c, replayed here), 1 thread each. Prints the
per-step losses side by side and the final test accuracies
(docs/performance.md, "Learning quality over seeds")."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "bindings",
                                "python"))
import numpy as np
import torch
import torch.nn as nn

import nnlite  # noqa: E402

data = sys.argv[1]; seed = int(sys.argv[2]); epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
nnlite.set_num_threads(1); torch.set_num_threads(1)
train, test = nnlite.Dataset.load_idx_dir(data)
xtr = np.asarray(train.get_batch(0, len(train))[0]); ytr = np.asarray(train.labels())
xte = np.asarray(test.get_batch(0, len(test))[0]); yte = np.asarray(test.labels())

def copy_weights(P, tm):
    """nnlite's parameters P (per layer) into the PyTorch model tm."""
    with torch.no_grad():
        k = P[0][0]  # nnlite: (kh, kw, cin, cout); PyTorch: (cout, cin, kh, kw)
        assert k.shape == (3, 3, 1, 32), k.shape
        tm[0].weight.copy_(torch.from_numpy(k.transpose(3, 2, 0, 1).copy()))
        tm[0].bias.copy_(torch.from_numpy(P[0][1]))
        w = P[3][0]  # (5408, 128), rows in (h, w, c) order
        w = w.reshape(13, 13, 32, 128).transpose(2, 0, 1, 3).reshape(5408, 128)  # rows in (c, h, w) order
        tm[4].weight.copy_(torch.from_numpy(w.T.copy())); tm[4].bias.copy_(torch.from_numpy(P[3][1]))
        tm[6].weight.copy_(torch.from_numpy(P[4][0].T.copy())); tm[6].bias.copy_(torch.from_numpy(P[4][1]))


def torch_accuracy(tm):
    with torch.no_grad():
        return (tm(torch.from_numpy(xte.transpose(0, 3, 1, 2).copy())).argmax(1).numpy() == yte).mean()


def torch_model():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 128),
                         nn.ReLU(), nn.Linear(128, 10))


model = nnlite.Sequential((28, 28, 1), [nnlite.Conv2D(32, (3, 3), activation="relu"), nnlite.MaxPool2D((2, 2)),
                                        nnlite.Flatten(), nnlite.Dense(128, activation="relu"),
                                        nnlite.Dense(10, activation="softmax")], seed=seed)
model.compile(optimizer=nnlite.Adam(1e-3, epsilon=1e-7), loss="sparse_categorical_crossentropy")
P = [[np.array(p.value.numpy()) for p in l.params()] for l in model.layers]

tm = torch_model()
copy_weights(P, tm)

# the same outputs before training?
with torch.no_grad():
    a = np.asarray(model.predict(xte[:64]))
    b = torch.softmax(tm(torch.from_numpy(xte[:64].transpose(0, 3, 1, 2).copy())), 1).numpy()
print("initial outputs max diff %.2e" % np.abs(a - b).max())

# nnlite's order: PCG32 (lib/core/rng.c) stream 1, Fisher-Yates (lib/nn/train.c)
M = (1 << 64) - 1
class PCG:
    def __init__(self, seed, stream):
        self.state = 0; self.inc = ((stream << 1) | 1) & M; self.u32(); self.state = (self.state + seed) & M; self.u32()
    def u32(self):
        old = self.state; self.state = (old * 6364136223846793005 + self.inc) & M
        x = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF; r = old >> 59
        return ((x >> r) | (x << ((-r) & 31))) & 0xFFFFFFFF
    def below(self, bound):
        t = ((1 << 32) - bound) % bound
        while True:
            r = self.u32()
            if r >= t:
                return r % bound
rng, n, orders = PCG(seed, 1), len(xtr), []
idx = list(range(n))
for e in range(epochs):
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1); idx[i], idx[j] = idx[j], idx[i]
    orders.append(list(idx))

model.fit(train, epochs=epochs, batch_size=32, seed=seed, verbose=0)
ours = [r["loss"] for r in model.history.rows("step")]
opt = torch.optim.Adam(tm.parameters(), lr=1e-3, eps=1e-7); lossf = nn.CrossEntropyLoss()
X = torch.from_numpy(xtr.transpose(0, 3, 1, 2).copy()); Y = torch.from_numpy(ytr.astype(np.int64))
theirs = []
for order in orders:
    for s in range(0, n, 32):
        b = torch.tensor(order[s:s + 32])
        opt.zero_grad(); loss = lossf(tm(X[b]), Y[b]); loss.backward(); opt.step(); theirs.append(loss.item())
for s in list(range(0, 10)) + list(range(10, len(ours), max(1, len(ours) // 15))):
    print("step %5d  nnlite %.6f  torch %.6f  diff %+.2e" % (s + 1, ours[s], theirs[s], ours[s] - theirs[s]))
# nnlite's trained weights evaluated by PyTorch: the same accuracy rules out the evaluation as a cause
judge = torch_model()
copy_weights([[np.array(p.value.numpy()) for p in l.params()] for l in model.layers], judge)
print("test accuracy: nnlite %.4f  torch %.4f  (nnlite's trained weights evaluated by PyTorch: %.4f)"
      % (model.evaluate(test)[1], torch_accuracy(tm), torch_accuracy(judge)))
print("mean step loss, last 200 steps: nnlite %.5f torch %.5f" % (np.mean(ours[-200:]), np.mean(theirs[-200:])))
