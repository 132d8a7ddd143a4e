#!/bin/sh
# Compare the dynamic symbols a built libnnlite.so defines with the checked-in
# list. Usage: check-symbols.sh LIBRARY SYMBOLS_TXT
# To update the list after adding a public function:
#   nm -D --defined-only build/lib/libnnlite.so | awk '{print $3}' | sed 's/@.*//' | sort > tests/abi/symbols.txt
set -eu
lib=$1
expected=$2
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
nm -D --defined-only "$lib" | awk '$2 != "A" {print $3}' | sed 's/@.*//' | sort -u > "$actual"
if grep -v '^nnl_' "$actual"; then
    echo "error: symbols above are exported but do not start with nnl_" >&2
    exit 1
fi
if ! diff -u "$expected" "$actual"; then
    echo "error: exported symbols differ from $expected (see the diff above)" >&2
    exit 1
fi
echo "exported symbols: $(wc -l < "$actual"), all nnl_* and as listed"
