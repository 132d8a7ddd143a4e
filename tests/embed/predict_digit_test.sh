#!/usr/bin/env bash
# predict_digit must recognise every hand-made picture in DIR (PNG and PGM);
# each file name starts with the digit it shows.
#
#   predict_digit_test.sh PREDICT_DIGIT MODEL DIR
set -euo pipefail
program=$1 model=$2 dir=$3
wrong=0 count=0
for image in "$dir"/*.png "$dir"/*.pgm; do
  expected=$(basename "$image" | cut -c1)
  result=$("$program" --model "$model" "$image" | tail -n 1)
  printf '%-45s expected %s, got %s\n' "$(basename "$image")" "$expected" "$result"
  [[ $result == "digit=$expected "* ]] || wrong=$((wrong + 1))
  count=$((count + 1))
done
echo "$wrong of $count pictures misrecognised"
((count >= 10 && wrong == 0))
