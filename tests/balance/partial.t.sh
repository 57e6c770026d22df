#!/bin/bash
# A guest that starts swapping on a full host gets memory as the donors
# free it, on xensim's held clock.
#
# a holds ~1.6 GiB of a 3 GiB pool, b the rest; b's balloon gives 64 MiB
# a second.  a's use jumps to 2400 MiB: b is lowered at once, and a is
# raised by what is free (at least 64 MiB and an eighth of the way) a
# tick after it began to wait, again and again while b shrinks, never
# taking host free memory under the floor.  The actor used to wait a
# second and then for 256 MiB and half the way (~450 MiB here, 7 s of
# b's balloon): the guest swapped all that time (the bench/balance
# "bursty" desktop lost its goal against qmemman by it).  A step that
# would end the shortfall with less than the damping left waits for the
# whole raise instead (one write, not two).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"

M=1024
FLOOR=$((72 * M))
REC=$(mktemp /tmp/balance-partial.XXXXXX.csv)
tgt() { xenstore-read "/local/domain/$1/memory/target"; }
st() { xenstore-read "/tool/mempolicy/actors/balance/status/$1" 2>/dev/null; }
status_like() { [[ $(st "$1") =~ $2 ]]; }
idle() { "$PROBE" hv time | grep -q ' moving=0$'; }
tot() { "$PROBE" hv dominfo "$1" | tr ' ' '\n' | sed -n 's/^tot_kb=//p'; }
now_ms() { "$PROBE" hv clock | sed -n 's/^ok ms=\([0-9]*\).*/\1/p'; }

xensim_start --speed 20 --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null
a=$(mkdom name=a memory_kb=$((1000 * M)) maxmem_kb=$((3072 * M)) \
    demand_kb=$((500 * M)) memory_policy=balance memory_policy_args=grace=0)
b=$(mkdom name=b memory_kb=$((1900 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((300 * M)) rate_mib_s=64 memory_policy=balance \
    memory_policy_args=grace=0)
actor_start balance
ok "step_until balance 1000 status_like $b 'used 300'" "both report"
ok "step_until balance 1000 idle" "balanced"
ta0=$(tgt "$a")
ok "[ $ta0 -gt $((1200 * M)) ]" "a holds part of the surplus ($((ta0 / M)) MiB)"

t0=$(now_ms)
"$PROBE" hv guest_set "$a" demand_kb=$((2400 * M)) >/dev/null
ok "step_until balance 100 status_like $a 'used 2400|waiting for'" \
    "a's report is seen"
raised() { [ "$(tgt "$a")" -gt "$ta0" ]; }
ok "step_until balance 200 raised" "a is raised"
t1=$(now_ms)
ok "[ $((t1 - t0)) -le 3000 ]" "within 3 s of its report ($((t1 - t0)) ms)"
tb=$(tgt "$b")
ok "[ $(tot "$b") -gt $((tb + 64 * M)) ]" \
    "while b still has memory to give ($(( $(tot "$b") / M )) MiB, target $((tb / M)))"
ok "[ $(tgt "$a") -lt $((2400 * M)) ]" "by part of what it uses ($(( $(tgt "$a") / M )) MiB)"
full() { [ "$(tgt "$a")" -ge $((2400 * M)) ]; }
ok "step_until balance 500 full" "then all it uses"
ok "step_until balance 1000 idle" "the memory moved"
writes=$(awk -F, -v d="$a" -v t="$t0" 'NR > 1 && $2 == d {
    if (p != "" && p != $4 && $1 * 1000 >= t) n++; p = $4 } END { print n + 0 }' "$REC")
ok "[ $writes -le 16 ]" "in a few writes ($writes)"
# A step that ends the shortfall (at or above what a uses) and leaves
# less than the damping (128 MiB) to come is not written: the whole
# raise waits for the memory, one write instead of two.
final=$(tgt "$a")
bad=$(awk -F, -v d="$a" -v t="$t0" -v u=$((2400 * M)) -v f="$final" \
    -v damp=$((128 * M)) 'NR > 1 && $2 == d && $1 * 1000 >= t {
        if (p != "" && p != $4 && $4 != f && $4 >= u && f - $4 < damp) n++
        p = $4 } END { print n + 0 }' "$REC")
ok "[ $bad = 0 ]" "no step short of the plan by less than the damping once a has what it uses ($bad)"
actor_stop
xensim_stop
ok "[ $(awk -F, 'NR > 1 && (m == "" || $11 < m) { m = $11 } END { print m }' "$REC") -ge $FLOOR ]" \
    "the floor held all along (recording)"
rm -f "$REC"
done_testing
