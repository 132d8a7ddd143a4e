#!/bin/sh
# The C program in README.md compiles against the built library, runs, and
# trains to a sensible accuracy (when the real digits are present).
# Usage: check-readme-example.sh SOURCE_ROOT BUILD_ROOT CC
set -eu
root=$1
build=$2
cc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/^```c$/ {inside=1; next} /^```$/ {inside=0} inside' "$root/README.md" > "$work/first.c"
test -s "$work/first.c" || { echo "no C block in README.md" >&2; exit 1; }
"$cc" -std=c99 -Wall -Werror -I"$root/include" -I"$build/include" "$work/first.c" \
  -L"$build/lib" -lnnlite -Wl,-rpath,"$build/lib" -o "$work/first"
if [ ! -f "$root/data/mnist/train-images-idx3-ubyte.gz" ]; then
  echo "compiled; data/mnist absent (scripts/fetch-data), not run"
  exit 0
fi
# Run beside a link to data/, so that the model it saves lands in the
# temporary directory, not in the source tree.
ln -s "$root/data" "$work/data"
cd "$work"
out=$("$work/first")
echo "$out"
echo "$out" | awk '/test accuracy/ { exit !($3 >= 0.95) }'
