#!/bin/bash
# Run the plain suite with the machine loaded, to show that no test
# depends on the machine's speed (issue 12 §3).
#
#   tests/run-loaded.sh BUILD [RUNS]     the plain suite on BUILD
#   tests/run-loaded.sh --check [RUNS]   `make check` (builds build/ and
#                                        build-san/, runs both suites)
#
# Starts `stress-ng --cpu N` (N = $MP_LOAD_CPUS, default 2: every core of
# the 2-core reference machine busy) and runs `tests/run.sh BUILD` (or
# `make check`) RUNS times (default 2) beside it, then stops the load.
# Prints each run's result line and wall time and exits 0 only if every
# run passed.  Logs: BUILD/loaded-run-N.log (build/ for --check).
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:?usage: tests/run-loaded.sh BUILD|--check [RUNS]}
runs=${2:-2}
cpus=${MP_LOAD_CPUS:-2}
if [ "$build" = --check ]; then
    cmd=(make --no-print-directory check)
    build=build
else
    cmd=(tests/run.sh "$build")
fi
mkdir -p "$build"

tools/install-deps.sh load || exit 2
stress-ng --cpu "$cpus" --timeout 0 --quiet &
load=$!
trap 'kill -TERM "$load" 2>/dev/null; wait "$load" 2>/dev/null' EXIT

rc=0
for i in $(seq 1 "$runs"); do
    echo "== run $i of $runs: ${cmd[*]}, beside stress-ng --cpu $cpus" \
         "(load: $(cut -d' ' -f1-3 /proc/loadavg), $(date '+%F %T'))"
    start=$SECONDS
    "${cmd[@]}" >"$build/loaded-run-$i.log" 2>&1 || rc=1
    grep -E '^  FAIL|^failing:' "$build/loaded-run-$i.log"
    echo "run $i: $(tail -n 1 "$build/loaded-run-$i.log")" \
         "in $((SECONDS - start)) s (log: $build/loaded-run-$i.log)"
done
exit $rc
