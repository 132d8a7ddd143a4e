#!/bin/sh
# The SGEMM benchmark with its goals: bench/peak (the FMA peak), then
# bench/gemm (nnl_sgemm beside OpenBLAS, same process) at 1 thread and at
# 2, then per case the ratio, the 1 -> 2 thread speed-up of each library and
# a verdict against issue 18's goals:
#   every shape and transpose      nnlite / OpenBLAS >= 0.95 (2 threads)
#   the small-M shapes (M = 32)    nnlite / OpenBLAS >= 1.1  (2 threads)
#   1024^3                          >= 75% of the FMA peak    (2 threads)
# Usage: bench/run-gemm.sh [BUILD_DIR] [REPS]   (defaults: build, 9)
# Output: every line of the programs (prefixed peak., t1., t2.), then
#   case=32x128x5408:NN ratio=... nnlite_speedup=... openblas_speedup=... goal=... met=yes|no
# and last `goals_met=N/M`.
# Needs: apt-get install libopenblas-dev (bench/gemm is built only with it)
set -eu
build=${1:-build}
reps=${2:-9}
[ -x "$build/bench/gemm" ] || { echo "run-gemm.sh: no $build/bench/gemm (needs OpenBLAS; meson compile -C $build)" >&2; exit 1; }
# OpenBLAS picks its kernel for this CPU only when no core type is forced.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
peak=$("$build/bench/peak" --threads 2)
one=$("$build/bench/gemm" --threads 1 --reps "$reps")
two=$("$build/bench/gemm" --threads 2 --reps "$reps")
echo "$peak" | sed 's/^/peak./'
echo "$one" | sed 's/^/t1./'
echo "$two" | sed 's/^/t2./'
# The peak of the widest level the library uses, at 2 threads.
simd=$(echo "$two" | sed -n 's/.*nnlite_simd=\([a-z0-9]*\).*/\1/p' | head -n 1)
peak2=$(echo "$peak" | sed -n "s/.*simd=$simd threads=2 gflops=\([0-9.]*\).*/\1/p")
printf '%s\n%s\n' "$one" "$two" | awk -v peak="$peak2" '
  function field(name,   i) { for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2); return "" }
  /^shape=/ {
    key = field("shape") ":" field("trans")
    if (!(key in n1)) { n1[key] = field("nnlite_gflops"); b1[key] = field("openblas_gflops"); order[++count] = key; next }
    n2[key] = field("nnlite_gflops"); b2[key] = field("openblas_gflops")
  }
  END {
    met = 0
    for (i = 1; i <= count; i++) {
      key = order[i]; ratio = n2[key] / b2[key]
      split(key, dims, "x"); small = dims[1] == 32
      goal = small ? 1.1 : 0.95; ok = ratio >= goal
      printf "case=%s ratio=%.2f nnlite_speedup=%.2f openblas_speedup=%.2f goal=ratio>=%.2f met=%s\n",
             key, ratio, n2[key] / n1[key], b2[key] / b1[key], goal, ok ? "yes" : "no"
      met += ok
      if (key ~ /^1024x1024x1024:/) {
        share = peak > 0 ? n2[key] / peak : 0; ok = share >= 0.75
        printf "case=%s peak_share=%.2f peak_gflops=%s goal=peak_share>=0.75 met=%s\n", key, share, peak, ok ? "yes" : "no"
        met += ok; count_goals++
      }
    }
    printf "goals_met=%d/%d\n", met, count + count_goals
  }'
