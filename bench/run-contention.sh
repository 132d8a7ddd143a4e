#!/bin/sh
# Two trainings sharing the cores: the MNIST CNN (bench/mnist.c) alone, then
# two copies at once, each with as many threads as there are cores. With
# threads that spin while idle (OpenMP's default) the copies take each
# other's cores; the library's pool yields and sleeps instead.
# Usage: bench/run-contention.sh [BUILD_DIR] [EPOCHS]   (defaults: build, 2)
# Needs: scripts/fetch-data
set -eu
build=${1:-build}
epochs=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
data="$(dirname "$here")/data/mnist"
threads=$(nproc)
run() { "$build/bench/bench_mnist" --data "$data" --epochs "$epochs" --threads "$threads" | sed -n 's/^train_seconds=//p'; }
alone=$(run)
out=$(mktemp)
run > "$out.a" &
run > "$out.b"
wait
a=$(cat "$out.a") b=$(cat "$out.b")
rm -f "$out" "$out.a" "$out.b"
echo "threads=$threads"
echo "epochs=$epochs"
echo "alone_train_seconds=$alone"
echo "together_train_seconds=$a,$b"
awk -v x="$alone" -v a="$a" -v b="$b" 'BEGIN {
  m = a > b ? a : b
  printf "ratio.together_over_alone=%.2f\n", m / x }'
