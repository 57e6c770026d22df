#!/bin/bash
# xl-auto against the simulated host: every rule of issue 6.
#
# Time runs 100x (--speed 100), so delay=2 is 20 ms of real time.  Where a
# test must show that something did NOT happen after the delay, it makes a
# second, identical domain change afterwards and waits for that one to be
# paged: the kit's timers fire in deadline order, so by then the first
# domain's delay has certainly expired.  Where something must happen
# DURING a delay (a second change, a destruction), the test holds
# xensim's clock (`clock pause`), which holds the actor's timers too, and
# steps it past the delay afterwards: never a race with the machine.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

xensim_start --speed 100
G=1048576 # 1 GiB in KiB
M=1024

hvm() { mkdom name="$1" type=hvm hap=1 memory_kb=$G maxmem_kb=$G \
    balloon="$2" memory_policy=xl-auto memory_policy_args="$3"; }

pv=$(mkdom name=pv1 type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-auto memory_policy_args=min=600)
stuck=$(hvm stuck1 stuck paging=1,delay=2)
noenf=$(hvm noenf stuck paging=1,delay=2)
nopg=$(hvm nopg stuck paging=0,delay=2)
rise=$(hvm rise stuck paging=1,delay=2)
burst=$(hvm burst stuck paging=1,delay=5)
doomed=$(hvm doomed stuck paging=1,delay=2)
sync1=$(hvm sync1 stuck paging=1,delay=2)
sync2=$(hvm sync2 stuck paging=1,delay=2)
off=$(hvm off stuck paging=1,delay=2)
bad=$(mkdom name=bad type=pv memory_kb=$G maxmem_kb=$G \
    memory_policy=xl-auto memory_policy_args=delay=soon,min=700)

# The pager's record (/libxl/<domid>/xenpaging) is gone: the actor
# stopped it once nothing was paged out (it does so right after writing
# target 0, so wait for it rather than race it).
pager_gone() { ! xenstore-exists /libxl/"$1"/xenpaging; }

actor_start xl-auto || exit 1

# --- balloon target, clamped to [min, static-max] ------------------------
"$PROBE" target "$pv" $((512 * M))
ok "wait_node /local/domain/$pv/memory/target $((600 * M))" \
    "balloon target raised to min=600 (MiB)"
xenstore-write /libxl/"$pv"/memory-policy/actor-params min=2g
ok "wait_node /local/domain/$pv/memory/target $G" \
    "a min above static-max gives static-max, never more"
is "$(xenstore-read /local/domain/"$pv"/memory/target-tot_pages 2>/dev/null)" \
    "" "PV guest: no paging target written"
"$PROBE" target "$bad" $((512 * M))
ok "wait_node /local/domain/$bad/memory/target $((700 * M))" \
    "a bad param falls back to its default, the other params still apply"

# --- paging after the delay, only for the gap ----------------------------
"$PROBE" target "$stuck" $((512 * M))
ok "wait_node /local/domain/$stuck/memory/target \
    $(balloon_kb "$stuck" $((512 * M)))" \
    "stuck HVM guest: balloon target set at once"
ok "wait_node /local/domain/$stuck/memory/target-tot_pages $((512 * M))" \
    "after the delay: paging target = target (only the gap is paged)"
is "$(info "$stuck" paging)" 1 "paging enabled on the stuck guest"

# --- enforce=0 and paging=0 never page -----------------------------------
"$PROBE" target "$noenf" $((512 * M)) 0
"$PROBE" target "$nopg" $((512 * M))
ok "wait_node /local/domain/$nopg/memory/target \
    $(balloon_kb "$nopg" $((512 * M)))" \
    "paging=0 guest: balloon target set"
"$PROBE" target "$sync1" $((512 * M))
ok "wait_node /local/domain/$sync1/memory/target-tot_pages $((512 * M))" \
    "a later domain with the same delay got paged (delay has expired)"
is "$(info "$noenf" paging)/$(info "$noenf" paged)" "0/0" \
    "enforce=0: no paging after the delay"
is "$(info "$nopg" paging)/$(info "$nopg" paged)" "0/0" \
    "paging=0: no paging after the delay"

# --- the balloon catches up: page back in, end paging --------------------
"$PROBE" hv guest_set "$stuck" balloon=cooperative >/dev/null
ok "wait_node /local/domain/$stuck/memory/target-tot_pages 0" \
    "balloon caught up: paging target 0 (paging ended)"
ok "wait_until pager_gone $stuck" "its pager stopped, record removed"
is "$(info "$stuck" paging)/$(info "$stuck" paged)" "0/0" \
    "nothing paged out, paging disabled"

# --- the target rises while paging: page back in at once -----------------
"$PROBE" target "$rise" $((512 * M))
ok "wait_node /local/domain/$rise/memory/target-tot_pages $((512 * M))" \
    "paging towards 512 MiB"
"$PROBE" target "$rise" $((900 * M))
ok "wait_node /local/domain/$rise/memory/target-tot_pages $((900 * M))" \
    "target rose: paging target raised"
