#!/bin/bash
# Run every benchmark under bench/ against one build directory:
#   bench/run.sh BUILD
# Each writes its own figures; docs/benchmarks.md says what
# each measures and records the figures measured on the project's machine.
# Not part of `make check`: timings belong here, never in tests.
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
export MP_BUILD=$build
status=0

run() {
    echo "== $*"
    "$@" || { echo "bench: '$*' failed" >&2; status=1; }
}

run "$build/bench/bench-xenstore" 2
run "$build/bench/bench-lib" 1000
run "$build/bench/bench-xensim-hv" 1 1000 10000
run "$build/bench/bench-balance-plan" 200
run bench/xlmem/run.sh "$build"
run bench/actors/run.sh "$build"
run bench/sharing/run.sh "$build"
run bench/balance/run.sh "$build"
exit $status
