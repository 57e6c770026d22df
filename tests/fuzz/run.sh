#!/bin/bash
# Run the libFuzzer harnesses built by `make fuzz` (docs/robustness.md).
#
#   tests/fuzz/run.sh BUILD SECONDS [HARNESS...]
#
# Each harness BUILD/fuzz/fuzz-<name> runs SECONDS on a
# working corpus BUILD/fuzz-corpus/<name>/ (kept between runs, never in
# the tree) seeded from tests/fuzz/<name>/corpus/, with
# tests/fuzz/<name>/dict when there is one.  SECONDS=0 only replays the
# seeds and the working corpus once (a quick regression run).  A crash,
# leak, timeout or sanitizer report leaves its input in
# BUILD/fuzz-artifacts/<name>/ and makes the script fail.  Ends with one
# line per harness: CPU seconds used, executions, coverage (cov, ft),
# corpus size and result.
#
# SECONDS are wall-clock seconds, or with FUZZ_CPU=1 CPU seconds of the
# harness itself: on a loaded machine a wall-clock budget says little
# about how much fuzzing was done, so a watchdog asks the harness to stop
# (SIGUSR1: libFuzzer's graceful exit, final statistics printed, status
# 0; not SIGINT, which xensim's code in the harness takes for its own)
# once its own user + system time reaches SECONDS.
set -u
cd "$(dirname "$0")/../.." || exit 2

build=${1:?usage: run.sh BUILD SECONDS [HARNESS...]}
secs=${2:?usage: run.sh BUILD SECONDS [HARNESS...]}
shift 2
case $secs in
'' | *[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
    set -- $(ls "$build"/fuzz/ 2>/dev/null | sed -n 's/^fuzz-//p')
fi
[ $# -gt 0 ] || { echo "run.sh: no harness in $build/fuzz" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0}
# cpu_watchdog PID SECONDS: stop the harness (SIGUSR1) once its CPU time
# (user + system, from /proc/PID/stat) reaches SECONDS.  It looks every
# 20 s: the run overshoots by at most that much CPU.
cpu_watchdog() {
    local pid=$1 budget=$2 hz used
    hz=$(getconf CLK_TCK)
    while sleep 20; do
        [ -r "/proc/$pid/stat" ] || return 0
        used=$(awk -v hz="$hz" '{ sub(/^.*\) /, ""); print int(($12 + $13) / hz) }' \
            "/proc/$pid/stat") || return 0
        if [ "$used" -ge "$budget" ]; then
            kill -USR1 "$pid" 2>/dev/null
            return 0
        fi
    done
}

summary=()
failed=0
for h in "$@"; do
    bin=$build/fuzz/fuzz-$h
    seeds=tests/fuzz/$h/corpus
    work=$build/fuzz-corpus/$h
    art=$build/fuzz-artifacts/$h
    log=$build/fuzz-logs/$h.log
    [ -x "$bin" ] || { echo "run.sh: no $bin" >&2; exit 2; }
    mkdir -p "$work" "$art" "$(dirname "$log")"
    # -close_fd_mask=2: the code's own stderr (xensim logs each client it
    # disconnects) is dropped; libFuzzer's and the sanitizers' reports
    # still come through.  Replay an artifact without it to see the rest.
    args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -close_fd_mask=2 -artifact_prefix="$art/")
    [ -f "tests/fuzz/$h/dict" ] && args+=(-dict="tests/fuzz/$h/dict")
    if [ "$secs" -eq 0 ]; then
        args+=(-runs=0)
    elif [ "${FUZZ_CPU:-0}" = 1 ]; then
        args+=(-max_total_time=$((secs * 50)))
    else
        args+=(-max_total_time="$secs")
    fi
    echo "== fuzz-$h (${secs}s$([ "${FUZZ_CPU:-0}" = 1 ] && echo ' of CPU'))"
    TIMEFORMAT='%U %S'
    # The harness runs as a direct child (its own pid for the watchdog);
    # `time` on the group reports its CPU once it has been waited for.
    wpid=
    { time {
        "$bin" "${args[@]}" "$work" "$seeds" >"$log" 2>&1 &
        fpid=$!
        if [ "${FUZZ_CPU:-0}" = 1 ] && [ "$secs" -gt 0 ]; then
            cpu_watchdog "$fpid" "$secs" &
            wpid=$!
        fi
        wait "$fpid"
        rc=$?
    }; } 2>"$log.time"
    [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
    cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$log.time")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(find "$work" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        res=ok
    else
        res="FAILED (exit $rc, $log)"
        failed=1
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/   /'
    fi
    summary+=("$(printf '%-10s cpu %6ss  execs %10s  cov %5s  ft %6s  corpus %5s  %s' \
        "$h" "$cpu" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corp" "$res")")
done
printf '%s\n' "${summary[@]}"
exit $failed
