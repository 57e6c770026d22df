#!/bin/bash
# clock.t.sh: the actor kit's timers run on the host's clock, which on
# xensim is the simulated clock a test can hold (docs/hv-channel.md,
# `clock`).  xensim runs at --speed 1000000, so xl-auto's 2 s delay is
# 2 microseconds of real time: a kit whose timers ran on real time would
# have decided long before any check below; with the clock held, the
# delay runs out only when the test steps the clock past it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

xensim_start --speed 1000000
G=1048576 # 1 GiB in KiB
M=1024

hvm() { mkdom name="$1" type=hvm hap=1 memory_kb=$G maxmem_kb=$G \
    balloon=stuck memory_policy=xl-auto memory_policy_args="$2"; }

held=$(hvm held paging=1,delay=2)
later=$(hvm later paging=1,delay=2)
batch=$(hvm batch paging=1,delay=2)
actor_start xl-auto || exit 1

ok "clock_hold xl-auto" "clock held, and the actor has seen it"
"$PROBE" target "$held" $((512 * M))
ok "wait_node /local/domain/$held/memory/target \
    $(balloon_kb "$held" $((512 * M)))" \
    "balloon target set at once"
# A second domain's change: once its balloon target is written, the actor
# has been through the turn of its loop that would have fired a due timer
# for the first domain (it runs its timers after each batch of events).
"$PROBE" target "$later" $((512 * M))
ok "wait_node /local/domain/$later/memory/target \
    $(balloon_kb "$later" $((512 * M)))" \
    "a later change handled too"
is "$(xenstore-read /local/domain/"$held"/memory/target-tot_pages \
    2>/dev/null)" "" "clock held: the 2 s delay has not run out"
# clock_step waits until the actor has run every timer the step made due
# (the kit's barrier, /tool/mempolicy/actors/xl-auto/clock).
ok "clock_step 1000 xl-auto" "1 s of simulated time, actor caught up"
is "$(xenstore-read /local/domain/"$held"/memory/target-tot_pages \
    2>/dev/null)" "" "1 s into a 2 s delay: still nothing"
ok "clock_step 1500 xl-auto" "1.5 s more, actor caught up"
is "$(xenstore-read /local/domain/"$held"/memory/target-tot_pages)" \
    $((512 * M)) "the step ran the delay out: paging decided"
is "$(xenstore-read /local/domain/"$later"/memory/target-tot_pages)" \
    $((512 * M)) "for the later domain too"

# A change and then a step, read by the actor in one batch (it is stopped
# while both are made): the change is taken at the time it was made, so
# its 2 s delay runs out within the 2.5 s step.  Taken after the step's
# new time, its delay would end 2 s after the step instead.
kill -STOP "$ACTOR_PID"
"$PROBE" target "$batch" $((512 * M))
r=$(xensim_hv clock step 2500)
kill -CONT "$ACTOR_PID"
now=${r#*ms=}
now=${now%% *}
ok "wait_node /tool/mempolicy/actors/xl-auto/clock $now" \
    "a change and a step read together, actor caught up"
is "$(xenstore-read /local/domain/"$batch"/memory/target-tot_pages \
    2>/dev/null)" $((512 * M)) \
    "the change was taken before the step: its delay ran out in it"
ok "xensim_hv clock resume" "clock running again"
actor_stop
is "$(grep -c "domain $held: paging target" <<<"$(actor_log)")" 1 \
    "one paging decision"
done_testing
