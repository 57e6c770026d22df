#!/bin/bash
# xl mem-set typed on a managed domain is adopted, not undone: the actor's
# next balloon write (on its next event, or its resync after a restart)
# finds memory/target changed outside the library while the policy was
# not, and the library makes that the policy target (enforced, as xl
# mem-set enforces).  A policy target set after it is newer and wins.
# "xl mem-set" is played as libxl does it on the store and hypervisor:
# memory/target, then maxmem = target + 1024 KiB.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

M=1024
xensim_start --speed 100
# Held clock: no paging timer of the actor fires between two steps of the
# test, so the only balloon writes (and adoptions) are the ones the test
# causes; the nodes it checks do not need simulated time to pass.
xensim_hv clock pause >/dev/null
d=$(mkdom name=web memory_kb=$((512 * M)) maxmem_kb=$((1024 * M)) \
    memory_policy=xl-auto)
xl_mem_set() { # DOMID KIB, as libxl_set_memory_target with enforce
    xenstore-write /local/domain/"$1"/memory/target "$2"
    "$PROBE" hv setmaxmem "$1" $(($2 + 1024)) >/dev/null
}

actor_start xl-auto || exit 1
"$PROBE" target "$d" $((400 * M)) >/dev/null
ok "wait_node /local/domain/$d/memory/target $((400 * M))" \
    "the actor follows the policy target"

# xl mem-set while the actor runs; its next event re-applies the target.
xl_mem_set "$d" $((300 * M))
"$PROBE" policy "$d" "$d" xl-auto delay=4 >/dev/null
ok "wait_node /libxl/$d/memory-policy/target $((300 * M))" \
    "next event: xl mem-set adopted as the policy target"
is "$(xenstore-read /local/domain/"$d"/memory/target)" $((300 * M)) \
    "... memory/target left as xl set it"
is "$(xenstore-read /libxl/"$d"/memory-policy/enforce)" 1 \
    "... enforced, as xl mem-set"
actor_stop

# xl mem-set while the actor is down; its resync at start-up.
xl_mem_set "$d" $((280 * M))
actor_start xl-auto || exit 1
ok "wait_node /libxl/$d/memory-policy/target $((280 * M))" \
    "actor restart: xl mem-set adopted, not undone"
is "$(xenstore-read /local/domain/"$d"/memory/target)" $((280 * M)) \
    "... memory/target left as xl set it"
# The adoption wrote the policy target, so the actor has one more event
# to handle: let it (the barrier) before xl writes again, or that write
# is adopted too.
clock_step 1 xl-auto || echo "not ok - barrier"

# A policy target set after an xl mem-set is newer: it wins.
xl_mem_set "$d" $((200 * M))
"$PROBE" target "$d" $((350 * M)) >/dev/null
ok "wait_node /local/domain/$d/memory/target $((350 * M))" \
    "a newer policy target wins over an older xl mem-set"
actor_stop
like "$(actor_log)" "outside the policy \(xl mem-set\?\): adopted" \
    "the adoption is logged, one line each time"
is "$(grep -c 'adopted' <<<"$(actor_log)")" 2 "... twice"

done_testing
