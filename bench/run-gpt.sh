#!/bin/sh
# Run the GPT benchmark side by side: nnlite (bench/gpt.c) and PyTorch
# (bench/torch/gpt.py), same config and data, then print the ratios.
# Usage: bench/run-gpt.sh [BUILD_DIR] [ITERS]   (defaults: build, 2000)
# Needs: apt-get install python3-torch fortunes-zh
set -eu
# PyTorch's threads are OpenMP's: on a machine shared with other work their
# busy-waiting steals the cores (nnlite measured 4x slower training when it
# still used OpenMP), so PyTorch waits passively unless the caller chose
# otherwise. nnlite's own pool does not read OMP_WAIT_POLICY.
: "${OMP_WAIT_POLICY:=passive}"
export OMP_WAIT_POLICY
build=${1:-build}
iters=${2:-2000}
here=$(cd "$(dirname "$0")" && pwd)
ours=$("$build/bench/bench_gpt" --iters "$iters" --threads 2)
theirs=$(/usr/bin/python3 "$here/torch/gpt.py" --iters "$iters" --threads 2)
echo "$ours" | sed 's/^/nnlite./'
echo "$theirs" | sed 's/^/torch./'
get() { echo "$1" | sed -n "s/^$2=//p"; }
awk -v a="$(get "$ours" train_tokens_per_s)" -v b="$(get "$theirs" train_tokens_per_s)" \
    -v c="$(get "$ours" gen_tokens_per_s)" -v d="$(get "$theirs" gen_tokens_per_s)" \
    -v e="$(get "$ours" val_loss)" -v f="$(get "$theirs" val_loss)" 'BEGIN {
  printf "ratio.train_tokens_per_s=%.2f\nratio.gen_tokens_per_s=%.1f\ndelta.val_loss=%+.4f\n", a / b, c / d, e - f }'
