#!/bin/bash
# A balloon found stuck while growing gets its room back when it is tried
# again, on xensim's held clock.
#
# As squeezed, the actor caps a stuck balloon's maxmem at what it holds
# (it may give memory back, never take more behind the planner's back).
# When the balloon is tried again the cap must go: squeezed sets every
# active domain's maxmem from its target again at each pass (xenopsd,
# squeezed/lib/squeeze.ml).  A guest whose vCPU did not run for 5 s (a
# loaded host: seen on real Xen under QEMU) was otherwise left capped for
# good: its target unchanged, so never rewritten, and its balloon unable
# to take more than the 1 MiB of slack, found stuck again at every retry.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../actors/common.sh"
. "$(dirname "$0")/common.sh"

M=1024
dom() { info "$1" "$2"; }
reached() { [ "$(dom "$1" actual)" -ge $(($(tgt "$1") - 1024)) ]; }

xensim_start --speed 20 --host-mem 4G
xensim_hv clock pause >/dev/null
# g's balloon does not move at first (its vCPU does not run)
g=$(mkdom name=g memory_kb=$((512 * M)) maxmem_kb=$((2048 * M)) \
    demand_kb=$((300 * M)) balloon=stuck memory_policy=balance \
    memory_policy_args=grace=0,max=1200m)
actor_start balance
ok "step_until balance 200 status_like $g 'used 300'" "g reports"
ok "step_until balance 200 status_like $g '^stuck at 512 MiB'" \
    "g's balloon, asked to grow, is found stuck"
t=$(tgt "$g")
ok "[ $t -gt $((600 * M)) ]" "its target is above what it holds ($t KiB)"
ok "[ $(dom "$g" maxmem) -le $((512 * M + 1024)) ]" \
    "its maxmem is capped at what it holds ($(dom "$g" maxmem) KiB)"
# its vCPU runs again: the balloon moves when asked
"$PROBE" hv guest_set "$g" balloon=cooperative >/dev/null
ok "step_until balance 1000 reached $g" \
    "tried again, g reaches its target"
ok "[ $(dom "$g" maxmem) -ge $(tgt "$g") ]" \
    "its maxmem is no longer capped ($(dom "$g" maxmem) KiB)"
ok "! status_like $g '^stuck'" "no longer stuck: $(st "$g")"
actor_stop
xensim_stop
done_testing
