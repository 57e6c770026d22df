#!/bin/bash
# A domain leaving the sharing actor mid-scan has sharing disabled and is
# forgotten: switching to xl-auto while its pass runs clears its sharing
# flag and removes its report node.  As in Xen (mem_sharing_control only
# clears the flag) its pages shared so far stay shared until the guest
# writes them; once it has, the other domains' figures follow the
# hypervisor again.  Left for no actor (""), the same.  A domain
# destroyed under the actor is forgotten the same way, and a restarted
# actor picks up what is shared already.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-image.json" --speed 20
# Slow scan, so that the switch lands mid-pass.
for d in 1 2 3; do
    "$XLMEM" mem-policy-set "$d" sharing "rate=2048,cow-check=0"
done
# xensim's clock is held throughout and stepped (the actor caught up
# after each step: step_until): half a second at a time to the middle of
# the pass, so the switch lands mid-pass by construction; then a second
# at a time until each outcome holds.
ok "xensim_hv clock pause" "clock held"
start_actor sharing
start_actor xl-auto

mid_scan() {
    local p s
    p=$(xsr /libxl/2/memory-sharing/progress) &&
        s=$(xsr /libxl/2/memory-sharing/shared_kb) &&
        [ "$p" -gt 0 ] && [ "$p" -lt 100 ] && [ "$s" -gt 0 ]
}
ok "step_until sharing 500 mid_scan" \
    "domain 2 is being scanned and shares pages"
ok "\"$XLMEM\" mem-policy-set 2 xl-auto" "domain 2 switches to xl-auto"
gone() { ! xenstore-read /libxl/2/memory-sharing/saved_kb >/dev/null 2>&1; }
ok 'step_until "sharing xl-auto" 1000 gone' "domain 2's report removed"
is "$(hvget dominfo 2 sharing)" 0 "domain 2: sharing disabled"
ok "[ $(hvget dominfo 2 shared_kb) -gt 0 ]" \
   "domain 2: its shared pages stay shared (Xen leaves them)"
like "$(actor_log sharing)" \
     'domain 2: left for actor "xl-auto": sharing disabled; pages shared so far stay shared until the guest writes them' \
     "the actor says so"
ok "[ $(hv write-all 2) -gt 0 ]" "domain 2 writes all its pages"
is "$(hvget dominfo 2 shared_kb)" 0 "domain 2: nothing shared once written"

for d in 1 3; do
    "$XLMEM" mem-policy-set "$d" sharing "rate=65536,cow-check=0"
done
followed() {
    scan_done 2 && [ "$(sum_dom saved_kb 1 3)" = \
                     "$(hvget physinfo freed_by_sharing_kb)" ]
}
ok 'step_until "sharing xl-auto" 1000 followed' \
   "the others' savings follow the hypervisor"
is "$(( $(hv expect 1 3) * 4 ))" "$(hvget physinfo freed_by_sharing_kb)" \
   "domains 1 and 3 share all they can"

# Left for no actor at all (""): the actor still undoes its sharing (the
# library lets anyone disable it), with no error.
ok "\"$XLMEM\" mem-policy-set 3 ''" "domain 3 switches to no actor"
gone3s() { ! xenstore-read /libxl/3/memory-sharing/saved_kb >/dev/null 2>&1; }
ok 'step_until "sharing xl-auto" 1000 gone3s' "domain 3's report removed"
is "$(hvget dominfo 3 sharing)" 0 "domain 3: sharing disabled"
ok "[ $(hvget dominfo 3 shared_kb) -gt 0 ]" \
   "domain 3: its shared pages stay shared"
like "$(actor_log sharing)" 'domain 3: left for actor ""' \
     "the actor disabled sharing for domain 3"

# Destroyed: forgotten, no error.
ok "xensim_hv destroy 3" "domain 3 destroyed"
gone3() {
    ! xenstore-read /libxl/3/memory-sharing/saved_kb >/dev/null 2>&1 &&
        [ "$(xsr /tool/mempolicy/sharing/domains)" = 1 ]
}
ok 'step_until "sharing xl-auto" 1000 gone3' "domain 3 forgotten"
is "$(( $(hv expect 1) * 4 ))" "$(hvget physinfo freed_by_sharing_kb)" \
   "domain 1 keeps its own zero pages shared"
is "$(xsr /libxl/1/memory-sharing/saved_kb)" \
   "$(hvget physinfo freed_by_sharing_kb)" "domain 1's figures follow"
if grep -q 'error' "$T/sharing.log"; then
    _tap_result 1 "no error logged"; sed 's/^/# /' "$T/sharing.log"
else _tap_result 0 "no error logged"; fi

# A restart: the new actor's figures match what is shared already.
stop_actor sharing
freed=$(hvget physinfo freed_by_sharing_kb)
start_actor sharing
ok 'step_until "sharing xl-auto" 1000 scan_done 1' "restarted actor scans"
is "$(hvget physinfo freed_by_sharing_kb)" "$freed" "nothing lost by it"
is "$(xsr /libxl/1/memory-sharing/saved_kb)" "$freed" \
   "its figures match what was shared"
is "$(hvget guestinfo 1 bad_shares)" 0 "no bad share"

stop_actor sharing
stop_actor xl-auto
finish
