#!/bin/bash
# Where sharing is impossible the actor says once what is missing and
# falls back to ballooning and paging, as xl-auto would:
#  - a PV guest and an HVM guest without HAP: sharing refused (the
#    library's PV / NO_HAP errors), balloon target = policy target;
#  - a hypervisor built without sharing (xensim --no-sharing: ENOSYS):
#    an HVM guest whose balloon is stuck gets its target by paging
#    (enforce, paging=1) after the delay.
# xensim's clock is held and stepped a second at a time (the actor caught
# up after each step: step_until) until each outcome holds: the delay,
# the balloons and the pager are on that clock.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-fallback.json" --speed 20
ok "xensim_hv clock pause" "clock held"
start_actor sharing
for d in 1 2; do
    ok "\"$XLMEM\" mem-set $d 40m" "mem-set domain $d"
done
at_target() {   # memory/target: the request less video RAM, as libxl
    [ "$(xsr /local/domain/$1/memory/target)" = "$(balloon_kb $1 40960)" ]
}
ok 'step_until sharing 1000 at_target 1' \
   "PV domain: balloon target = policy target"
ok 'step_until sharing 1000 at_target 2' \
   "no-HAP domain: balloon target = policy target"
# A second change: the reason is not logged again.
"$XLMEM" mem-set 1 48m
at48() { [ "$(xsr /local/domain/1/memory/target)" = 49152 ]; }
ok 'step_until sharing 1000 at48' "PV domain follows again"
is "$(grep -c 'domain 1: page sharing unavailable' "$T/sharing.log")" 1 \
   "PV: logged once"
like "$(grep 'domain 1: page sharing unavailable' "$T/sharing.log")" \
     'PV|HVM' "PV: the log says what is missing"
is "$(grep -c 'domain 2: page sharing unavailable' "$T/sharing.log")" 1 \
   "no HAP: logged once"
like "$(grep 'domain 2: page sharing unavailable' "$T/sharing.log")" \
     'hardware-assisted paging|HAP' "no HAP: the log says what is missing"
is "$(hvget dominfo 1 sharing)" 0 "PV: sharing stays off"
stop_actor sharing
xensim_stop
rm -rf "$XENSIM_DIR"

# A hypervisor without sharing: ENOSYS, then balloon + paging.
start_sim --scenario "$SCEN/sharing-fallback.json" --speed 20 --no-sharing
ok "xensim_hv clock pause" "clock held"
start_actor sharing
ok "\"$XLMEM\" mem-set 3 40m" "mem-set the stuck HVM domain"
paged() {
    local t p
    t=$(hvget dominfo 3 tot_kb) && [ "$t" -le 40960 ]
}
ok 'step_until sharing 1000 paged' \
   "stuck balloon: the target is reached by paging"
is "$(hvget dominfo 3 paging)" 1 "paging enabled"
is "$(grep -c 'domain 3: page sharing unavailable' "$T/sharing.log")" 1 \
   "no sharing in the hypervisor: logged once"
like "$(grep 'domain 3: page sharing unavailable' "$T/sharing.log")" \
     'not built|ENOSYS|without' "the log says what is missing"
stop_actor sharing
finish
