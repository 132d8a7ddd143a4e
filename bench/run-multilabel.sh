#!/bin/sh
# The multi-label benchmark side by side: nnlite (bench/multilabel.c) and
# PyTorch (bench/torch/multilabel.py), same network, training and data
# (data/multilabel), one after the other for each seed; then the means and
# the ratios. Usage: bench/run-multilabel.sh [BUILD_DIR] [EPOCHS] [SEEDS...]
# Needs: scripts/fetch-data, apt-get install python3-torch python3-numpy
set -eu
build=${1:-build}
epochs=${2:-5}
shift 2 2>/dev/null || shift $#
seeds=${*:-1 2 3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
data="$root/data/multilabel"
get() { echo "$1" | sed -n "s/^$2=//p"; }
all=""
for seed in $seeds; do
  ours=$("$build/bench/bench_multilabel" --data "$data" --epochs "$epochs" --threads 2 --seed "$seed")
  theirs=$(/usr/bin/python3 "$here/torch/multilabel.py" --data "$data" --epochs "$epochs" --threads 2 --seed "$seed")
  echo "$ours" | sed "s/^/seed$seed.nnlite./"
  echo "$theirs" | sed "s/^/seed$seed.torch./"
  all="$all $(get "$ours" train_seconds) $(get "$theirs" train_seconds) $(get "$ours" micro_f1) $(get "$theirs" micro_f1)"
done
echo "$all" | awk '{
  n = NF / 4
  for (i = 1; i <= NF; i += 4) { a += $i; b += $(i + 1); c += $(i + 2); d += $(i + 3) }
  printf "mean.nnlite.train_seconds=%.2f\nmean.torch.train_seconds=%.2f\n", a / n, b / n
  printf "mean.nnlite.micro_f1=%.4f\nmean.torch.micro_f1=%.4f\n", c / n, d / n
  printf "ratio.train_speedup=%.2f\ndelta.micro_f1_points=%+.2f\n", b / a, 100 * (c - d) / n
}'
