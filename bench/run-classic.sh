#!/bin/sh
# Run the classic-learner benchmark side by side: nnlite (bench/classic.c)
# and scikit-learn (bench/sklearn/classic.py), the same data and
# hyperparameters, one after the other, then print the ratios (issue 16's
# goals: each fit >= 2x faster than scikit-learn's, the tree >= 3x; test
# accuracy no more than 0.3 point below for the SVMs, 1 point for the tree
# and the forest).
# Usage: bench/run-classic.sh [--build DIR] [--digits DIR] [--fashion DIR] [--only NAME]...
#   defaults: build, data/mnist, data/fashion-mnist, every run below
# Runs (NAME): digits-linear-svm (C=1), digits-svm (C=10, gamma=0.02),
#   digits-tree (no depth limit), digits-forest (100 trees, 2 threads vs n_jobs=2),
#   fashion-linear-svm, fashion-forest. Every fit uses 2 threads (scikit-learn's
#   SVMs and tree have one).
# Output, per run: <name>.nnlite.<key>=, <name>.sklearn.<key>= (every line of both
# programs), <name>.ratio.fit= (scikit-learn's fit time / nnlite's),
# <name>.ratio.fit_cpu= (the same for the CPU time of all threads, which the
# machine's other work disturbs less), <name>.delta.accuracy= (nnlite -
# scikit-learn, in points).
# Needs: apt-get install python3-sklearn (run with /usr/bin/python3)
set -eu
build=build
digits=data/mnist
fashion=data/fashion-mnist
only=
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || { echo "run-classic.sh: $1 needs a value" >&2; exit 2; }
    case $1 in
    --build) build=$2 ;;
    --digits) digits=$2 ;;
    --fashion) fashion=$2 ;;
    --only) only="$only $2" ;;
    *) echo "run-classic.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift 2
done
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$build/bench/bench_classic" ] || { echo "run-classic.sh: no $build/bench/bench_classic (meson compile -C $build)" >&2; exit 1; }
get() { echo "$1" | sed -n "s/^$2=//p"; }
run() {
    name=$1
    shift
    case " ${only:-$name} " in *" $name "*) ;; *) return 0 ;; esac
    ours=$("$build/bench/bench_classic" --threads 2 "$@")
    theirs=$(/usr/bin/python3 -W ignore "$here/sklearn/classic.py" --threads 2 "$@")
    echo "$ours" | sed "s/^/$name.nnlite./"
    echo "$theirs" | sed "s/^/$name.sklearn./"
    awk -v n="$name" -v a="$(get "$ours" fit_seconds)" -v b="$(get "$theirs" fit_seconds)" \
        -v c="$(get "$ours" test_accuracy)" -v d="$(get "$theirs" test_accuracy)" \
        -v e="$(get "$ours" fit_cpu_seconds)" -v f="$(get "$theirs" fit_cpu_seconds)" 'BEGIN {
      printf "%s.ratio.fit=%.2f\n%s.ratio.fit_cpu=%.2f\n%s.delta.accuracy=%+.2f\n", n, b / a, n, f / e, n, 100 * (c - d) }'
}
run digits-linear-svm --model linear-svm --data "$digits" --c 1
run digits-svm --model svm --data "$digits" --c 10 --gamma 0.02
run digits-tree --model tree --data "$digits"
run digits-forest --model forest --data "$digits" --trees 100
run fashion-linear-svm --model linear-svm --data "$fashion" --c 1
run fashion-forest --model forest --data "$fashion" --trees 100
