#!/bin/sh
# Run the character-level RNN benchmark side by side: nnlite
# (bench/char_rnn.c) and PyTorch (bench/torch/char_rnn.py), same config and
# data, for each cell, then print the ratios (issue 13's goals: training
# tokens/s >= 3x PyTorch's, validation loss within +0.05, generation >= 2,000
# tokens/s).
# Usage: bench/run-char-rnn.sh [--build DIR] [--cell lstm|gru]... [--iters N]
#                              [--hidden H] [--batch B] [--threads N] [--corpus FILE]
#   defaults: build, both lstm and gru, 2000 iters, hidden 128, batch 16, 2 threads
# Output, per cell: <cell>.nnlite.<key>=, <cell>.torch.<key>= (every key=value
# line of both programs), then <cell>.ratio.train_tokens_per_s=,
# <cell>.ratio.gen_tokens_per_s= (nnlite / PyTorch), <cell>.ratio.train_cpu=
# (PyTorch's CPU seconds of training / nnlite's: the work ratio, steady on a
# shared machine; with --threads 1 it is the single-core speed ratio) and
# <cell>.delta.val_loss= (nnlite - PyTorch). The programs run one after the other, never at once.
# Needs: apt-get install python3-torch fortunes-zh
set -eu
# PyTorch's threads are OpenMP's: their busy-waiting steals the cores on a
# shared machine (see bench/run-gpt.sh), so PyTorch waits passively unless the
# caller chose otherwise. nnlite's own pool does not read OMP_WAIT_POLICY.
: "${OMP_WAIT_POLICY:=passive}"
export OMP_WAIT_POLICY
build=build
cells=
common=
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "run-char-rnn.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
    --build) build=$2 ;;
    --cell) cells="$cells $2" ;;
    --iters | --hidden | --batch | --threads | --corpus) common="$common $1 $2" ;;
    *) echo "run-char-rnn.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
case $common in *--threads*) ;; *) common="$common --threads 2" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/bench/bench_char_rnn" ] || { echo "run-char-rnn.sh: no $build/bench/bench_char_rnn (meson compile -C $build)" >&2; exit 1; }
[ -f "$here/torch/char_rnn.py" ] || { echo "run-char-rnn.sh: no $here/torch/char_rnn.py" >&2; exit 1; }
get() { echo "$1" | sed -n "s/^$2=//p"; }
for cell in ${cells:-lstm gru}; do
    # $common is word-split on purpose: option names and values without spaces.
    # shellcheck disable=SC2086
    ours=$("$build/bench/bench_char_rnn" --cell "$cell" $common)
    # shellcheck disable=SC2086
    theirs=$(/usr/bin/python3 "$here/torch/char_rnn.py" --cell "$cell" $common)
    echo "$ours" | sed "s/^/$cell.nnlite./"
    echo "$theirs" | sed "s/^/$cell.torch./"
    awk -v cell="$cell" -v a="$(get "$ours" train_tokens_per_s)" -v b="$(get "$theirs" train_tokens_per_s)" \
        -v c="$(get "$ours" gen_tokens_per_s)" -v d="$(get "$theirs" gen_tokens_per_s)" \
        -v e="$(get "$ours" val_loss)" -v f="$(get "$theirs" val_loss)" \
        -v g="$(get "$ours" train_cpu_s)" -v h="$(get "$theirs" train_cpu_s)" 'BEGIN {
      printf "%s.ratio.train_tokens_per_s=%.2f\n%s.ratio.gen_tokens_per_s=%.1f\n%s.ratio.train_cpu=%.2f\n",
             cell, a / b, cell, c / d, cell, h / g
      printf "%s.delta.val_loss=%+.4f\n", cell, e - f }'
done
