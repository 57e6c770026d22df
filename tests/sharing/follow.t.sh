#!/bin/bash
# The balloon target follows the savings while a pass is still running,
# with hysteresis, and never above static-max.
#
# Three guests from one image get lower targets before the actor starts;
# their scan is slow (rate=128 pages/s: a pass takes about a minute of
# host time), so the `delay` (1 s) runs out early in the pass and the
# first balloon target holds what little was shared by then.  As the pass
# shares more, the balloon target must rise with the savings (target +
# saved) long before the pass ends, in steps of more than
# max(1% of the target, 4 MiB), and a guest whose target + saved exceeds
# its static-max stays at its static-max.
. "$(dirname "$0")/common.sh"

cat >"$T/follow.json" <<'EOF'
{
  "host": { "memory": "2G", "sharing": true, "paging": true },
  "domains": [
    { "name": "f1", "type": "hvm", "memory": "64M", "maxmem": "64M",
      "balloon": "cooperative", "demand": "16M",
      "sharing": { "image": "debian12", "zero": 0.25, "shared": 0.5 },
      "memory_policy": "sharing",
      "memory_policy_args": "rate=128,delay=1,cow-check=0" },
    { "name": "f2", "type": "hvm", "memory": "64M", "maxmem": "64M",
      "balloon": "cooperative", "demand": "16M",
      "sharing": { "image": "debian12", "zero": 0.25, "shared": 0.5 },
      "memory_policy": "sharing",
      "memory_policy_args": "rate=128,delay=1,cow-check=0" },
    { "name": "f3", "type": "hvm", "memory": "64M", "maxmem": "64M",
      "balloon": "cooperative", "demand": "16M",
      "sharing": { "image": "debian12", "zero": 0.25, "shared": 0.5 },
      "memory_policy": "sharing",
      "memory_policy_args": "rate=128,delay=1,cow-check=0" }
  ]
}
EOF

start_sim --scenario "$T/follow.json" --speed 20
TARGET=32768
STEP=4096          # max(1% of 32 MiB, 4 MiB)
MAXKB=65536
for d in 1 2; do
    ok "\"$XLMEM\" mem-set $d 32m" "mem-set domain $d 32m"
done
ok "\"$XLMEM\" mem-set 3 56m" "mem-set domain 3 56m (near static-max)"
start_actor sharing
ok 'xensim_hv clock pause' "the clock is held"

# Domain 2's balloon target rises by more than the hysteresis while its
# pass is still running (without the revision it stays put until the pass
# ends).  The log is read before the progress node: the report marking a
# pass's end is written before any revision that end causes, so a
# progress below 100 read afterwards means the rise came before the end.
# xensim's clock is held and stepped a second at a time, the actor caught
# up after each (step_until), so the test looks at every second of the
# pass however slow the machine: with the clock running, a loaded test
# could look only once the pass was over.
targets=()
risen() {
    local t
    for t in "${targets[@]:1}"; do
        [ "$t" -gt $(( targets[0] + STEP )) ] && return 0
    done
    return 1
}
risen_or_done() {
    mapfile -t targets < <(sed -n \
        's/.*domain 2: balloon target \([0-9]*\) KiB.*/\1/p' \
        "$T/sharing.log")
    progress=$(xsr /libxl/2/memory-sharing/progress) || return 1
    { [ ${#targets[@]} -ge 1 ] && risen; } || [ "$progress" = 100 ]
}
progress=
step_until sharing 1000 risen_or_done
_tap_result $? "domain 2's balloon target rose or its pass ended"
diag "balloon targets ${targets[*]} KiB; pass at $progress%"
ok "[ \"$progress\" -lt 100 ] && [ ${#targets[@]} -ge 2 ]" \
   "the balloon target followed the savings during the pass ($progress%)"
ok "[ ${targets[0]:-0} -lt $((TARGET + STEP * 2)) ]" \
   "the first balloon target held little savings (${targets[0]:-none} KiB)"

# Once every pass is over (the clock still held and stepped): within the
# hysteresis of target + saved, and domain 3 is held at static-max
# however much is saved.
settled() {
    local d saved want mt diff
    scan_done 3 || return 1
    for d in 1 2; do
        saved=$(xsr /libxl/$d/memory-sharing/saved_kb) || return 1
        want=$((TARGET + saved))
        [ $want -gt $MAXKB ] && want=$MAXKB
        want=$(balloon_kb $d $want)  # memory/target: less video RAM
        mt=$(xsr /local/domain/$d/memory/target) || return 1
        diff=$((mt - want))
        [ ${diff#-} -le $STEP ] || return 1
    done
}
ok 'step_until sharing 1000 settled' \
   "after the passes, balloon targets are target + saved within $STEP KiB"
saved2=$(xsr /libxl/2/memory-sharing/saved_kb)
ok "[ $saved2 -gt $((STEP * 2)) ]" \
   "domain 2 saved enough to be worth following ($saved2 KiB)"
mt3=$(xsr /local/domain/3/memory/target)
ok "[ $mt3 -le $(balloon_kb 3 $MAXKB) ] &&
    [ $mt3 -ge $(balloon_kb 3 $((MAXKB - STEP))) ]" \
   "domain 3: balloon target $mt3 KiB, up to static-max and not above"
ok "[ $(( 57344 + $(xsr /libxl/3/memory-sharing/saved_kb) )) -gt $MAXKB ]" \
   "domain 3: target + saved is above static-max"

# Hysteresis: each revision moved the target by more than STEP, so the
# number of balloon targets set is bounded by the savings.
n=$(grep -c "domain 2: balloon target" "$T/sharing.log")
ok "[ $n -ge 2 ] && [ $n -le $((saved2 / STEP + 3)) ]" \
   "domain 2: $n balloon targets for $saved2 KiB saved (steps > $STEP KiB)"
for d in 1 2 3; do
    is "$(hvget guestinfo $d bad_shares)" 0 "domain $d: no bad share"
done

stop_actor sharing
finish
