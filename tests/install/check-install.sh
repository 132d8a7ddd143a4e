#!/usr/bin/env bash
# `meson install` into a temporary DESTDIR puts every file of the build's
# install plan in place, the plan holds what a user installs (library and
# soname link, headers, pkg-config file, CMake package, and, when configured,
# the HTML reference and the Python package), and a CMake project outside
# the tree (tests/install/consumer) builds against the staged copy with
# find_package(nnlite) + nnlite::nnlite and runs. Asking CMake for the next
# major version must fail.
#
#   check-install.sh MESON BUILD_DIR SOURCE_DIR PREFIX VERSION CMAKE CC CXX
#
# An empty CMAKE or CXX means the tool was not found: skipped (exit 77), or
# a failure under CI (CI=true), where the HTML reference and the Python
# package must be in the plan as well.
set -euo pipefail
meson=$1 build=$2 source=$3 prefix=$4 version=$5 cmake=$6 cc=$7 cxx=$8

if [[ -z $cmake || -z $cxx ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "error: cmake or a C++ compiler is missing (scripts/install-deps installs them)" >&2
    exit 1
  fi
  echo "skipped: cmake or a C++ compiler is missing"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

"$meson" install -C "$build" --destdir "$root" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }
"$meson" introspect "$build" --installed >"$work/plan.json"

# Every planned file is there; the plan has what a user needs.
python3 - "$work/plan.json" "$root" "${CI:-}" <<'PY'
import json, os, sys
plan, root, ci = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3] == "true"
dests = sorted(set(plan.values()))
missing = [d for d in dests if not os.path.lexists(root + d)]
for d in missing:
    print("not installed:", d)
required = {
    "shared library": "/libnnlite.so.0",
    "umbrella header": "/include/nnlite.h",
    "generated version header": "/include/nnlite/version.h",
    "pkg-config file": "/pkgconfig/nnlite.pc",
    "CMake package": "/cmake/nnlite/nnliteConfig.cmake",
    "CMake version file": "/cmake/nnlite/nnliteConfigVersion.cmake",
}
optional = {
    "HTML reference": "/doc/nnlite/html",
    "Python package": "/nnlite/__init__.py",
}
def present(suffix):
    hits = [d for d in dests if d.endswith(suffix)]
    if suffix == "/libnnlite.so.0":  # the soname link sits beside the planned file
        hits = [os.path.join(os.path.dirname(d), "libnnlite.so.0")
                for d in dests if "/libnnlite.so." in d and os.path.lexists(root + os.path.join(os.path.dirname(d), "libnnlite.so.0"))]
    return hits
bad = bool(missing)
for what, suffix in required.items():
    hits = present(suffix)
    print("%-25s %s" % (what, hits[0] if hits else "MISSING"))
    bad |= not hits
for what, suffix in optional.items():
    hits = present(suffix)
    if hits and suffix.endswith("/html") and not os.path.exists(root + hits[0] + "/index.html"):
        hits = []
    print("%-25s %s" % (what, hits[0] if hits else "not configured in this build"))
    bad |= ci and not hits
sys.exit(1 if bad else 0)
PY

# The CMake consumer, through the standard search path.
staged=$root$prefix
major=${version%%.*}
"$cmake" -S "$source/tests/install/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$staged" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DNNLITE_WANTED="$major.0" >"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; exit 1; }
grep "found nnlite" "$work/cmake.log"
grep -q "found nnlite $version in $staged/" "$work/cmake.log" ||
  { echo "CMake did not find the staged nnlite $version"; exit 1; }
"$cmake" --build "$work/cmake" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
for program in consumer consumer_cpp; do
  libs=$(ldd "$work/cmake/$program")
  [[ $libs == *"$root"* ]] || { echo "$program does not load the staged library:"; echo "$libs"; exit 1; }
  "$work/cmake/$program"
done

# An installed $major.x does not satisfy a request for the next major version.
if "$cmake" -S "$source/tests/install/consumer" -B "$work/cmake-next" -DCMAKE_PREFIX_PATH="$staged" \
     -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DNNLITE_WANTED="$((major + 1)).0" \
     >"$work/next.log" 2>&1; then
  echo "find_package(nnlite $((major + 1)).0) accepted nnlite $version"
  exit 1
fi
grep -q "considered but not accepted" "$work/next.log" ||
  { cat "$work/next.log"; exit 1; }
echo "find_package(nnlite $((major + 1)).0) refuses nnlite $version, as it should"
