#!/bin/sh
# What the profiler costs on the MNIST CNN (bench/mnist.c): the CPU time of
# fit with a library built without the profiler (BASE_LIB_DIR, e.g. a build of
# the commit before it), with the profiler built in but off, and with it on
# (NNL_PROFILE). One bench_mnist binary runs against each library through
# LD_LIBRARY_PATH (its RUNPATH yields to it); the three are alternated in
# every round, so that a load that changes during the run weighs on all of
# them alike. CPU time (train_cpu_seconds) rather than wall time: other
# programs on the machine stretch wall time, much less the CPU time a
# single-threaded run uses.
# Usage: bench/run-profile-overhead.sh BUILD_DIR BASE_LIB_DIR [ROUNDS] [EPOCHS] [THREADS]
# Prints key=value lines: per variant the mean and median CPU and wall
# seconds of fit, then the ratios of the means against the base.
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
for r in $(seq "$rounds"); do
  run base "$base"
  run off "$ours"
  run on "$ours" NNL_PROFILE="$tmp/trace.json"
done
stats() { sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END { printf "%.4f %.4f", s / NR, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for variant in base off on; do
  set -- $(stats "$tmp/$variant.cpu")
  echo "$variant.cpu_seconds_mean=$1"
  echo "$variant.cpu_seconds_median=$2"
  echo "$variant.cpu_seconds_all=$(tr '\n' ' ' < "$tmp/$variant.cpu" | sed 's/ $//')"
  set -- $(stats "$tmp/$variant.wall")
  echo "$variant.wall_seconds_mean=$1"
  echo "$variant.wall_seconds_median=$2"
done
base_mean=$(stats "$tmp/base.cpu" | cut -d' ' -f1)
for variant in off on; do
  awk -v a="$(stats "$tmp/$variant.cpu" | cut -d' ' -f1)" -v b="$base_mean" -v v="$variant" \
    'BEGIN { printf "%s.cpu_overhead_percent=%+.2f\n", v, 100 * (a / b - 1) }'
done
awk -v a="$(stats "$tmp/on.cpu" | cut -d' ' -f1)" -v b="$(stats "$tmp/off.cpu" | cut -d' ' -f1)" \
  'BEGIN { printf "on_vs_off.cpu_overhead_percent=%+.2f\n", 100 * (a / b - 1) }'
