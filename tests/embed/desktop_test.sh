#!/usr/bin/env bash
# Runs the GTK digit recognizer under Xvfb, draws digits on its canvas with
# xdotool (a vertical stroke for 1, a closed loop for 0, a 7), clearing with
# its Clear button in between, and checks the predictions it prints; then
# turns on "Show saliency" and checks the 7 is still predicted with the heat
# map drawn over it, and that a dot and a canvas filled with strokes are
# "not sure" (the library's input check). Saves a screenshot after each step
# in OUT_DIR (desktop-1.png, desktop-0.png, desktop-7.png,
# desktop-saliency.png, desktop-dot.png, desktop-full.png).
#
#   desktop_test.sh PROGRAM MODEL OUT_DIR
set -euo pipefail
program=$1 model=$2 out=$3

# A missing tool skips the test (status 77), except under CI=true where it fails.
for tool in xvfb-run xauth xdotool import; do
  if ! command -v $tool >/dev/null; then
    echo "$tool is missing: run scripts/install-deps"
    [[ ${CI:-} == true ]] && exit 1 || exit 77
  fi
done
if [[ -z ${NNL_DESKTOP_TEST_IN_XVFB:-} ]]; then
  exec xvfb-run -a -s "-screen 0 800x600x24" env NNL_DESKTOP_TEST_IN_XVFB=1 "$0" "$@"
fi

work=$(mktemp -d)
"$program" --model "$model" >"$work/stdout" 2>"$work/stderr" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT

die() {
  echo "desktop test: $*"
  echo "--- program output:"; cat "$work/stdout"
  echo "--- program errors:"; cat "$work/stderr"
  exit 1
}

# The program's output since the last clear_canvas (lines after $seen).
seen=0
recent() { tail -n +$((seen + 1)) "$work/stdout"; }

# Waits up to 20 s for a line matching $1 in the recent output.
wait_for() {
  for _ in $(seq 200); do
    recent | grep "$1" >/dev/null && return 0
    kill -0 $pid 2>/dev/null || die "the program exited"
    sleep 0.1
  done
  die "no line matching '$1' within 20 s"
}

# Waits until the output has stopped growing for a second (the last
# prediction then covers the whole drawing, even on a busy machine).
wait_quiet() {
  local before=-1 now
  while now=$(wc -l <"$work/stdout"); [[ $now != "$before" ]]; do
    before=$now
    sleep 1
  done
}

wait_for '^ready '
layout=$(grep '^ready ' "$work/stdout")
IFS=, read -r cx cy cw ch <<<"$(sed 's/.* canvas=\([^ ]*\).*/\1/' <<<"$layout")"
IFS=, read -r bx by bw bh <<<"$(sed 's/.* clear=\([^ ]*\).*/\1/' <<<"$layout")"
IFS=, read -r sx sy sw sh <<<"$(sed 's/.* saliency=\([^ ]*\).*/\1/' <<<"$layout")"
window=$(xdotool search --sync --name '^nnlite digit recognizer$' | head -n 1)
echo "$layout (window $window)"

# draw "x0 y0 x1 y1 ...": one stroke through points given in per mille of the canvas.
draw() {
  local args=() first=1 x y
  set -- $1
  while (($#)); do
    x=$((cx + $1 * cw / 1000)) y=$((cy + $2 * ch / 1000))
    args+=(mousemove --window "$window" "$x" "$y")
    if ((first)); then args+=(mousedown 1); first=0; fi
    args+=(sleep 0.02)
    shift 2
  done
  xdotool "${args[@]}" mouseup 1
}

# expect DIGIT [NAME]: the last prediction after the drawing settled must be
# DIGIT; the screenshot is desktop-NAME.png (NAME defaults to DIGIT).
expect() {
  wait_for '^prediction='
  wait_quiet
  local last shot="$out/desktop-${2:-$1}.png"
  last=$(recent | grep '^prediction=' | tail -n 1)
  import -window root "$shot"
  echo "drew $1: $last (screenshot $shot)"
  [[ $last == "prediction=$1 "* ]] || die "expected prediction=$1, got $last"
}

clear_canvas() {
  xdotool mousemove --window "$window" $((bx + bw / 2)) $((by + bh / 2)) click 1
  wait_for '^cleared'
  seen=$(wc -l <"$work/stdout")
}

draw "500 120  500 300  500 500  500 700  500 880"
expect 1
clear_canvas

loop=""
for angle in $(seq 0 15 375); do
  loop+=" $(awk -v a="$angle" 'BEGIN { r = a * 3.14159265 / 180
                                      printf "%d %d", 500 + 260 * sin(r), 500 - 380 * cos(r) }')"
done
draw "$loop"
expect 0
clear_canvas

draw "230 150  500 140  770 150  620 450  480 860"
expect 7

# The saliency toggle: the 7 is predicted again with the map over it.
seen=$(wc -l <"$work/stdout")
xdotool mousemove --window "$window" $((sx + 10)) $((sy + sh / 2)) click 1
wait_for '^saliency=on'
expect 7 saliency
clear_canvas

# A dot is nearly blank; strokes over the whole canvas are too much ink.
draw "500 500  505 500"
expect "not sure (blank)" dot
clear_canvas
scribble=""
for row in $(seq 30 50 980); do
  scribble+=" 20 $row  980 $((row + 25))"
done
draw "$scribble"
expect "not sure (too much ink)" full
