#!/bin/sh
# nnlite used as a meson subproject: copies the consumer project
# (tests/subproject/consumer/) into a temporary directory,
# links the nnlite source tree as its subprojects/nnlite, configures it with
# --force-fallback-for=nnlite (so that an installed nnlite is not taken
# instead) and builds and runs the consumer.
# Usage: check-subproject.sh MESON SOURCE_ROOT
set -eu
meson=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$source/tests/subproject/consumer/meson.build" "$source/tests/subproject/consumer/consumer.c" "$work/"
mkdir "$work/subprojects"
ln -s "$source" "$work/subprojects/nnlite"

# buildtype=plain: no optimisation, so the library compiles quickly.
if ! "$meson" setup "$work/build" "$work" --force-fallback-for=nnlite -Dbuildtype=plain \
     >"$work/setup.log" 2>&1; then
  cat "$work/setup.log"
  exit 1
fi
grep -i "subproject nnlite" "$work/setup.log" | head -n 3
if ! "$meson" compile -C "$work/build" consumer >"$work/compile.log" 2>&1; then
  cat "$work/compile.log"
  exit 1
fi
"$work/build/consumer"
