#!/bin/sh
# check-deps.sh catches what it must: a tree with one include of each
# forbidden kind fails, naming file, line and rule; the same tree without
# them passes.
set -eu
check=$(dirname "$0")/check-deps.sh
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/core" "$tree/kernels" "$tree/io" "$tree/optim" "$tree/nn/layers" "$tree/classic"
printf '#include "core/a.h"\n#include "nnlite/status.h"\n' >"$tree/core/a.h"
printf '#include "core/a.h"\n#include "k.h"\n' >"$tree/kernels/k.h"
printf '#include "kernels/k.h"\n' >"$tree/io/json.h"
printf '#include "kernels/k.h"\n#include "core/a.h"\n' >"$tree/optim/param.h"
printf '#include "optim/param.h"\n#include "io/json.h"\n#include "nn/layers/x.h"\n' >"$tree/nn/layer.h"
printf '#include "nn/layer.h"\n' >"$tree/nn/layers/dense.c"
printf '#include "nn/layer.h"\n#include "io/json.h"\n' >"$tree/classic/svm.c"

"$check" "$tree" >/dev/null || { echo "FAIL: a clean tree is refused:"; "$check" "$tree"; exit 1; }

printf '#include "optim/param.h"\n#include "kernels/k.h"\n#include "nn/layer.h"\n' >"$tree/io/bad.c"
printf '\n#  include "kernels/k.h"\n' >"$tree/core/bad.h"
printf '#include "../core/a.h"\n#include "classic/svm.h"\n#include "nope/x.h"\n' >"$tree/nn/layers/bad.c"
mkdir -p "$tree/trees" && printf '#include "classic/svm.h"\n' >"$tree/trees/forest.c"
if out=$("$check" "$tree"); then
    echo "FAIL: a tree with forbidden includes passes"; exit 1
fi
fail=0
expect() {
    printf '%s\n' "$out" | grep -F -- "$1" >/dev/null || { echo "FAIL: no line containing: $1"; fail=1; }
}
expect 'lib/io/bad.c:1: #include "optim/param.h": io may not include from optim, a folder beside it'
expect 'lib/io/bad.c:3: #include "nn/layer.h": io may not include from nn, a folder above it'
expect 'lib/core/bad.h:2: #include "kernels/k.h": core may not include from kernels, a folder above it'
expect 'lib/nn/layers/bad.c:1: #include "../core/a.h": a path with ".."'
expect 'lib/nn/layers/bad.c:2: #include "classic/svm.h": nn may not include from classic, a folder above it'
expect 'lib/nn/layers/bad.c:3: #include "nope/x.h": lib/nope does not exist'
expect 'lib/trees/forest.c:1: #include "classic/svm.h": trees may not include from classic, a folder beside it'
expect 'check-deps: 7 include(s) break the rule'
[ "$fail" = 0 ] || { printf 'output was:\n%s\n' "$out"; exit 1; }
echo "check-deps catches each kind of forbidden include"
