#!/bin/bash
# A reservation paid by slow balloons is granted once they gave, not
# refused on the way, on xensim's held clock.
#
# A donor balloon shrinking slower than 16 MiB/s is "slow" (apply.c): the
# planner counts its memory as it arrives.  The admission of a
# reservation is looked at again in every pass, and it counted what slow
# balloons hold above their floors as memory no plan can free: a request
# admitted and paid for by ballooning two guests down was refused "at
# once" two seconds later, when the two were found slow, although their
# memory was on its way (seen on real Xen under QEMU, where every balloon
# is slow: tests/xen/balance.sh).  Only a stuck balloon (no progress at
# all) holds memory a plan cannot count on; a slow one is refused at the
# request's deadline if it did not give in time, as squeezed's
# Domains_refused_to_cooperate.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
free_kb() { "$PROBE" hv physinfo | tr ' ' '\n' | sed -n 's/^free_kb=//p'; }
# mem-reserve exits once its request is decided (a refused one is removed)
decided() { ! kill -0 "$RESV_PID" 2>/dev/null; }

xensim_start --speed 20 --host-mem 4G
xensim_hv clock pause >/dev/null
# two guests whose balloons shrink at 12 MiB/s (slow), at their maxmem
a=$(mkdom name=a memory_kb=$((1024 * M)) maxmem_kb=$((1024 * M)) \
    demand_kb=$((200 * M)) balloon=slow rate_mib_s=12 \
    memory_policy=balance memory_policy_args=grace=0)
b=$(mkdom name=b memory_kb=$((1024 * M)) maxmem_kb=$((1024 * M)) \
    demand_kb=$((200 * M)) balloon=slow rate_mib_s=12 \
    memory_policy=balance memory_policy_args=grace=0)
# the rest of the host taken by a domain of no actor: 100 MiB free
f=$(free_kb)
mkdom name=fill memory_kb=$((f - 100 * M)) >/dev/null
actor_start balance
ok "step_until balance 200 status_like $b 'used 200'" "both guests report"
ok "step_until balance 1000 idle" "nothing moves"
is "$(xenstore-read /local/domain/$a/memory/target)" $((1024 * M)) \
    "a at its maxmem"
# 300 MiB more than is free: a and b must give 150 MiB each, at 12 MiB/s
reserve_start 300m
ok "step_until balance 500 decided" "the reservation is decided"
ok "wait $RESV_PID" "granted once the slow balloons gave" ||
    diag "$(cat "$XENSIM_DIR/resv.err")"
is "$(xenstore-read /tool/mempolicy/reservations/1/state 2>&1)" granted \
    "the reservation is held"
ok "[ $(free_kb) -ge $((300 * M + 72 * M)) ]" \
    "300 MiB free above the floor ($(free_kb) KiB)"
like "$(actor_log)" "reservation 1: 300 MiB granted" "the grant logged"
"$MP_BUILD/bin/xlmem" mem-release 1 >/dev/null
actor_stop
xensim_stop
done_testing
