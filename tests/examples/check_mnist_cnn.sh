#!/bin/sh
# mnist_cnn with its defaults on the real-digits split (data/mnist, made by
# scripts/fetch-data) must reach 97% test accuracy, write the prediction
# grid, and save a model that predict_digit (when built) loads and runs.
# Usage: check_mnist_cnn.sh MNIST_CNN SOURCE_ROOT OUT_DIR [PREDICT_DIGIT]
# Exit 77 (skipped) without the data.
set -eu
exe=$1 root=$2 out=$3 predict=${4:-}
data="$root/data/mnist"
if [ ! -f "$data/train-images-idx3-ubyte.gz" ] && [ ! -f "$data/train-images-idx3-ubyte" ]; then
  echo "no $data: run scripts/fetch-data"
  exit 77
fi
model="$out/mnist_cnn_defaults.safetensors" grid="$out/mnist_cnn_defaults.png"
rm -f "$model" "$grid"
"$exe" --data "$data" --save "$model" --grid "$grid" > "$out/mnist_cnn_defaults.log"
last=$(tail -n 1 "$out/mnist_cnn_defaults.log")
echo "$last"
accuracy=$(echo "$last" | sed -n 's/^test_accuracy=\([0-9.]*\) .*/\1/p')
awk -v a="$accuracy" 'BEGIN { exit !(a != "" && a >= 0.97) }' || { echo "FAIL: test accuracy '$accuracy' < 0.97"; exit 1; }
[ -s "$grid" ] || { echo "FAIL: no grid PNG"; exit 1; }
if [ -n "$predict" ]; then
  "$predict" --model "$model" "$root/tests/data/digits/7-crossbar-200x240.png" | grep -q '^digit=7 ' ||
    { echo "FAIL: predict_digit did not read the 7 with the saved model"; exit 1; }
fi
echo "ok"
