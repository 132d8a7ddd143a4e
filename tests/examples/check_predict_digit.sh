#!/bin/sh
# predict_digit's saliency picture and its "not sure": a real digit gives
# digit=N and, with --saliency, a PNG of its three panels (input, saliency,
# occlusion; more than 900 pixels wide); a blank picture and a picture full
# of ink (PGMs made here) print "digit=not sure (REASON)" and exit 0.
# Usage: check_predict_digit.sh PREDICT_DIGIT MODEL DIGIT_PICTURE OUT_DIR
set -eu
exe=$1 model=$2 digit=$3 out=$4
picture="$out/predict_digit_saliency.png"
rm -f "$picture" "$out/blank.pgm" "$out/full.pgm"
"$exe" --model "$model" --saliency "$picture" "$digit" > "$out/predict_digit.log"
grep -q '^digit=[0-9] p=' "$out/predict_digit.log" || { echo "FAIL: no digit"; cat "$out/predict_digit.log"; exit 1; }
head -c 8 "$picture" | od -An -c | grep -q 'P   N   G' || { echo "FAIL: $picture is not a PNG"; exit 1; }
width=$(od -An -tu1 -j16 -N4 "$picture" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
[ "$width" -gt 900 ] || { echo "FAIL: $picture is $width pixels wide, expected three panels"; exit 1; }
# 64x64 grey pictures: white paper, and a grey square filling most of it
{ printf 'P5\n64 64\n255\n'; head -c 4096 /dev/zero | tr '\0' '\377'; } > "$out/blank.pgm"
{ printf 'P5\n64 64\n255\n'
  i=0
  while [ $i -lt 64 ]; do
    if [ $i -lt 2 ] || [ $i -ge 62 ]; then head -c 64 /dev/zero | tr '\0' '\377'
    else head -c 2 /dev/zero | tr '\0' '\377'; head -c 60 /dev/zero; head -c 2 /dev/zero | tr '\0' '\377'; fi
    i=$((i + 1))
  done; } > "$out/full.pgm"
for case in "blank:blank" "full:too much ink"; do
  name=${case%%:*} reason=${case#*:}
  line=$("$exe" --model "$model" "$out/$name.pgm" | tail -n 1)
  echo "$name.pgm: $line"
  case $line in "digit=not sure ($reason) "*) ;; *) echo "FAIL: expected not sure ($reason)"; exit 1 ;; esac
done
echo "ok"
