#!/bin/sh
# --log, --curves and --confusion: the CSV file has the documented header and
# one line per logged step, epoch and validation; the pictures are PNG files
# of a sensible size.
# Usage: check_training_outputs.sh MNIST_CNN TINY_MNIST_DIR GPT CORPUS
set -eu
mnist_cnn=$1 data=$2 gpt=$3 corpus=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
header="kind,epoch,step,loss,accuracy,val_loss,val_accuracy,learning_rate,samples_per_s,tokens_per_s,elapsed_s"

# check_png FILE MIN_WIDTH MIN_HEIGHT: the PNG signature, then the IHDR size.
check_png() {
  signature=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
  [ "$signature" = 89504e470d0a1a0a ] || { echo "FAIL: $1 is not a PNG file (starts $signature)"; exit 1; }
  size=$(od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8}')
  width=${size% *} height=${size#* }
  if [ "$width" -lt "$2" ] || [ "$height" -lt "$3" ] || [ "$width" -gt 4000 ] || [ "$height" -gt 4000 ]; then
    echo "FAIL: $1 is ${width}x${height}, expected at least $2x$3"
    exit 1
  fi
  echo "$1: PNG ${width}x${height}"
}

# check_csv FILE KIND COUNT [KIND COUNT ...]: the header, then COUNT rows of each KIND and no others.
check_csv() {
  file=$1
  shift
  [ "$(head -n 1 "$file")" = "$header" ] || { echo "FAIL: $file header: $(head -n 1 "$file")"; exit 1; }
  expected=0
  while [ $# -gt 0 ]; do
    got=$(grep -c "^$1," "$file" || true)
    [ "$got" -eq "$2" ] || { echo "FAIL: $file has $got $1 rows, expected $2"; exit 1; }
    expected=$((expected + $2))
    shift 2
  done
  rows=$(($(wc -l < "$file") - 1))
  [ "$rows" -eq "$expected" ] || { echo "FAIL: $file has $rows rows, expected $expected"; exit 1; }
  echo "$file: header and $rows rows"
}

# 40 training images in batches of 16: 3 steps per epoch, 2 epochs.
"$mnist_cnn" --data "$data" --epochs 2 --batch 16 --save "$work/m.safetensors" --grid "$work/grid.png" \
  --confusion "$work/confusion.png" --log "$work/mnist.csv" --curves "$work/mnist.png" > "$work/mnist.log"
check_csv "$work/mnist.csv" step 6 epoch 2
check_png "$work/mnist.png" 1000 400
check_png "$work/confusion.png" 400 400
check_png "$work/grid.png" 100 100

# Steps mode: 6 steps, validated after the last.
"$gpt" train --corpus "$corpus" --iters 6 --layers 1 --heads 1 --embd 8 --block 8 --batch 2 \
  --save "$work/gpt.safetensors" --log "$work/gpt.csv" --curves "$work/gpt.png" > "$work/gpt.log"
check_csv "$work/gpt.csv" step 6 validation 1
check_png "$work/gpt.png" 1000 400
"$gpt" generate --model "$work/gpt.safetensors" --tokens 5 --attention "$work/attention.png" > "$work/generate.log" 2>&1
check_png "$work/attention.png" 640 200
echo ok
