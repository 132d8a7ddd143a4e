#!/bin/sh
# NNL_PROFILE=FILE.json profiles a whole program: mnist_cnn on the tiny
# digits writes FILE.json, a Chrome trace that parses as JSON and holds the
# layers' forward and backward events and a track per thread, and FILE.txt,
# the table, whose steps are those of the run.
# Usage: check_profile.sh MNIST_CNN TINY_MNIST_DIR OUT_DIR
set -eu
exe=$1 data=$2 out=$3
trace="$out/profile_mnist_cnn.json" table="$out/profile_mnist_cnn.txt"
rm -f "$trace" "$table"
NNL_PROFILE="$trace" "$exe" --data "$data" --epochs 1 --batch 16 \
  --save "$out/profile_mnist_cnn.safetensors" --grid "$out/profile_mnist_cnn.png" > "$out/profile_mnist_cnn.log"
[ -s "$trace" ] || { echo "FAIL: no $trace"; exit 1; }
[ -s "$table" ] || { echo "FAIL: no $table"; exit 1; }
python3 - "$trace" <<'PY'
import json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
names = {e["name"] for e in events if e["ph"] == "X"}
threads = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"]
layers = sorted(n[:-len(".forward")] for n in names if n.endswith(".forward") and "[" in n)
missing = [l for l in layers if l + ".backward" not in names]
if not layers or "fit.step" not in names or "main" not in threads or missing:
    sys.exit("FAIL: layers %s, missing backward %s, threads %s" % (layers, missing, threads))
print("trace: %d events, layers %s, threads %s" % (len(events), ", ".join(layers), ", ".join(threads)))
PY
head -n 1 "$table"
grep -q '^fit\.step ' "$table" || { echo "FAIL: no fit.step row in $table"; exit 1; }
echo "ok"
