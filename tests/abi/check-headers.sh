#!/bin/sh
# Every public header compiles alone, twice included, as C99 with -pedantic
# and as C++11 (one generated translation unit per header and language), and
# every header in include/nnlite/ is in the installed list.
# Usage: check-headers.sh CC CXX SOURCE_INCLUDE BUILD_INCLUDE HEADER...
#   HEADER: paths relative to the include directories, as a user writes them
#   (nnlite.h, nnlite/tensor.h, ...). An empty CXX means no C++ compiler was
#   found: the test is skipped (exit 77), or fails under CI (CI=true).
set -eu
cc=$1
cxx=$2
src_inc=$3
build_inc=$4
shift 4

if [ -z "$cxx" ]; then
  if [ "${CI:-}" = true ]; then
    echo "error: no C++ compiler (g++) found; scripts/install-deps installs it" >&2
    exit 1
  fi
  echo "skipped: no C++ compiler"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
count=0
for h in "$@"; do
  name=$(echo "$h" | tr '/.' '__')
  # A declaration after the includes keeps a header that only defines
  # macros from making an empty translation unit (an error under -pedantic).
  printf '#include <%s>\n#include <%s>\ntypedef int nnl_header_check_%s;\n' "$h" "$h" "$name" > "$work/$name.c"
  cp "$work/$name.c" "$work/$name.cpp"
  if ! "$cc" -std=c99 -pedantic-errors -Wall -Wextra -Werror -Wstrict-prototypes \
       -I"$src_inc" -I"$build_inc" -fsyntax-only "$work/$name.c"; then
    echo "FAIL: <$h> as C99" >&2
    failed=1
  fi
  if ! "$cxx" -std=c++11 -pedantic-errors -Wall -Wextra -Werror \
       -I"$src_inc" -I"$build_inc" -fsyntax-only "$work/$name.cpp"; then
    echo "FAIL: <$h> as C++11" >&2
    failed=1
  fi
  count=$((count + 1))
done

# A header added to include/nnlite/ but not to include/meson.build would be
# neither installed nor checked here.
for f in "$src_inc"/nnlite/*.h; do
  h=nnlite/$(basename "$f")
  case " $* " in
    *" $h "*) ;;
    *) echo "FAIL: $h is not in public_header_names (include/meson.build)" >&2; failed=1 ;;
  esac
done

[ "$failed" -eq 0 ] || exit 1
echo "$count public headers compile alone as C99 -pedantic and as C++11"
