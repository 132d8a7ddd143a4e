#!/bin/sh
# ABI check of the built libnnlite.so against the committed libabigail
# baseline docs/abi/<soname>.abi (the test 'abi-compat', suite abi).
#
# Usage: check-abi.sh ABIDW ABIDIFF LIBRARY ABI_DIR              compare
#        check-abi.sh ABIDW ABIDIFF LIBRARY ABI_DIR --baseline   write the baseline
#
# The rules (docs/versioning.md):
# - Only public types count: types declared outside include/nnlite/*.h, such
#   as the structs behind the opaque handles, are read as opaque declarations
#   (ABI_DIR/private-types.suppr).
# - Compatible, so passing: added functions, added enumerators, and a sized
#   option struct (struct_size first) growing at its end
#   (ABI_DIR/compatible.suppr). Everything else abidiff reports fails: a
#   removed function, a changed parameter or return type, a changed public
#   struct or enum value, a changed soname.
# - The baseline changes only together with a soname bump. It is named after
#   the soname and --baseline refuses to overwrite an existing one: an
#   incompatible change means raising abi_version in meson.build (soname
#   libnnlite.so.N+1) and committing the new docs/abi/libnnlite.so.N+1.abi.
# - The library must have debug info (DWARF): scripts/test configures its
#   build with -Ddebug=true. Without abidw/abidiff or without debug info the
#   test is skipped (exit 77), except under CI (CI=true), where it fails.
set -eu
abidw=$1
abidiff=$2
lib=$3
abi_dir=$4
mode=${5:-compare}

unavailable() {
  if [ "${CI:-}" = true ]; then
    echo "error: $1" >&2
    exit 1
  fi
  echo "skipped: $1"
  exit 77
}

[ -n "$abidw" ] && [ -n "$abidiff" ] ||
  unavailable "abidw/abidiff not found (Debian package abigail-tools; scripts/install-deps installs it)"
readelf -S "$lib" | grep -q '\.debug_info' ||
  unavailable "$lib has no debug info; configure the build with -Ddebug=true"

soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ -n "$soname" ] || { echo "error: $lib has no soname" >&2; exit 1; }
baseline=$abi_dir/$soname.abi

dump() {
  "$abidw" --suppressions "$abi_dir/private-types.suppr" --drop-private-types \
    --drop-undefined-syms --no-architecture --no-corpus-path --no-comp-dir-path \
    --type-id-style hash --out-file "$2" "$1"
}

if [ "$mode" = --baseline ]; then
  if [ -e "$baseline" ]; then
    echo "error: $baseline exists. The baseline of a soname never changes; an" >&2
    echo "       incompatible change needs a soname bump (docs/versioning.md)." >&2
    exit 1
  fi
  dump "$lib" "$baseline"
  echo "wrote $baseline ($(grep -c '<elf-symbol' "$baseline") symbols)"
  exit 0
fi

if [ ! -e "$baseline" ]; then
  echo "error: no ABI baseline $baseline for soname $soname." >&2
  echo "       After a soname bump, write it with: $0 ABIDW ABIDIFF $lib $abi_dir --baseline" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dump "$lib" "$work/current.abi"

# Every change abidiff reports, additions included, for the log.
"$abidiff" --suppressions "$abi_dir/compatible.suppr" "$baseline" "$work/current.abi" \
  > "$work/all.txt" 2>&1 || true
added=$(sed -n 's/.* \([0-9][0-9]*\) Added.*function.*/\1/p' "$work/all.txt" | head -n 1)

# The verdict: with additions left out, any remaining difference fails.
status=0
"$abidiff" --no-added-syms --suppressions "$abi_dir/compatible.suppr" "$baseline" \
  "$work/current.abi" > "$work/incompatible.txt" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/incompatible.txt"
  echo "error: the ABI of $soname changed incompatibly since $baseline (abidiff exit $status)." >&2
  echo "       Restore the old declarations, or bump the soname (docs/versioning.md)." >&2
  exit 1
fi
echo "ABI of $soname compatible with $baseline; ${added:-0} functions added since."
