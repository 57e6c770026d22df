#!/bin/bash
# The balance actor against the simulated host: every rule of issue 14 §1.
#
# On xensim's held clock (docs/determinism.md): the test steps simulated
# time (clock_step / step_until: after each step the actor has run what
# the step made due), so "5 s without progress" (a stuck balloon) or a
# 20 s boot grace are simulated seconds whatever the machine's load.
# After a change the test steps until the decision shows (a status line,
# a balloon target), then until nothing moves on the host (hv `time`:
# moving=0); the recording (--record) tells what happened in between
# (host free memory at every change, every target written).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
T=$(mktemp -d /tmp/balance-t.XXXXXX)
REC=$T/rec.csv
FLOOR=$((72 * M))

target_ge() { [ "$(tgt "$1")" -ge "$2" ]; }
target_le() { [ "$(tgt "$1")" -le "$2" ]; }
guest() { "$PROBE" hv guestinfo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
dom() { info "$1" "$2"; }
# Lowest host free memory in the recording from time $1 on (KiB).
min_free() {
    awk -F, -v t="${1:-0}" 'NR > 1 && $1 + 0 < t { before = $11 }
        NR > 1 && $1 + 0 >= t && (m == "" || $11 < m) { m = $11 }
        END { if (before != "" && (m == "" || before < m)) m = before
              print m }' "$REC"
}
# request_free KB: as a toolstack before creating a domain, reserve KB
# (on top of the floor) and step the clock until it is granted;
# request_end: the domain is made, the reservation ends.
request_free() {
    reserve_start "$1k"
    step resv_granted
}
request_end() { reserve_end >/dev/null; }
now_s() { xensim_hv clock | sed -n 's/^ok ms=\([0-9]*\).*/\1/p' |
    awk '{ print $1 / 1000 }'; }

xensim_start --speed 20 --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null

# ---- the guest's node, reports, explanations, free before allocate -------
a=$(mkdom name=a memory_kb=$((1024 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((300 * M)) memory_policy=balance memory_policy_args=grace=0)
b=$(mkdom name=b memory_kb=$((1024 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((400 * M)) memory_policy=balance memory_policy_args=grace=0)
c=$(mkdom name=c memory_kb=$((512 * M)) maxmem_kb=$((1024 * M)) \
    demand_kb=$((200 * M)) memory_policy=balance \
    memory_policy_args=grace=0,max=600m)
is "$(xenstore-read /local/domain/$a/memory/meminfo 2>&1)" \
    "xenstore-read: couldn't read path /local/domain/$a/memory/meminfo" \
    "libxl makes no memory/meminfo"
actor_start balance --damp 32m
ok "step status_like $a 'used 300 x 1.30 headroom'" \
    "the guest's report arrives once the node is the guest's"
like "$(xenstore-ls -p /local/domain/$a/memory | grep meminfo)" \
    "\\(n$a\\)" "memory/meminfo owned by the guest, no one else may read"
like "$(xenstore-ls -p /local/domain/$a/memory | grep pressure)" \
    "\\(n$a\\)" "memory/pressure too"
is "$(xenstore-read /local/domain/$a/memory/meminfo)" $((300 * M)) \
    "one number: used kB"
ok "step status_like $c 'used 200'" "every guest explained"
settle
like "$(st $a)" '^[0-9]+ MiB = used 300 x 1\.30 headroom \+ [0-9]+ MiB of the surplus at weight 1; host free [0-9]+ MiB \(floor 72\)$' \
    "status: why this target"
ok "target_le $c $((600 * M))" "max= is a cap"
# a grows past what it has: b and c give first, a gets it once free.
t1=$(now_s)
"$PROBE" hv guest_set "$a" demand_kb=$((1500 * M)) >/dev/null
ok "step target_ge $a $((1950 * M))" "a growing guest gets used x 1.3"
settle
is "$(guest "$a" shortfall_kb)" 0 "no shortfall left"
is "$(guest "$a" stalled)" 0 "the growing guest never waited on a full host"
# Damping: b uses 40 MiB more; nobody's plan moves by 32 MiB or more.
ta=$(tgt "$a"); tb=$(tgt "$b"); tc=$(tgt "$c")
"$PROBE" hv guest_set "$b" demand_kb=$((440 * M)) >/dev/null
ok "step status_like $b 'used 440'" "b's new report is seen"
settle
is "$(tgt "$a") $(tgt "$b") $(tgt "$c")" "$ta $tb $tc" \
    "damping: changes under the damping (32 MiB) are not written"

# Idle: no wake-up at all once nothing moves.
switches() {
    cat /proc/"$ACTOR_PID"/task/*/status |
        awk '/ctxt_switches/ {s += $2} END {print s}'
}
# The clock runs for this: a held clock never wakes a timer.  The actor
# wakes once for the clock's change, whenever a loaded machine lets it:
# so up to ten 1 s windows, and one without a wake-up proves the idle
# actor sleeps (one that polls, or whose timer ticks, never has one).
xensim_hv clock resume >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do
    before=$(switches)
    sleep 1
    after=$(switches)
    [ "$after" = "$before" ] && break
done
xensim_hv clock pause >/dev/null
is "$((after - before))" 0 "no wake-up in a 1 s window of idleness (window $i)"

# ---- boot grace -----------------------------------------------------------
"$PROBE" hv guest_set "$a" demand_kb=$((1900 * M)) >/dev/null
ok "step status_like $a 'used 1900'" "a wants more"
settle
request_free $((512 * M))
ok "resv_granted" "a toolstack reserves 512 MiB: granted"
ok "[ $("$PROBE" hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p') -ge $((584 * M)) ]" \
    "512 MiB free on top of the floor"
t0=$(now_s)
n=$(mkdom name=n memory_kb=$((512 * M)) maxmem_kb=$((1024 * M)) \
    demand_kb=$((100 * M)) memory_policy=balance memory_policy_args=grace=20)
request_end
ok "step status_like $n 'used 100'" "the new domain reports"
ok "step_until balance 1000 target_le $n $((400 * M))" \
    "after the grace it gives to a"
settle
first_low=$(awk -F, -v d=n -v k=$((512 * M)) '$3 == d && $4 + 0 > 0 &&
    $4 + 0 < k { print $1; exit }' "$REC")
# (in whole milliseconds: 46.96 + 20 is above 66.960 in floating point)
ok "awk 'BEGIN { exit !(int($first_low * 1000 + 0.5) >= int($t0 * 1000 + 0.5) + 20000) }'" \
    "held at its initial memory for the 20 s grace ($t0 -> $first_low)"

# ---- weights, contention, a stuck balloon --------------------------------
"$PROBE" hv destroy "$n" >/dev/null
"$PROBE" hv destroy "$c" >/dev/null
request_free $((700 * M))
s=$(mkdom name=s memory_kb=$((700 * M)) maxmem_kb=$((1024 * M)) \
    demand_kb=$((100 * M)) balloon=stuck memory_policy=balance \
    memory_policy_args=grace=0)
request_end
"$PROBE" hv guest_set "$b" demand_kb=$((1500 * M)) >/dev/null
XLMEM=$MP_BUILD/bin/xlmem
"$XLMEM" mem-policy-set a balance grace=0,weight=3 >/dev/null
"$XLMEM" mem-policy-set b balance grace=0,weight=1 >/dev/null
t2=$(now_s)
ok "step_until balance 1000 status_like $s '^stuck at 700 MiB'" \
    "a balloon that does not move is found stuck"
ok "[ $(dom "$s" maxmem) -le $((700 * M + 1024)) ]" \
    "its maxmem is capped at what it holds ($(dom "$s" maxmem) KiB)"
sum_ge() { [ $(($(tgt "$1") + $(tgt "$2"))) -ge "$3" ]; }
ok "step sum_ge $a $b $((2300 * M - 4 * M))" \
    "a and b get what the stuck domain does not give"
settle
# 3000 MiB for guests, s holds 700: a (weight 3) and b (1) share 2300.
ta=$(dom "$a" actual); tb=$(dom "$b" actual)
ok "[ $ta -gt $tb ]" "weight 3 gets more than weight 1 ($ta > $tb KiB)"
ok "[ $((ta + tb)) -ge $((2300 * M - 4 * M)) ]" \
    "what the stuck domain holds is not counted on: a + b = $(((ta + tb) / M)) MiB"
like "$(actor_log)" "domain $s: balloon stuck at 700 MiB" "stuck logged"

actor_stop
# The recording is complete once xensim stopped.
xensim_stop
ok "[ $(min_free "$t1") -ge $FLOOR ]" \
    "free before allocate: host free never under the floor ($(min_free "$t1") KiB)"
ok "[ $(min_free "$t0") -ge $FLOOR ]" "the floor held through the boot grace"
ok "[ $(min_free "$t2") -ge $FLOOR ]" "the floor held with a stuck balloon"
ok "[ $(min_free 0) -ge $FLOOR ]" "the floor held all along" ||
    diag "$(awk -F, -v f=$FLOOR 'NR > 1 && $11 < f' "$REC" | head -5)"
rm -rf "$T"
done_testing
