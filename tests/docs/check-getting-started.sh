#!/bin/sh
# The first C program and the first Python script of docs/getting-started.md
# (its first ```c and first ```python blocks) compile and run against this
# build, and reach a sensible test accuracy when the real digits are present.
# Usage: check-getting-started.sh SOURCE_ROOT BUILD_ROOT CC LIBRARY PYTHON
#   PYTHON may be empty (no Python configured): then only C runs.
set -eu
root=$1
build=$2
cc=$3
library=$4
python=$5
guide=$root/docs/getting-started.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

block() { # the first fenced block of a language
  awk -v lang="$1" 'done {next} $0 == "```" lang {inside=1; next} inside && /^```$/ {done=1; next} inside' "$guide"
}
block c > "$work/first.c"
block python > "$work/first.py"
test -s "$work/first.c" || { echo "no C block in $guide" >&2; exit 1; }
test -s "$work/first.py" || { echo "no Python block in $guide" >&2; exit 1; }

"$cc" -std=c99 -Wall -Wextra -Werror -I"$root/include" -I"$build/include" "$work/first.c" \
  -L"$build/lib" -lnnlite -Wl,-rpath,"$build/lib" -o "$work/first"
if [ -n "$python" ]; then
  "$python" -m py_compile "$work/first.py"
fi
if [ ! -f "$root/data/mnist/train-images-idx3-ubyte.gz" ]; then
  echo "compiled; data/mnist absent (scripts/fetch-data), not run"
  exit 0
fi

# Run where the guide says: a directory with data/mnist, writing its files there.
ln -s "$root/data" "$work/data"
cd "$work"
accuracy_ok() { awk '/test accuracy/ {seen=1; ok = $NF >= 0.9} END {exit !(seen && ok)}'; }
./first | tee c.out
accuracy_ok < c.out || { echo "first.c: accuracy below 0.9" >&2; exit 1; }
test -s first.safetensors
if [ -n "$python" ]; then
  PYTHONPATH=$root/bindings/python NNLITE_LIBRARY=$library "$python" first.py | tee py.out
  accuracy_ok < py.out || { echo "first.py: accuracy below 0.9" >&2; exit 1; }
fi
