#!/bin/bash
# paused.t.sh: `xensim --paused` starts with the simulated clock held at
# 0, before anything ran (bench/balance/desktop.py steps it from there,
# so a run is the same whatever the machine's speed): it stays at 0
# until a step, whatever happens in between, and a step moves a balloon
# exactly.
. "$(dirname "$0")/../lib.sh"

xensim_start --paused
M=1024
like "$(xensim_hv clock)" '^ok ms=0 paused=1 ' "the clock starts held at 0"
like "$(xensim_hv create name=a memory_kb=$((512 * M)) \
    maxmem_kb=$((1024 * M)) rate_mib_s=256)" '^ok domid=1' "a guest"
xenstore-write /local/domain/1/memory/target $((256 * M))
ok "wait_until eval '[[ \$(xensim_hv guestinfo 1) == *\" balloon_target_kb=$((256 * M)) \"* ]]'" \
    "the guest saw its target"
like "$(xensim_hv dominfo 1)" " tot_kb=$((512 * M)) " \
    "a target written: nothing moves while held"
like "$(xensim_hv clock)" '^ok ms=0 paused=1 ' "still at 0 after requests"
like "$(xensim_hv clock step 500)" '^ok ms=500 paused=1 ' "a step of 500 ms"
like "$(xensim_hv dominfo 1)" " tot_kb=$((384 * M)) " \
    "the balloon moved 128 MiB in 0.5 s (256 MiB/s)"
xensim_stop
done_testing
