#!/bin/sh
# Runs Doxygen on the configured docs/Doxyfile.
# Usage: run-doxygen.sh DOXYGEN DOXYFILE html|check
#   html   write the HTML reference where the Doxyfile says (<build>/docs/html);
#          warnings are printed but do not fail the build.
#   check  the test 'doxygen': write into a temporary directory with every
#          warning fatal (WARN_AS_ERROR = FAIL_ON_WARNINGS, as in the
#          Doxyfile), so an undocumented public symbol or parameter fails.
# An empty DOXYGEN means it was not found: the check skips (exit 77), except
# under CI (CI=true) where a missing tool is a failure.
set -eu
doxygen=$1
doxyfile=$2
mode=$3
if [ -z "$doxygen" ]; then
  if [ "${CI:-}" = true ]; then
    echo "error: doxygen is not installed (scripts/install-deps installs it)" >&2
    exit 1
  fi
  echo "doxygen not found: skipped"
  exit 77
fi
case $mode in
  html)
    { cat "$doxyfile"; echo "WARN_AS_ERROR = NO"; } | "$doxygen" -
    ;;
  check)
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    if ! { cat "$doxyfile"; echo "OUTPUT_DIRECTORY = $out"; } | "$doxygen" -; then
      echo "error: doxygen warnings above (every public symbol, parameter and return value" >&2
      echo "       needs a doc comment at its declaration)" >&2
      exit 1
    fi
    echo "doxygen: no warnings, $(ls "$out/html" | wc -l) HTML files"
    ;;
  *)
    echo "usage: run-doxygen.sh DOXYGEN DOXYFILE html|check" >&2
    exit 2
    ;;
esac
