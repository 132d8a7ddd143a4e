#!/bin/sh
# Two builds of nnlite side by side, alternating in one run so that both
# see the same machine: the GPT benchmark (tokens/s, validation loss) and the
# MNIST CNN benchmark on Fashion-MNIST (training seconds, test accuracy).
# Prints one key=value line per run and the median ratios after/before.
# Usage: bench/run-compare.sh BEFORE_BUILD AFTER_BUILD [ROUNDS] [GPT_ITERS] [MNIST_EPOCHS]
#   e.g. git worktree add /tmp/before HEAD~1 && meson setup /tmp/before/build /tmp/before -Dtests=false
#        && meson compile -C /tmp/before/build bench_gpt bench_mnist
# Needs: scripts/fetch-data (Fashion-MNIST), fortunes-zh.
set -eu
before=$1
after=$2
rounds=${3:-3}
iters=${4:-300}
epochs=${5:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
get() { echo "$1" | sed -n "s/^$2=//p"; }
echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
r=1
while [ "$r" -le "$rounds" ]; do
  for side in before after; do
    build=$before
    [ "$side" = after ] && build=$after
    gpt=$("$build/bench/bench_gpt" --iters "$iters" --threads 2)
    cnn=$("$build/bench/bench_mnist" --data "$root/data/fashion-mnist" --epochs "$epochs" --threads 2)
    line="round=$r side=$side simd=$(get "$gpt" simd) gpt_tokens_per_s=$(get "$gpt" train_tokens_per_s)"
    line="$line gpt_val_loss=$(get "$gpt" val_loss) gpt_gen_tokens_per_s=$(get "$gpt" gen_tokens_per_s)"
    line="$line cnn_train_seconds=$(get "$cnn" train_seconds) cnn_test_accuracy=$(get "$cnn" test_accuracy)"
    echo "$line" | tee -a "$results"
  done
  r=$((r + 1))
done
# Median over rounds of each round's after/before ratio (pairs ran back to back).
awk '
  function field(name,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  field("side") == "before" { tb = field("gpt_tokens_per_s"); gb = field("gpt_gen_tokens_per_s"); cb = field("cnn_train_seconds"); lb = field("gpt_val_loss"); ab = field("cnn_test_accuracy") }
  field("side") == "after" { n++; tok[n] = field("gpt_tokens_per_s") / tb; gen[n] = field("gpt_gen_tokens_per_s") / gb
                             cnn[n] = cb / field("cnn_train_seconds"); dl[n] = field("gpt_val_loss") - lb; da[n] = field("cnn_test_accuracy") - ab }
  END {
    printf "ratio.gpt_train_tokens_per_s=%.3f\nratio.gpt_gen_tokens_per_s=%.3f\nratio.cnn_train_speed=%.3f\n", median(tok, n), median(gen, n), median(cnn, n)
    printf "delta.gpt_val_loss=%+.4f\ndelta.cnn_test_accuracy=%+.4f\n", median(dl, n), median(da, n) }' "$results"
