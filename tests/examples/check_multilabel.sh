#!/bin/sh
# multilabel with its defaults on the two-digit images (data/multilabel, made
# by scripts/fetch-data) must reach micro-F1 0.93 on the test images and
# write the prediction grid.
# Usage: check_multilabel.sh MULTILABEL SOURCE_ROOT OUT_DIR
# Exit 77 (skipped) without the data.
set -eu
exe=$1 root=$2 out=$3
data="$root/data/multilabel"
if [ ! -f "$data/t10k-labels-idx2-ubyte.gz" ] && [ ! -f "$data/t10k-labels-idx2-ubyte" ]; then
  echo "no $data: run scripts/fetch-data"
  exit 77
fi
model="$out/multilabel_defaults.safetensors" grid="$out/multilabel_defaults.png"
rm -f "$model" "$grid"
"$exe" --data "$data" --save "$model" --grid "$grid" > "$out/multilabel_defaults.log"
last=$(tail -n 1 "$out/multilabel_defaults.log")
echo "$last"
f1=$(echo "$last" | sed -n 's/^subset_accuracy=[0-9.]* micro_f1=\([0-9.]*\) .*/\1/p')
awk -v f="$f1" 'BEGIN { exit !(f != "" && f >= 0.93) }' || { echo "FAIL: micro-F1 '$f1' < 0.93"; exit 1; }
[ -s "$grid" ] && [ -s "$model" ] || { echo "FAIL: no grid PNG or model file"; exit 1; }
echo "ok"
