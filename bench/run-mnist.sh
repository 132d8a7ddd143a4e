#!/bin/sh
# The MNIST CNN benchmark side by side: nnlite (bench/mnist.c) and PyTorch
# (bench/torch/cnn.py), same network, training and data, for each data set,
# then the ratios. Usage: bench/run-mnist.sh [BUILD_DIR] [EPOCHS]
# Needs: scripts/fetch-data, apt-get install python3-torch python3-numpy
set -eu
build=${1:-build}
epochs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
get() { echo "$1" | sed -n "s/^$2=//p"; }
for set in fashion-mnist mnist; do
  data="$root/data/$set"
  ours=$("$build/bench/bench_mnist" --data "$data" --epochs "$epochs" --threads 2)
  theirs=$(/usr/bin/python3 "$here/torch/cnn.py" --data "$data" --epochs "$epochs" --threads 2)
  echo "$ours" | sed "s/^/$set.nnlite./"
  echo "$theirs" | sed "s/^/$set.torch./"
  awk -v a="$(get "$ours" train_seconds)" -v b="$(get "$theirs" train_seconds)" \
      -v c="$(get "$ours" test_accuracy)" -v d="$(get "$theirs" test_accuracy)" \
      -v e="$(get "$ours" predict_us)" -v f="$(get "$theirs" predict_us)" -v s="$set" 'BEGIN {
    printf "%s.ratio.train_speedup=%.2f\n%s.delta.test_accuracy_points=%+.2f\n%s.ratio.predict_speedup=%.1f\n",
           s, b / a, s, 100 * (c - d), s, f / e }'
done
