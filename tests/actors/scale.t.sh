#!/bin/bash
# Thousands of domains changing at once, served by one xl-auto process
# without a thread per domain; and no wake-up at all when idle.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

N=${MP_ACTOR_SCALE_N:-2000}
M=1024
xensim_start --speed 100 --domains "$N"
"$PROBE" policy 1 "$N" xl-auto "" || exit 1
actor_start xl-auto || exit 1
like "$(actor_log)" "serving $N domains" "resync found all $N domains"

ok "'$PROBE' burst 1 $N $((400 * M)) 120000" \
    "all $N targets changed at once: every balloon target follows"
ok "'$PROBE' burst 1 $N $((450 * M)) 120000" "and again"

threads=$(awk '/^Threads:/ {print $2}' /proc/"$ACTOR_PID"/status)
[ "$threads" -le 2 ]
_tap_result $? "one process, $threads threads (main + libxenstore's reader)"

# Idle: every thread's context switches over a window with no change.
switches() {
    cat /proc/"$ACTOR_PID"/task/*/status |
        awk '/ctxt_switches/ {s += $2} END {print s}'
}
# The burst's last work may still be running on a loaded machine: the
# first of up to ten 2 s windows without a wake-up proves the idle actor
# sleeps (one that polls, or whose timer ticks, never has one).
for i in 1 2 3 4 5 6 7 8 9 10; do
    before=$(switches)
    sleep 2 # a measurement window, not synchronisation
    after=$(switches)
    [ "$after" = "$before" ] && break
done
is "$((after - before))" 0 "no wake-up in a 2 s window of idleness (window $i)"

actor_stop
done_testing
