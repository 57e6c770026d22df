#!/bin/bash
# Memory groups under the balance actor (docs/groups.md):
#  - a group over its budget is squeezed, a domain outside it untouched;
#  - contention is shared between the groups and the root group's
#    domains by group weight, then within a group by domain weight;
#  - the groups are in the store: a restarted actor plans with them.
# On xensim's held clock (docs/determinism.md), as rules.t.sh.  dom0
# holds 1 GiB of the 4 GiB host and the actor's floor is 72 MiB, so a,
# b and c share exactly 3000 MiB (xensim charges no overhead).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
T=$(mktemp -d /tmp/balance-groups.XXXXXX)
REC=$T/rec.csv
X=$MP_BUILD/bin/xlmem
export MEMPOLICY_XL_CONF=/dev/null

# near KIB KIB2: within 4 KiB (a water level times a weight, rounded
# down to whole pages).
near() { local d=$(($1 - $2)); [ "${d#-}" -le 4 ]; }
tgt_near() { near "$(tgt "$1")" "$2"; }
# targets A B C: the three targets, each near its figure (MiB, or KiB
# with a k).
kib() { case $1 in *k) echo "${1%k}" ;; *) echo $(($1 * M)) ;; esac; }
targets() { tgt_near "$a" "$(kib "$1")" && tgt_near "$b" "$(kib "$2")" &&
    tgt_near "$c" "$(kib "$3")"; }
# The targets domain name $1 had on the recording from time $2 on (the
# one it had then, and every one after: a row is written only when a
# figure changes).
targets_of() {
    awk -F, -v d="$1" -v t="${2:-0}" 'NR > 1 && $3 == d && $1 + 0 < t {
        before = $4 } NR > 1 && $3 == d && $1 + 0 >= t { print $4 }
        END { if (before != "") print before }' "$REC" |
        sort -u | tr '\n' ' '
}

xensim_start --speed 20 --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null

mk() {
    mkdom name="$1" memory_kb=$((800 * M)) maxmem_kb=$((1500 * M)) \
        demand_kb=$((500 * M)) memory_policy=balance \
        memory_policy_args="grace=0${2:+,$2}"
}
a=$(mk a)
b=$(mk b)
c=$(mk c max=1000m)
actor_start balance --damp 32m
ok "step status_like $a 'used 500' && step status_like $b 'used 500' && step status_like $c 'used 500'" \
    "the three report"
settle
ok "targets 1000 1000 1000" "plenty: used x 1.3 and the surplus, c at its max="

# ---- a group over its budget is squeezed, c untouched ----------------------
"$X" mem-group-set web budget=1000m
t0=$(now_s)
"$X" mem-policy-set a balance grace=0,group=web 2>/dev/null
"$X" mem-policy-set b balance grace=0,group=web 2>/dev/null
ok "step targets 500 500 1000" "a + b squeezed into web's 1000 MiB budget"
settle
is "$(( $(info "$a" actual) + $(info "$b" actual) <= 1000 * M ))" 1 \
    "what a and b hold: within the budget"
like "$(st "$a")" '^500 MiB of used 500: weight 1; group web at its budget 1000 MiB; host free [0-9]+ MiB \(floor 72\)$' \
    "a's status names the group's budget"
is "$(targets_of c "$t0")" "$((1000 * M)) " \
    "c, outside the group, untouched (its one target on the recording)"
# A budget lowered by less than the damping (20 MiB each): written all
# the same, or the group would stay over its budget for ever.
"$X" mem-group-set web budget=960m
ok "step targets 480 480 1000" "a budget lowered by a little is met too"
settle

# ---- contention shared by group weight ------------------------------------
# Everyone uses 1400 MiB (4200 for 3000).  After the 200 MiB floors, web
# (weight 1) and c (weight 1, the root group) share 2400: c gets what it
# uses (1200 more), web the other 1200 (600 each).  By domain weight
# alone a, b and c would get 1000 each.
"$X" mem-group-set web budget=3g
"$X" mem-policy-set c balance grace=0 2>/dev/null
for d in $a $b $c; do
    "$PROBE" hv guest_set "$d" demand_kb=$((1400 * M)) >/dev/null
done
ok "step status_like $a 'used 1400' && step status_like $c 'used 1400'" \
    "the new reports are seen"
ok "step targets 800 800 1400" "web and c share by group weight 1:1"
settle
# web's weight 3: 1800 of the 2400 to web (900 each), 600 to c.
"$X" mem-group-set web weight=3
ok "step targets 1100 1100 800" "web at weight 3 gets 3/4"
settle
# Within web by domain weight: b at weight 2 gets 2/3 of web's 1800.
"$X" mem-policy-set b balance grace=0,group=web,weight=2 2>/dev/null
ok "step targets 800 1400 800" "within web by domain weight 1:2"
settle

# ---- persistence: a restarted actor plans with the groups in the store --
actor_stop
# Changed while no actor runs: only the store knows it.
"$X" mem-group-set web budget=1500m
actor_start balance --damp 32m
# web (weight 3) may take 1500 - 400 = 1100 above the floors (a 1/3, b
# 2/3 of it): c the rest, up to its static-max (1500: what it uses and
# some headroom; its last few MiB may wait within the 32 MiB damping).
restarted() {
    tgt_near "$a" $((200 * M + 1100 * M / 3)) &&
        tgt_near "$b" $((200 * M + 2200 * M / 3)) &&
        [ "$(tgt "$c")" -ge $((1468 * M)) ]
}
ok "step restarted" "restarted: web's new budget, read from the store"
settle
ok "[ $(rec_min_free "$REC") -ge $((72 * M - 2048)) ]" \
    "host free memory never under the floor on the recording"

actor_stop
xensim_stop
rm -rf "$T"
done_testing
