#!/bin/sh
# The dependency rule of lib/ (docs/architecture.md, "The dependency rule"):
#
#   core  <-  kernels  <-  data, io, optim  <-  nn  <-  any other folder
#
# The folders above nn today: classic (the SVMs, trees and forests of
# estimator.h), which uses core, kernels, data and io but not nn.
# A file may include ("folder/file.h") a header of its own folder (and its
# subfolders) or of a folder on a lower level; public headers ("nnlite/...")
# are open to all. Folders on the same level do not include each other
# (data, io and optim are independent; so are the folders above nn). A
# header named without a folder is its own folder's; ".." is refused.
#
# Usage: check-deps.sh [lib-dir]   (default: lib beside this script's tests/)
# Prints one line per broken rule, "file:line: ...", and exits 1; exits 0
# when every #include "..." in lib/ follows the rule.
set -eu

lib=${1:-$(dirname "$0")/../../lib}
[ -d "$lib" ] || { echo "check-deps: no folder $lib" >&2; exit 2; }
lib=$(cd "$lib" && pwd)
folders=$(cd "$lib" && find . -mindepth 1 -maxdepth 1 -type d | sed 's|^\./||' | sort | tr '\n' ' ')

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# find reports a failing awk in its exit status; set -e stops on it.
find "$lib" -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' -o -name '*.inc' \) -exec awk \
    -v lib="$lib" -v folders="$folders" '
function level(d) {
    if (d == "core") return 0
    if (d == "kernels") return 1
    if (d == "data" || d == "io" || d == "optim") return 2
    if (d == "nn") return 3
    return 4 # any folder above nn: classic, and any new one
}
function allowed(d,    l, s) {
    l = level(d)
    if (l == 0) return "only core (and nnlite/)"
    if (l == 1) return "core, kernels"
    if (l == 2) return "core, kernels and " d " itself"
    if (l == 3) return "core, kernels, data, io, optim, nn"
    return "core, kernels, data, io, optim, nn and " d " itself"
}
BEGIN { n = split(folders, list, " "); for (i = 1; i <= n; i++) known[list[i]] = 1 }
FNR == 1 {
    rel = FILENAME; sub("^" lib "/", "", rel)
    own = rel; sub("/.*", "", own)
    if (own == rel) own = ""   # a file directly in lib/: no folder, no rule
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
    if (own == "") next
    inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
    where = "lib/" rel ":" FNR ": #include \"" inc "\": "
    if (inc ~ /(^|\/)\.\.(\/|$)/) {
        print where "a path with \"..\"; name headers from lib/ (\"folder/file.h\")"; next
    }
    if (inc !~ /\//) next                     # its own folder
    dir = inc; sub(/\/.*/, "", dir)
    if (dir == "nnlite" || dir == own) next   # public header, own folder
    if (!(dir in known)) {
        print where "lib/" dir " does not exist (only lib/ folders and nnlite/ may be named)"; next
    }
    if (level(dir) > level(own))
        print where own " may not include from " dir ", a folder above it (" own " may include " allowed(own) ")"
    else if (level(dir) == level(own))
        print where own " may not include from " dir ", a folder beside it on the same level (" own \
              " may include " allowed(own) ")"
}' {} + >"$tmp"
out=$(sort "$tmp")

if [ -n "$out" ]; then
    printf '%s\n' "$out"
    echo "check-deps: $(printf '%s\n' "$out" | wc -l | tr -d ' ') include(s) break the rule core <- kernels <- data, io, optim <- nn <- other folders (docs/architecture.md)"
    exit 1
fi
echo "check-deps: every #include in lib/ follows core <- kernels <- data, io, optim <- nn <- other folders"
