#!/bin/bash
# Sharing that cannot be fooled: Xen's share compares nothing, so the
# actor compares the bytes of both nominated pages before sharing.  Guest
# "evil" crafts pages whose 64-bit hash is the zero page's (xensim's
# sharing.collide): every one of them is refused and counted in
# mismatches, no page is ever shared with different contents
# (bad_shares), and the genuine zero pages are still shared.
. "$(dirname "$0")/common.sh"

cat >"$T/collide.json" <<'JSON'
{
  "host": { "memory": "2G", "sharing": true, "paging": true },
  "domains": [
    { "name": "good", "type": "hvm", "memory": "32M", "maxmem": "32M",
      "sharing": { "zero": 0.5 },
      "memory_policy": "sharing",
      "memory_policy_args": "rate=65536,delay=1,cow-check=0" },
    { "name": "evil", "type": "hvm", "memory": "32M", "maxmem": "32M",
      "sharing": { "zero": 0.25, "collide": 0.5 },
      "memory_policy": "sharing",
      "memory_policy_args": "rate=65536,delay=1,cow-check=0" }
  ]
}
JSON

start_sim --scenario "$T/collide.json" --speed 20
# The pass on xensim's held clock, stepped a second at a time (the actor
# caught up after each step) until it is over.
ok "xensim_hv clock pause" "clock held"
start_actor sharing
ok 'step_until sharing 1000 scan_done 2' \
   "both domains scanned"

mis1=$(xsr /libxl/1/memory-sharing/mismatches)
mis2=$(xsr /libxl/2/memory-sharing/mismatches)
diag "mismatches: good $mis1, evil $mis2"
ok "[ ${mis2:-0} -gt 100 ]" "evil's crafted pages were refused and counted"
is "$mis1" 0 "good: no mismatch"
is "$(xsr /tool/mempolicy/sharing/mismatches)" "$((mis1 + mis2))" \
   "host mismatches = the domains' sum"
for d in 1 2; do
    is "$(hvget guestinfo $d bad_shares)" 0 \
       "domain $d: no page shared with different contents"
done
ok "[ $(hvget physinfo freed_by_sharing_kb) -gt 4096 ]" \
   "the genuine zero pages are still shared"

stop_actor sharing
finish
