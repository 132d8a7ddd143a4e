#!/usr/bin/env bash
# Installs the build into a temporary directory (meson install --destdir) and
# builds two programs from outside the tree with nothing but
# `pkg-config --cflags --libs nnlite`: tests/embed/outside.c (C11) and the
# C++ example examples/cpp/ (C++17; its own C helpers compiled beside it, as
# a user's program would). Runs both against the installed library, the C++
# one with the installed default digits model.
#
#   install_test.sh BUILD_DIR SOURCE_DIR PREFIX LIBDIR DATADIR
set -euo pipefail
build=$1 source=$2 prefix=$3 libdir=$4 datadir=$5
[[ $libdir == /* ]] || libdir=$prefix/$libdir
[[ $datadir == /* ]] || datadir=$prefix/$datadir

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

meson install -C "$build" --destdir "$root" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }

# The .pc file names the final prefix; PKG_CONFIG_SYSROOT_DIR points its
# -I and -L at the copy under the destdir, as for a staged install.
export PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs nnlite)
echo "pkg-config --cflags --libs nnlite: $flags"
[[ $flags == *"-I$root"* && $flags == *"-L$root"* ]] ||
  { echo "pkg-config does not point into the temporary install"; exit 1; }
export LD_LIBRARY_PATH=$root$libdir

cc -std=c11 -Wall -Wextra -Wpedantic -Werror "$source/tests/embed/outside.c" $flags -o "$work/outside"
ldd "$work/outside" | grep "$root" >/dev/null || { echo "outside does not load the installed library"; exit 1; }
"$work/outside"

if command -v c++ >/dev/null; then
  (cd "$work" && cc -std=c11 -Wall -Werror -c "$source"/examples/common/{grey_image,pgm_read,digit_image}.c)
  c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror "$source/examples/cpp/nnlite_cpp.cpp" -I"$source/examples" \
    "$work"/{grey_image,pgm_read,digit_image}.o $flags -o "$work/nnlite_cpp"
  "$work/nnlite_cpp" train --save "$work/tiny.safetensors"
  "$work/nnlite_cpp" classify --model "$root$datadir/nnlite/digits.safetensors" "$source"/tests/data/digits/*.pgm |
    tee "$work/classified"
  # Each line "DIR/N-name.pgm: digit=M p=..." must have N = M.
  ! grep -Ev '/([0-9])-[^/]*: digit=\1 ' "$work/classified" || { echo "misclassified"; exit 1; }
else
  echo "no C++ compiler: C++ part skipped"
fi
