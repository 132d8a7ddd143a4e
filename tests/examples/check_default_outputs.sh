#!/bin/sh
# The examples write their outputs under out/ (which git ignores) when not
# told where, creating the folder; nothing else lands in the working folder.
# Usage: check_default_outputs.sh MNIST_CNN TINY_MNIST_DIR GPT CORPUS
set -eu
mnist_cnn=$1 data=$2 gpt=$3 corpus=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$mnist_cnn" --data "$data" --epochs 1 --batch 16 > mnist_cnn.log
"$gpt" train --corpus "$corpus" --iters 2 --layers 1 --heads 1 --embd 8 --block 8 --batch 2 > gpt.log
for f in out/mnist_cnn.safetensors out/mnist_predictions.png out/mnist_confusion.png out/gpt.safetensors; do
  test -s "$f" || { echo "FAIL: $f was not written"; exit 1; }
done
extra=$(ls -A | grep -v -x -e out -e mnist_cnn.log -e gpt.log || true)
test -z "$extra" || { echo "FAIL: written outside out/: $extra"; exit 1; }
echo "outputs under out/: $(ls out | tr '\n' ' ')"
