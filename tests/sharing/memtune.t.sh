#!/bin/bash
# The sharing actor honours the memtune params (docs/memtune.md), as
# xl-auto does (it links xl-auto's policy.c):
#  - hard_limit caps its balloon target (target + saved never above
#    hard_limit - 1024 KiB), also with params written by hand;
#  - min_guarantee floors it;
#  - swap_hard_limit bounds what its paging backstop takes out.
# On a hypervisor without sharing (--no-sharing: ENOSYS), so that the
# figures are the balloon's and the pager's alone.
# xensim's clock is held and stepped a second at a time (the actor caught
# up after each step: step_until) until each outcome holds: the delay,
# the balloons and the pager are on that clock.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-fallback.json" --speed 20 --no-sharing
ok "xensim_hv clock pause" "clock held"
start_actor sharing
M=1024

# --- hard_limit and min_guarantee on pv1 (balloon only) ------------------
ok "\"$XLMEM\" mem-set pv1 40m" "mem-set pv1 40 MiB"
at() { [ "$(xsr /local/domain/1/memory/target)" = "$1" ]; }
ok "step_until sharing 1000 at $((40 * M))" \
   "balloon target 40 MiB"
xenstore-write /libxl/1/memory-policy/actor-params delay=1,hard_limit=32
ok "step_until sharing 1000 at $((32 * M - 1024))" \
   "hard_limit=32 written by hand: balloon target 32 MiB - 1024 KiB"
is "$(xsr /libxl/1/memory-policy/target)" $((40 * M)) \
   "(the policy target stayed 40 MiB)"
is "$(hvget dominfo 1 max_kb)" $((32 * M)) \
   "maxmem brought down to the hard limit"
ok "\"$XLMEM\" mem-tune pv1 --hard-limit -1 --min-guarantee 50" \
   "mem-tune: no hard limit, a 50 MiB guarantee"
ok "step_until sharing 1000 at $((50 * M))" \
   "the guarantee above the target: balloon target 50 MiB"

# --- swap_hard_limit on hvm1 (stuck balloon, paging backstop) -------------
ok "\"$XLMEM\" mem-tune hvm1 --swap-hard-limit 8" "hvm1: at most 8 MiB out"
held=$(($(hvget dominfo 3 tot_kb) + $(hvget dominfo 3 paged_kb)))
ok "\"$XLMEM\" mem-set hvm1 32m" "mem-set hvm1 32 MiB (its balloon is stuck)"
ptarget() {
    [ "$(xsr /local/domain/3/memory/target-tot_pages)" = "$((held - 8 * M))" ]
}
ok 'step_until sharing 1000 ptarget' \
   "after the delay: the paging target leaves only 8 MiB out"
# Until the pager has paged something and stopped (nothing moves).
paged_idle() {
    [ "$(hvget dominfo 3 paged_kb)" -gt 0 ] &&
        [[ $(xensim_hv time) == *" moving=0"* ]]
}
ok 'step_until sharing 1000 paged_idle' "the pager has stopped"
is "$(hvget dominfo 3 paged_kb)" $((8 * M)) "8 MiB paged out, not the gap"

stop_actor sharing
finish
