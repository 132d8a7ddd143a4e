#!/bin/sh
# Run one libFuzzer target for a bounded time from its committed seeds.
#   run-fuzz.sh FUZZ_BINARY SEED_DIR RUN_DIR [SECONDS]
# SECONDS defaults to $NNL_FUZZ_SECONDS, else 30. New inputs go to
# RUN_DIR/<target>/corpus (kept between runs, so longer runs build on earlier
# ones); a crash is written to RUN_DIR/<target>/crash-* and fails the run:
# commit that file under tests/fuzz/regressions/<target>/ with the fix.
# The last run's statistics are in RUN_DIR/<target>/stats.
set -eu
binary=$1
seeds=$2
target=$(basename "$binary" | sed 's/^fuzz_//')
run=$3/$target
seconds=${4:-${NNL_FUZZ_SECONDS:-30}}
mkdir -p "$run/corpus"
dict=$(dirname "$(dirname "$seeds")")/dictionaries/$target.dict
dict_arg=
if [ -f "$dict" ]; then dict_arg=-dict=$dict; fi
# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: the loaders
# must never need 2 GB for an input of a few KB.
set +e
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$run/" $dict_arg "$run/corpus" "$seeds" > "$run/log" 2>&1
status=$?
set -e
grep '^stat::' "$run/log" > "$run/stats" || true
tail -n 25 "$run/log"
if [ $status -ne 0 ]; then
    echo "run-fuzz: $target failed (status $status); inputs: $(ls "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* 2>/dev/null)"
    exit 1 # not libFuzzer's 77, which meson would count as a skip
fi
