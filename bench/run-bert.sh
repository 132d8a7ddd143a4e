#!/bin/sh
# Run the encoder benchmark side by side: nnlite (bench/bert.c) and PyTorch
# (bench/torch/bert.py, with the TF-IDF + logistic-regression baseline), same
# config and data, then print the ratios.
# Usage: bench/run-bert.sh [BUILD_DIR] [ITERS] [EPOCHS] [SEEDS]   (defaults: build, 2000, 10, 3)
# Needs: scripts/fetch-data (data/classics-zh), apt-get install python3-torch python3-sklearn
set -eu
: "${OMP_WAIT_POLICY:=passive}" # see bench/run-gpt.sh
export OMP_WAIT_POLICY
build=${1:-build}
iters=${2:-2000}
epochs=${3:-10}
seeds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
ours=$("$build/bench/bench_bert" --iters "$iters" --epochs "$epochs" --seeds "$seeds" --threads 2)
theirs=$(/usr/bin/python3 "$here/torch/bert.py" --iters "$iters" --epochs "$epochs" --seeds "$seeds" --threads 2)
echo "$ours" | sed 's/^/nnlite./'
echo "$theirs" | sed 's/^/torch./'
get() { echo "$1" | sed -n "s/^$2=//p"; }
awk -v a="$(get "$ours" pretrain_tokens_per_s)" -v b="$(get "$theirs" pretrain_tokens_per_s)" \
    -v c="$(get "$ours" finetune_samples_per_s)" -v d="$(get "$theirs" finetune_samples_per_s)" \
    -v e="$(get "$ours" finetune_accuracy)" -v f="$(get "$theirs" finetune_accuracy)" 'BEGIN {
  printf "ratio.pretrain_tokens_per_s=%.2f\nratio.finetune_samples_per_s=%.2f\ndelta.finetune_accuracy=%+.4f\n",
         a / b, c / d, e - f }'
