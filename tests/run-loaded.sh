#!/bin/bash
# Run the plain suite with the machine loaded, to show that no test
# depends on the machine's speed (issue 12 §3).
#
#   tests/run-loaded.sh BUILD [RUNS]
#
# Starts `stress-ng --cpu N` (N = $MP_LOAD_CPUS, default 2: every core of
# the 2-core reference machine busy) and runs `tests/run.sh BUILD` RUNS
# times (default 2) beside it, then stops the load.  Prints each run's
# result line and exits 0 only if every run passed.
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:?usage: tests/run-loaded.sh BUILD [RUNS]}
runs=${2:-2}
cpus=${MP_LOAD_CPUS:-2}

tools/install-deps.sh load || exit 2
stress-ng --cpu "$cpus" --timeout 0 --quiet &
load=$!
trap 'kill -TERM "$load" 2>/dev/null; wait "$load" 2>/dev/null' EXIT

rc=0
for i in $(seq 1 "$runs"); do
    echo "== run $i of $runs, beside stress-ng --cpu $cpus (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    start=$SECONDS
    tests/run.sh "$build" >"$build/loaded-run-$i.log" 2>&1 || rc=1
    grep -E '^  FAIL|^failing:' "$build/loaded-run-$i.log"
    echo "run $i: $(tail -n 1 "$build/loaded-run-$i.log")" \
         "in $((SECONDS - start)) s (log: $build/loaded-run-$i.log)"
done
exit $rc
