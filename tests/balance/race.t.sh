#!/bin/bash
# Free before allocate, on xensim's held clock: memory a raise still has
# to take is never counted as free.
#
# A receiver whose raise is written but whose balloon is still growing
# (slowly) will take that memory from the host.  A toolstack asking the
# actor to keep memory free for a new domain must be answered only once
# the memory is free NET of that growth: answered earlier, the new
# domain takes it and the receiver's balloon then takes host free memory
# under the floor (the 44 MiB dip rules-timed.sh saw under load).  The
# clock is held and stepped, so the receiver is mid-raise by construction
# (not by the machine's speed).  The request is smaller than the damping,
# so the lowering that pays for it is one damping alone would hold back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"

M=1024
FLOOR=$((72 * M))
REC=$(mktemp /tmp/balance-race.XXXXXX.csv)
tgt() { xenstore-read "/local/domain/$1/memory/target"; }
st() { xenstore-read "/tool/mempolicy/actors/balance/status/$1" 2>/dev/null; }
status_like() { [[ $(st "$1") =~ $2 ]]; }
free_kb() { "$PROBE" hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p'; }
pop_kb() { "$PROBE" hv guestinfo "$1" | tr ' ' '\n' |
    sed -n 's/^populated_kb=//p'; }
idle() { xensim_hv time | grep -q ' moving=0$'; }
now_s() { xensim_hv clock | sed -n 's/^ok ms=\([0-9]*\).*/\1/p' |
    awk '{ print $1 / 1000 }'; }
# Lowest host free memory in the recording from time $1 (s) on, counting
# the value in force at $1.
min_free() {
    awk -F, -v t="$1" 'NR > 1 && $1 + 0 < t { before = $11 }
        NR > 1 && $1 + 0 >= t && (m == "" || $11 < m) { m = $11 }
        END { if (before != "" && (m == "" || before < m)) m = before
              print m }' "$REC"
}

xensim_start --speed 20 --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null
# 3 GiB for guests: a (slow balloon, 32 MiB/s) and b (256 MiB/s).
a=$(mkdom name=a memory_kb=$((1024 * M)) maxmem_kb=$((3072 * M)) \
    demand_kb=$((300 * M)) memory_policy=balance memory_policy_args=grace=0)
b=$(mkdom name=b memory_kb=$((1536 * M)) maxmem_kb=$((3072 * M)) \
    demand_kb=$((1300 * M)) memory_policy=balance memory_policy_args=grace=0)
"$PROBE" hv guest_set "$a" rate_mib_s=32 >/dev/null
actor_start balance
ok "step_until balance 200 status_like $b 'used 1300'" "both guests report"
ok "step_until balance 200 idle" "balanced"

# a needs 2000 MiB: b gives (fast), a grows (slowly) as memory is freed.
"$PROBE" hv guest_set "$a" demand_kb=$((2000 * M)) >/dev/null
grown() { [ $(($(tgt "$a") - $(pop_kb "$a"))) -ge $((400 * M)) ] &&
    [ "$(pop_kb "$b")" -le "$(tgt "$b")" ]; }
ok "step_until balance 200 grown" \
    "a's raise is written, b has given, a is still growing"
F=$(free_kb)
C=$(($(tgt "$a") - $(pop_kb "$a")))
# Less than the damping (128 MiB): the lowering of a's raise that pays
# for it is a change damping would hold back.
X=$((96 * M))
diag "host free $((F / M)) MiB, a still to take $((C / M)) MiB: asking $((X / M)) MiB"
ok "[ $F -ge $((FLOOR + X)) ] && [ $((F - C)) -lt $((FLOOR + X)) ]" \
    "the request fits in free memory but not in free memory net of a's raise"
t0=$(now_s)
reserve_start "${X}k"
ok "step_until balance 200 resv_granted" "the reservation is granted"
F=$(free_kb)
C=$(($(tgt "$a") - $(pop_kb "$a")))
ok "[ $((F - C)) -ge $((FLOOR + X)) ]" \
    "answered only once free net of a's raise ($(((F - C) / M)) MiB) covers it"
n=$(mkdom name=n memory_kb="$X" maxmem_kb="$X" demand_kb=$((64 * M)))
ok "[ -n '$n' ]" "the toolstack creates its domain"
ok "reserve_end" "and ends the reservation"
ok "step_until balance 200 idle" "a grows to its target"
ok "[ $(min_free "$t0") -ge $FLOOR ]" \
    "host free never under the floor ($(min_free "$t0") KiB)"
actor_stop
xensim_stop
ok "[ $(min_free 0) -ge $FLOOR ]" "the floor held all along (recording)" ||
    diag "$(awk -F, -v f=$FLOOR 'NR > 1 && $11 < f' "$REC" | head -5)"
rm -f "$REC"
done_testing
