#!/bin/bash
# bench/actors/run.sh BUILD: xl-auto's reaction latency, memory and idle
# wake-ups with 10, 1,000 and 10,000 domains served by one process.
#
# For each N: a private xensim with N PV domains whose actor is xl-auto,
# one xl-auto, then
#   seq    200 target changes one at a time (each waited for): the
#          latency from mempolicy_domain_set_target() returning to the
#          balloon target (memory/target) being seen by a xenstore watch;
#   burst  all N targets changed at once, the same latency for each;
#   rss    xl-auto's VmRSS after the bursts;
#   idle   context switches of all xl-auto threads over 5 s with nothing
#          changing, per second (the goal is 0);
#   start  from exec to "serving" logged: the start-up resync, which
#          lists every domain.
# Latency is measured by tests/actors/actor-probe on watches, so it
# includes the store round trips of the probe itself.
#
#   bench/actors/run.sh build            (or MP_ACTOR_BENCH_N="10 1000")
set -u
B=${1:-build}
case $B in /*) ;; *) B=$PWD/$B ;; esac
PROBE=$B/tests/actor-probe
NS=${MP_ACTOR_BENCH_N:-10 1000 10000}
M=1024

switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '/ctxt_switches/ {s += $2} END {print s}'
}

printf '%-7s %-24s %-26s %-8s %-8s %s\n' domains "seq p50/p99/max ms" \
    "burst p50/p99/max ms" "rss KiB" "start s" "idle wakeups/s"
for N in $NS; do
    dir=$(mktemp -d /tmp/bench-actors.XXXXXX)
    mkfifo "$dir/ready" "$dir/actor"
    "$B/bin/xensim" --socket "$dir/xs.sock" --ready-fd 3 --domains "$N" \
        3>"$dir/ready" 2>"$dir/xensim.log" &
    xpid=$!
    read -r -t 120 line <"$dir/ready"
    export XENSTORED_PATH=$dir/xs.sock
    "$PROBE" policy 1 "$N" xl-auto "" || exit 1

    t0=$(date +%s%N)
    "$B/bin/xl-auto" 2>"$dir/actor" &
    apid=$!
    exec 6<"$dir/actor"
    while IFS= read -r -t 300 line <&6; do
        case $line in *serving*) break ;; esac
    done
    t1=$(date +%s%N)
    cat <&6 >"$dir/actor.log" &
    exec 6<&-

    samples=200
    [ "$N" -lt $samples ] && samples=$N
    seq=$("$PROBE" seq 1 "$N" $((300 * M)) $samples 60000)
    burst=$("$PROBE" burst 1 "$N" $((310 * M)) 600000)
    rss=$(awk '/^VmRSS:/ {print $2}' /proc/$apid/status)
    s0=$(switches $apid)
    sleep 5 # the measurement window
    s1=$(switches $apid)

    fmt() {
        sed -E 's/.*p50_ms=([^ ]*) p99_ms=([^ ]*) max_ms=([^ ]*).*/\1 \/ \2 \/ \3/'
    }
    printf '%-7s %-24s %-26s %-8s %-8s %s\n' "$N" "$(fmt <<<"$seq")" \
        "$(fmt <<<"$burst")" "$rss" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')" \
        "$(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.1f", (b - a) / 5}')"

    kill -TERM $apid
    wait $apid
    kill -TERM $xpid
    wait $xpid
    rm -rf "$dir"
done
