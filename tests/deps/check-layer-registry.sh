#!/bin/sh
# Every layer type is registered once, under its own name: each descriptor
# `const nnl_layer_ops nnl_layer_ops_<name>` defined in lib/nn/layers/*.c
# has .type = "<name>" and a line X(<name>) in lib/nn/layers/registry.c, and
# every registry line has its descriptor. A type missing from the registry
# would build and run but its models would not load.
# Usage: check-layer-registry.sh [lib-dir]
set -eu
lib=${1:-$(dirname "$0")/../../lib}
dir=$lib/nn/layers
registry=$dir/registry.c
[ -f "$registry" ] || { echo "check-layer-registry: no $registry" >&2; exit 2; }

defined=$(grep -h '^const nnl_layer_ops nnl_layer_ops_[a-z0-9_]* = {' "$dir"/*.c |
          sed 's/^const nnl_layer_ops nnl_layer_ops_\([a-z0-9_]*\).*/\1/' | sort)
listed=$(grep '^ *X([a-z0-9_]*) *\\\{0,1\}$' "$registry" | sed 's/^ *X(\([a-z0-9_]*\)).*/\1/' | sort)
fail=0
for name in $defined; do
    file=$(grep -l "^const nnl_layer_ops nnl_layer_ops_$name = {" "$dir"/*.c)
    printf '%s\n' "$listed" | grep -qx "$name" ||
        { echo "$file: descriptor nnl_layer_ops_$name has no line X($name) in lib/nn/layers/registry.c"; fail=1; }
    # the name a model file gives is the descriptor's .type: it must be the suffix
    grep -A1 "^const nnl_layer_ops nnl_layer_ops_$name = {" "$file" | grep -q "\.type = \"$name\"" ||
        { echo "$file: nnl_layer_ops_$name must begin {.type = \"$name\", ..."; fail=1; }
done
for name in $listed; do
    printf '%s\n' "$defined" | grep -qx "$name" ||
        { echo "lib/nn/layers/registry.c: X($name) has no descriptor nnl_layer_ops_$name in lib/nn/layers/"; fail=1; }
done
dups=$(printf '%s\n' "$listed" | uniq -d)
[ -z "$dups" ] || { echo "lib/nn/layers/registry.c: listed twice: $dups"; fail=1; }
[ -n "$defined" ] || { echo "check-layer-registry: no descriptor found in $dir"; fail=1; }
[ "$fail" = 0 ] || exit 1
echo "check-layer-registry: $(printf '%s\n' "$defined" | wc -l | tr -d ' ') layer types, each registered once under its name"
