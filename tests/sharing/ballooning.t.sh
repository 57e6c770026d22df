#!/bin/bash
# Sharing first, then ballooning: six HVM guests from one image, three
# served by the sharing actor and three by xl-auto, all given the same
# enforced target (tools/xensim/scenarios/sharing-vs-xl-auto.json).  Both
# groups end up costing the host no more than their targets, and the
# sharing group gets there with less ballooning: its guests keep the
# memory sharing freed.
#
# xensim's clock is held and stepped a second at a time, both actors
# caught up after each step (step_until), until each outcome holds: the
# passes, the balloon decisions' delay and the balloons' moves are all on
# that clock, so none of it depends on how fast the machine runs them.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-vs-xl-auto.json" --speed 20
ok "xensim_hv clock pause" "clock held"
start_actor sharing
start_actor xl-auto

SH="1 2 3"
AU="4 5 6"
TARGET=40960
for d in $SH $AU; do
    ok "\"$XLMEM\" mem-set $d 40m" "mem-set domain $d 40m"
done

# Balloon targets: the sharing actor's is target + saved, within
# static-max, once every pass is over; a rise of up to 4 MiB (the
# hysteresis, max(1% of 40 MiB, 4 MiB)) may be left unfollowed.
balloon_as_planned() {
    local d want saved mt
    scan_done 3 || return 1
    for d in $SH; do
        saved=$(xsr /libxl/$d/memory-sharing/saved_kb) || return 1
        want=$((TARGET + saved))
        [ $want -gt 65536 ] && want=65536
        want=$(balloon_kb $d $want)  # memory/target: less video RAM
        mt=$(xsr /local/domain/$d/memory/target) || return 1
        [ "$mt" -le $want ] && [ "$mt" -ge $((want - 4096)) ] || return 1
    done
    for d in $AU; do
        [ "$(xsr /local/domain/$d/memory/target)" = \
          "$(balloon_kb $d $TARGET)" ] || return 1
    done
}
ok 'step_until "sharing xl-auto" 1000 balloon_as_planned' \
   "balloon targets: target + saved (sharing), target (xl-auto)"

sum_hv() {   # VERB KEY DOMIDS...
    local verb=$1 key=$2 s=0 d; shift 2
    for d in "$@"; do s=$((s + $(hvget $verb $d $key))); done
    echo $s
}

# The guests' balloons get there (meminfo is rewritten as they move),
# and the sharing group then costs the host no more than its targets
# (the actor may lower a balloon target again when ballooned-out frames
# were shared ones).
converged() {
    local d freed
    for d in $SH $AU; do
        # The guest's balloon driver at its own target (memory/target
        # less what it does not count as its RAM: docs/xensim.md).
        [ "$(hvget guestinfo $d populated_kb)" = \
          "$(hvget guestinfo $d balloon_target_kb)" ] || return 1
    done
    freed=$(hvget physinfo freed_by_sharing_kb)
    [ $(( $(sum_hv dominfo tot_kb $SH) + $(sum_hv dominfo shared_kb $SH) \
          - freed )) -le $((3 * TARGET)) ]
}
ok 'step_until "sharing xl-auto" 1000 converged' \
   "every balloon converged, the sharing group within its targets"
# What each group costs the host.  Sharing group: private pages plus
# shared frames, i.e. tot + shared - freed (only this group shares).
freed=$(hvget physinfo freed_by_sharing_kb)
cost_sh=$(( $(sum_hv dominfo tot_kb $SH) + $(sum_hv dominfo shared_kb $SH) \
            - freed ))
cost_au=$(sum_hv dominfo tot_kb $AU)
diag "sharing group costs $cost_sh KiB, xl-auto group $cost_au KiB," \
     "targets $((3 * TARGET)) KiB"
ok "[ $cost_sh -le $((3 * TARGET)) ]" "sharing group within its targets"
ok "[ $cost_au -le $((3 * TARGET)) ]" "xl-auto group within its targets"
for d in $SH; do
    cost=$(( $(hvget dominfo $d tot_kb) + $(hvget dominfo $d shared_kb) \
             - $(xsr /libxl/$d/memory-sharing/saved_kb) ))
    ok "[ $cost -le $TARGET ]" "domain $d costs $cost KiB <= target"
done

ballooned_sh=$(( 3 * 65536 - $(sum_hv guestinfo populated_kb $SH) ))
ballooned_au=$(( 3 * 65536 - $(sum_hv guestinfo populated_kb $AU) ))
diag "ballooned out: sharing $ballooned_sh KiB, xl-auto $ballooned_au KiB"
ok "[ $ballooned_sh -lt $ballooned_au ]" \
   "less ballooning with sharing ($ballooned_sh < $ballooned_au KiB)"
ok "[ $(( ballooned_au - ballooned_sh )) -ge $((freed / 2)) ]" \
   "the guests keep the memory sharing freed"
for d in $SH; do
    is "$(hvget guestinfo $d bad_shares)" 0 "domain $d: no bad share"
    is "$(hvget dominfo $d paging)" 0 "domain $d: no paging needed"
done

stop_actor sharing
stop_actor xl-auto
finish
