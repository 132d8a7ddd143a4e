#!/bin/sh
# What the profiler costs on the MNIST CNN (bench/mnist.c): the CPU time of
# fit with a library built without the profiler (BASE_LIB_DIR, e.g. a build of
# the commit before it), with the profiler built in but off, and with it on
# (NNL_PROFILE). One bench_mnist binary runs against each library through
# LD_LIBRARY_PATH (its RUNPATH yields to it); the three are alternated in
# every round, in a rotating order, so that a load that changes during the
# run weighs on all of them alike. CPU time (train_cpu_seconds) rather than wall time: other
# programs on the machine stretch wall time, much less the CPU time a
# single-threaded run uses.
# Usage: bench/run-profile-overhead.sh BUILD_DIR BASE_LIB_DIR [ROUNDS] [EPOCHS] [THREADS]
# Prints key=value lines: per variant the mean, median and minimum CPU
# seconds and the mean and median wall seconds of fit, then the overheads
# from the means and from the minima (the least disturbed runs).
set -eu
build=$1 base=$2 rounds=${3:-5} epochs=${4:-1} threads=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)
data="$(dirname "$here")/data/mnist"
exe="$build/bench/bench_mnist"
ours="$build/lib"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # variant libdir [env...]
  variant=$1 lib=$2
  shift 2
  out=$(env LD_LIBRARY_PATH="$lib" "$@" "$exe" --data "$data" --epochs "$epochs" --threads "$threads")
  echo "$out" | sed -n 's/^train_cpu_seconds=//p' >> "$tmp/$variant.cpu"
  echo "$out" | sed -n 's/^train_seconds=//p' >> "$tmp/$variant.wall"
}
echo "cpu=$(lscpu | sed -n 's/^Model name: *//p')"
echo "rounds=$rounds"
echo "epochs=$epochs"
echo "threads=$threads"
run_variant() {
  case $1 in
  base) run base "$base" ;;
  off) run off "$ours" ;;
  on) run on "$ours" NNL_PROFILE="$tmp/trace.json" ;;
  esac
}
# Each round starts with the next variant (base off on, off on base, ...),
# so that no variant always runs right after the same one.
for r in $(seq "$rounds"); do
  case $((r % 3)) in
  1) order="base off on" ;;
  2) order="off on base" ;;
  0) order="on base off" ;;
  esac
  for variant in $order; do run_variant "$variant"; done
done
# mean, median, min (the least disturbed run)
stats() { sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END { printf "%.4f %.4f %.4f", s / NR, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1] }'; }
for variant in base off on; do
  set -- $(stats "$tmp/$variant.cpu")
  echo "$variant.cpu_seconds_mean=$1"
  echo "$variant.cpu_seconds_median=$2"
  echo "$variant.cpu_seconds_min=$3"
  echo "$variant.cpu_seconds_all=$(tr '\n' ' ' < "$tmp/$variant.cpu" | sed 's/ $//')"
  set -- $(stats "$tmp/$variant.wall")
  echo "$variant.wall_seconds_mean=$1"
  echo "$variant.wall_seconds_median=$2"
done
# The ratios of the means and of the minima.
ratio() { # name variant reference
  set -- "$1" "$(stats "$tmp/$2.cpu")" "$(stats "$tmp/$3.cpu")"
  echo "$2 $3" | awk -v n="$1" '{ printf "%s.cpu_overhead_percent_mean=%+.2f\n%s.cpu_overhead_percent_min=%+.2f\n",
                                          n, 100 * ($1 / $4 - 1), n, 100 * ($3 / $6 - 1) }'
}
ratio off off base
ratio on on base
ratio on_vs_off on off
