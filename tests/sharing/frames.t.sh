#!/bin/bash
# Which guest frames the actor hashes (issue 16 §2):
#  - a 5 GiB HVM guest with a 1 GiB MMIO hole (xl's mmio_hole=1024) has
#    its RAM at frames 0..3 GiB and 4..6 GiB: the scan covers frames up to
#    xc_domain_maximum_gpfn, so every zero page is shared, those above
#    4 GiB included, and the hole is never mapped (xensim counts mapped
#    hole frames: hole_maps);
#  - a populate-on-demand guest is not hashed: looking at its entries
#    would populate them (pod_maps, pod_entries_kb unchanged);
#  - a guest with paged-out pages is not hashed, not even when its policy
#    changes: mapping them would page them back in (paged_maps);
# and the actor says so once, in its log and the domain's status line.
. "$(dirname "$0")/common.sh"

S=/tool/mempolicy/actors/sharing/status
start_sim --host-mem 16G --speed 20
# xensim's clock is held throughout and stepped a second at a time (the
# actor caught up after each step: step_until) until each outcome holds.
ok "xensim_hv clock pause" "clock held"
args="rate=16777216,cow-check=0"
pod=$(xensim_hv create name=pod type=hvm vga=none memory_kb=65536 \
      maxmem_kb=131072 demand_kb=16384 memory_policy=sharing \
      memory_policy_args=$args | sed -n 's/.*domid=//p')
is "$pod" 1 "a populate-on-demand guest (memory < maxmem)"
# A guest whose balloon is stuck: the actor pages it (paging=1) after
# the delay, and must then leave it alone.
pg=$(xensim_hv create name=pg type=hvm vga=none memory_kb=65536 \
     balloon=stuck memory_policy=sharing \
     memory_policy_args=$args,paging=1,delay=1 | sed -n 's/.*domid=//p')
is "$pg" 2 "a guest with a stuck balloon, paging allowed"
# 5 GiB, 0.2% zero pages (about 2600, a thousand of them above 4 GiB).
big=$(xensim_hv create name=big type=hvm vga=none memory_kb=5242880 \
      mmio_hole_kb=1048576 share_zero=0.002 memory_policy=sharing \
      memory_policy_args=$args | sed -n 's/.*domid=//p')
is "$big" 3 "a 5 GiB guest with a 1 GiB MMIO hole"
is "$(hvget maximum_gpfn 3 max_gpfn)" \
   "$(( 0x100000 + 1310720 - 100 - (0xC0000 - 32) - 1 ))" \
   "its RAM goes on above 4 GiB"
# The PoD guest's balloon driver takes it down to its memory, and its
# working set is populated from the cache: PoD entries are what is left
# once nothing moves (before the actor starts).
idle() { [[ $(xensim_hv time) == *" moving=0"* ]]; }
ok 'step_until "" 1000 idle' "the guests have booted: nothing moves"
pod_ents=$(hvget dominfo 1 pod_entries_kb)
ok "[ $pod_ents -gt 0 ]" "PoD entries ($pod_ents KiB)"

start_actor sharing --max-rate 16777216
ok "step_until sharing 1000 scan_done 3" "every pass over"
zeros=$(hv expect 3)
diag "duplicate pages of the big guest: $zeros"
ok "[ $zeros -gt 2000 ]" "it has zero pages to share"
is "$(hvget physinfo freed_by_sharing_kb)" "$((zeros * 4))" \
   "all of them shared, those above 4 GiB too"
is "$(hvget guestinfo 3 hole_maps)" 0 "the MMIO hole was never mapped"
is "$(hvget guestinfo 3 bad_shares)" 0 "no page shared with other bytes"

status_like() { [[ $(xsr "$S/$1") =~ $2 ]]; }
ok "step_until sharing 1000 status_like 1 \
    '^not hashed: [0-9]+ MiB of populate-on-demand entries'" \
   "the PoD guest's status says why it is not hashed"
is "$(hvget guestinfo 1 pod_maps)" 0 "no PoD entry was looked at"
is "$(hvget dominfo 1 pod_entries_kb)" "$pod_ents" "PoD entries unchanged"
is "$(hvget dominfo 1 shared_kb)" 0 "nothing of it shared"

ok "\"$XLMEM\" mem-set $pg 32m" "the stuck guest's target: 32 MiB, enforced"
ok "step_until sharing 1000 status_like 2 '^not hashed: [0-9]+ MiB paged out'" \
   "once the actor pages it, its status says why it is not hashed"
paged=$(hvget dominfo 2 paged_kb)
ok "[ $paged -gt 0 ]" "paged out: $paged KiB"
# A policy change asks for a new pass: not over paged-out frames.  The
# big guest's change after it is the barrier (the actor takes events in
# order): once that pass is over, the paged guest's event was handled.
passes=$(xsr /libxl/3/memory-sharing/passes)
ok "\"$XLMEM\" mem-policy-set $pg sharing $args,paging=1,delay=2" \
   "the paged guest's params change"
ok "\"$XLMEM\" mem-policy-set $big sharing $args,delay=6" \
   "then the big guest's"
rescanned() { [ "$(xsr /libxl/3/memory-sharing/passes)" -gt "$passes" ]; }
ok "step_until sharing 1000 rescanned" "the big guest's new pass is over"
is "$(hvget guestinfo 2 paged_maps)" 0 "no paged-out frame was mapped"
ok "[ $(hvget dominfo 2 paged_kb) -ge $paged ]" "nothing paged back in"
is "$(hvget guestinfo 3 hole_maps)" 0 "the hole still never mapped"
is "$(actor_log sharing | grep -c 'domain 1: not hashing')" 1 \
   "the log says it once for the PoD guest"
is "$(actor_log sharing | grep -c 'domain 2: not hashing')" 1 \
   "and once for the paged guest"

stop_actor sharing
finish