is "$(info "$rise" paging)" 1 "still paging the remaining gap"
"$PROBE" target "$rise" $G
ok "wait_node /local/domain/$rise/memory/target-tot_pages 0" \
    "target at the guest's size: everything paged back in, paging ended"

# --- paging turned off in the params while paging: wound down -----------
"$PROBE" target "$off" $((512 * M))
ok "wait_node /local/domain/$off/memory/target-tot_pages $((512 * M))" \
    "paging in effect"
xenstore-write /libxl/"$off"/memory-policy/actor-params paging=0,delay=2
ok "wait_node /local/domain/$off/memory/target-tot_pages 0" \
    "params now say paging=0: everything paged back in, paging ended"
ok "wait_until pager_gone $off" "its pager stopped, record removed"
is "$(info "$off" paging)/$(info "$off" paged)" "0/0" \
    "nothing paged out, paging disabled"

# --- a new change during the delay restarts it: no stale paging ----------
ok "clock_hold xl-auto" "clock held: the delay cannot run out"
"$PROBE" target "$burst" $((600 * M))
ok "wait_node /local/domain/$burst/memory/target \
    $(balloon_kb "$burst" $((600 * M)))" \
    "first change: balloon target set"
"$PROBE" target "$burst" $((500 * M))
ok "wait_node /local/domain/$burst/memory/target \
    $(balloon_kb "$burst" $((500 * M)))" \
    "second change during the delay: balloon target set"
is "$(xenstore-read /local/domain/"$burst"/memory/target-tot_pages \
    2>/dev/null)" "" "no paging decision while the delay runs"
ok "clock_step 10000 xl-auto" "10 s pass (the delay is 5 s), actor caught up"
is "$(xenstore-read /local/domain/"$burst"/memory/target-tot_pages)" \
    $((500 * M)) "after the delay: paged to the new target"
ok "xensim_hv clock resume" "clock running again"

# --- a domain destroyed during the delay ---------------------------------
ok "clock_hold xl-auto" "clock held again"
"$PROBE" target "$doomed" $((512 * M))
ok "wait_node /local/domain/$doomed/memory/target \
    $(balloon_kb "$doomed" $((512 * M)))" \
    "doomed domain: balloon target set, delay running"
ok "'$PROBE' hv destroy $doomed" "destroyed during its delay"
ok "clock_step 10000 xl-auto" "its delay (2 s) runs out, actor caught up"
ok "xensim_hv clock resume" "clock running again"
"$PROBE" target "$sync2" $((512 * M))
ok "wait_node /local/domain/$sync2/memory/target-tot_pages $((512 * M))" \
    "a later domain got paged: the doomed domain's delay has passed"

actor_stop
log=$(actor_log)
paging_lines=$(grep -c "domain $burst: paging target" <<<"$log")
is "$paging_lines" 1 "one paging decision for the changed-twice domain"
like "$(grep "domain $burst: paging target" <<<"$log")" \
    "paging target $((500 * M)) KiB" "taken on the newest target only"
like "$log" "domain $doomed died|domain $doomed left" \
    "the destroyed domain's state was dropped"
is "$(grep -cE "(error|warning).*domain $doomed" <<<"$log")" 0 \
    "no error about the destroyed domain"
is "$(grep -c "bad actor-params" <<<"$log")" 1 \
    "the bad param is reported once, in one line"
is "$(grep -c 'error' <<<"$log")" 0 "no error logged at all"

# --- paging outlives the actor: its pager runs on, recorded -------------
# The pager is a process of its own (xensim's, as xenpaging is on Xen):
# an actor that stops or restarts leaves paging as it is, and the next
# one finds it on, ends it the safe way, and the guest never crashes.
surv=$(hvm surv stuck paging=1,delay=2)
actor_start xl-auto || exit 1
"$PROBE" target "$surv" $((512 * M))
ok "wait_node /local/domain/$surv/memory/target-tot_pages $((512 * M))" \
    "paging the stuck guest"
rec=$(xenstore-read /libxl/"$surv"/xenpaging)
pid=${rec%% *}
like "$rec" "^[0-9]+ /.*/$surv\.paging\$" "pager recorded: pid and pagefile"
actor_stop
like "$(xensim_hv pager_status "$pid")" "state=running" \
    "the pager runs on after the actor exited"
is "$(info "$surv" paging)" 1 "another process sees paging on"
actor_start xl-auto || exit 1
"$PROBE" hv guest_set "$surv" balloon=cooperative >/dev/null
ok "wait_node /local/domain/$surv/memory/target-tot_pages 0" \
    "the restarted actor ends paging"
ok "wait_until pager_gone $surv" "... stopping the recorded pager"
like "$(xensim_hv pager_status "$pid")" "state=exited status=0 " \
    "the same pager exited 0 (SIGTERM once nothing was out)"
like "$(xensim_hv dominfo "$surv")" "paged_kb=0 .*crashed=0" \
    "nothing left out, the guest did not crash"
actor_stop

done_testing
