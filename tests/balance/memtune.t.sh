#!/bin/bash
# The balance actor honours libvirt's memtune params (docs/memtune.md):
#  - soft_limit: under contention a domain above its soft limit gives
#    first, and nobody is taken below its soft limit while another is
#    above its own (a domain without one counts as always below it);
#  - hard_limit: the cap (target at most hard_limit - 1024 KiB, maxmem
#    at most hard_limit);
#  - min_guarantee: the floor (admission is tests/balance/reserve.t.sh);
# each status line naming the limit that decided the target.
#
# On xensim's held clock (docs/determinism.md), as rules.t.sh.  The
# actor's --floor is the host's free memory once a, b and c exist, so
# the three share exactly what they hold (1800 MiB): contention.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
T=$(mktemp -d /tmp/balance-memtune.XXXXXX)
REC=$T/rec.csv
X=$MP_BUILD/bin/xlmem

target_is() { [ "$(tgt "$1")" -eq "$2" ]; }
free_kb() { "$PROBE" hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p'; }
# The lowest target written for domain name $1 in the recording from
# simulated time $2 on (KiB).
min_target() {
    awk -F, -v d="$1" -v t="${2:-0}" 'NR > 1 && $3 == d && $1 + 0 >= t &&
        (m == "" || $4 + 0 < m) { m = $4 + 0 } END { print m }' "$REC"
}

xensim_start --speed 20 --host-mem 4G --record "$REC"
xensim_hv clock pause >/dev/null

mk() {
    mkdom name="$1" memory_kb=$((600 * M)) maxmem_kb=$((1200 * M)) \
        demand_kb=$((600 * M)) memory_policy=balance \
        memory_policy_args="grace=0${2:+,$2}"
}
a=$(mk a soft_limit=300m)
b=$(mk b soft_limit=500m)
c=$(mk c)
floor=$(free_kb)
actor_start balance --floor "${floor}k" --damp 32m
ok "step status_like $c 'used 600'" "c reports"
ok "step status_like $a 'used 600'" "a reports"
ok "step status_like $b 'used 600'" "b reports"
settle

# ---- soft_limit -----------------------------------------------------------
# c now needs 900 MiB (1170 with its headroom); 1800 MiB for the three.
# Shared by weight, each would get 600.  With the soft limits, a and b
# give down to 300 and 500 before c gives anything; c gets the rest.
t0=$(now_s)
"$PROBE" hv guest_set "$c" demand_kb=$((900 * M)) >/dev/null
ok "step status_like $c 'used 900'" "c's new report is seen"
ok "step target_is $c $((1000 * M))" "c gets 1000 MiB"
settle
is "$(tgt "$a") $(tgt "$b") $(tgt "$c")" \
    "$((300 * M)) $((500 * M)) $((1000 * M))" \
    "a and b at their soft limits, c has what is left"
like "$(st "$a")" '^300 MiB = soft_limit \(used 600\): host short [0-9]+ MiB, taken down to its soft limit first; ' \
    "a's status names its soft limit"
like "$(st "$b")" '^500 MiB = soft_limit ' "b's too"
ok "[ $(min_target c) -ge $((600 * M)) ]" \
    "c never gave anything (lowest target $(min_target c) KiB)"
ok "[ $(min_target a) -ge $((300 * M)) ] && [ $(min_target b) -ge $((500 * M)) ]" \
    "nobody below its soft limit (a $(min_target a), b $(min_target b) KiB)"

# ---- hard_limit -----------------------------------------------------------
"$X" mem-tune c --hard-limit 800m >/dev/null
ok "step target_is $c $((799 * M))" \
    "hard_limit=800m: c's target comes down to 799 MiB (maxmem = target + 1 MiB)"
settle
ok "[ $(info "$c" maxmem) -le $((800 * M)) ]" \
    "c's maxmem $(info "$c" maxmem) KiB: never above the hard limit"
like "$(st "$c")" '^799 MiB = the hard_limit cap \(used 900\); ' \
    "c's status names the hard limit"
# What c no longer takes goes above the soft limits, by weight: b to
# what it uses (600), a the rest (401).
is "$(tgt "$a") $(tgt "$b")" "$((401 * M)) $((600 * M))" \
    "the others get what c may not take"

# ---- min_guarantee --------------------------------------------------------
# a is guaranteed 550 MiB: above its soft limit, so c (below its cap)
# gives for it; b stays at its soft limit.
"$X" mem-tune a --min-guarantee 550m >/dev/null
ok "step target_is $a $((550 * M))" "min_guarantee=550m: a raised to 550 MiB"
settle
is "$(tgt "$a") $(tgt "$b") $(tgt "$c")" \
    "$((550 * M)) $((500 * M)) $((750 * M))" \
    "a at its guarantee, b at its soft limit, c gives the rest"
like "$(st "$a")" '^550 MiB = min_guarantee \(used 600\); ' \
    "a's status names its guarantee"
ok "[ $(rec_min_free "$REC") -ge $((floor - 2048)) ]" \
    "host free memory never under the floor on the recording"

actor_stop
xensim_stop
rm -rf "$T"
done_testing
