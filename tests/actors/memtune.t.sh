#!/bin/bash
# xl-auto honours the memtune params (docs/memtune.md) on the simulated
# host:
#  - hard_limit caps the balloon target at hard_limit - 1024 KiB (maxmem,
#    target + 1024 KiB as libxl sets it, never above the hard limit), even
#    when the params were written into the store by hand and the policy
#    target is above the cap;
#  - min_guarantee floors it (mem-tune raising the guarantee above the
#    target raises the balloon target), the higher of min= and it wins;
#  - swap_hard_limit bounds what paging takes out of a stuck guest (the
#    rest of the gap stays with the balloon), and 0 means no paging;
#  - mem-explain says when a domain is held at its hard limit.
# Time runs 100x; "after the delay" is proven by waiting for the paging
# target node (an event), and "no paging" by a later domain with the
# same delay being paged first (the kit's timers fire in deadline order).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

xensim_start --speed 100
G=1048576 # 1 GiB in KiB
M=1024
XLMEM=$MP_BUILD/bin/xlmem

hvm() { mkdom name="$1" type=hvm hap=1 memory_kb=$G maxmem_kb=$G \
    balloon=stuck memory_policy=xl-auto memory_policy_args="$2"; }

capped=$(mkdom name=capped type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-auto memory_policy_args=)
floor=$(mkdom name=floor type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-auto memory_policy_args=min=300)
swap=$(hvm swap paging=1,delay=2,swap_hard_limit=64)
noswap=$(hvm noswap paging=1,delay=2,swap_hard_limit=0)
sync1=$(hvm sync1 paging=1,delay=2)

actor_start xl-auto || exit 1

# --- hard_limit: the cap -------------------------------------------------
"$PROBE" target "$capped" $((900 * M))
ok "wait_node /local/domain/$capped/memory/target $((900 * M))" \
    "no hard limit: the balloon target follows the policy target"
# A toolstack writing the node itself (no library, no check): the policy
# target stays 900 MiB, the actor still keeps the cap.
xenstore-write /libxl/"$capped"/memory-policy/actor-params hard_limit=512
ok "wait_node /local/domain/$capped/memory/target $((512 * M - 1024))" \
    "hard_limit=512: balloon target hard_limit - 1024 KiB"
is "$(xenstore-read /libxl/"$capped"/memory-policy/target)" $((900 * M)) \
    "(the policy target itself was left at 900 MiB)"
"$PROBE" hv settle >/dev/null
is "$(info "$capped" actual)" $((512 * M - 1024)) \
    "the guest holds no more than the cap"
like "$(xensim_hv dominfo "$capped")" "max_kb=$((512 * M)) " \
    "maxmem (target + 1024 KiB, as libxl) is exactly the hard limit"
out=$("$XLMEM" mem-explain capped)
like "$out" "memtune: +hard_limit 512 MiB" "mem-explain shows the hard limit"
like "$out" "verdict: +held at its hard limit: hard_limit 512 MiB allows a target of at most 511 MiB" \
    "mem-explain: the domain is held at its hard limit, not stuck"
"$PROBE" target "$capped" $((400 * M))
ok "wait_node /local/domain/$capped/memory/target $((400 * M))" \
    "below the cap: the target is followed"

# --- min_guarantee: the floor --------------------------------------------
"$PROBE" target "$floor" $((200 * M))
ok "wait_node /local/domain/$floor/memory/target $((300 * M))" \
    "min=300: the floor of the actor's own param"
run=$("$XLMEM" mem-tune floor --min-guarantee 450 2>&1)
is "$?|$run" "0|" "mem-tune --min-guarantee 450"
ok "wait_node /local/domain/$floor/memory/target $((450 * M))" \
    "the guarantee above min=: balloon target raised to it"
"$XLMEM" mem-tune floor --min-guarantee 0
ok "wait_node /local/domain/$floor/memory/target $((300 * M))" \
    "guarantee removed: back to min="

# --- swap_hard_limit: what paging may take out ---------------------------
held=$(($(info "$swap" actual) + $(info "$swap" paged)))
"$PROBE" target "$swap" $((512 * M))
ok "wait_node /local/domain/$swap/memory/target-tot_pages \
    $((held - 64 * M))" \
    "after the delay: paging target leaves only swap_hard_limit (64 MiB) out"
"$PROBE" hv settle >/dev/null
is "$(info "$swap" paged)" $((64 * M)) "64 MiB paged out, not the 512 MiB gap"
is "$(info "$swap" paging)" 1 "paging enabled"
# Lowered while paging: pages come back until only the new limit is out.
"$XLMEM" mem-tune swap --swap-hard-limit 16
ok "wait_node /local/domain/$swap/memory/target-tot_pages \
    $((held - 16 * M))" "swap_hard_limit lowered to 16 MiB: paging target up"
"$PROBE" hv settle >/dev/null
is "$(info "$swap" paged)" $((16 * M)) "16 MiB out"

"$PROBE" target "$noswap" $((512 * M))
"$PROBE" target "$sync1" $((512 * M))
ok "wait_node /local/domain/$sync1/memory/target-tot_pages $((512 * M))" \
    "a later domain with the same delay was paged (the delay has expired)"
is "$(info "$noswap" paging)/$(info "$noswap" paged)" "0/0" \
    "swap_hard_limit=0: no paging at all"
is "$(xenstore-read /local/domain/"$noswap"/memory/target-tot_pages \
    2>/dev/null)" "" "no paging target written"

actor_stop
done_testing
