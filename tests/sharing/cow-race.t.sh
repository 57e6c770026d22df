#!/bin/bash
# A copy-on-write break behind a running pass gets a pass of its own.
#
# The actor's reports refresh its copy of the hypervisor's cow_breaks
# once a second while scanning.  Breaks that land on pages the running
# pass has already gone by must still get a new pass, even when a report
# has seen the counter move before the copy-on-write check runs (the
# check used to compare with the last look, so such breaks were never
# rescanned and the savings stayed counted: the flaky end of cow.t.sh).
# Here the check is slow (cow-check=60) and the pass is slow (rate=256,
# about a minute of host time), so a report always sees the breaks first.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-image.json" --speed 20
# xensim's clock is held throughout and stepped (the actor caught up
# after each step: step_until) until each outcome holds.
ok "xensim_hv clock pause" "clock held"
start_actor sharing
ok 'step_until sharing 1000 scan_done 3' "first scan done"
freed0=$(hvget physinfo freed_by_sharing_kb)
is "$(sum_dom saved_kb 1 2 3)" "$freed0" "savings agree before the writes"

for d in 1 2; do
    ok "\"$XLMEM\" mem-policy-set $d sharing cow-check=60" \
       "domain $d: cow-check=60"
done
ok "\"$XLMEM\" mem-policy-set 3 sharing rate=256,cow-check=60" \
   "domain 3: a slow pass, cow-check=60"

# Half-way through domain 3's pass, its guest writes 50 of its shared
# pages; write-shared takes them from the lowest frames, which the pass
# has gone by.  The clock is moved 5 s at a time, the actor caught up
# after each step, so the writes land half-way whatever the machine's
# speed.
halfway() {
    local p
    p=$(xsr /libxl/3/memory-sharing/progress) && [ "$p" -ge 50 ] &&
        [ "$p" -lt 100 ]
}
ok "step_until sharing 5000 halfway" "domain 3's pass half-way"
is "$(hv write-shared 3 50)" 50 "domain 3 writes 50 shared pages"

settled() {
    [ "$(xsr /libxl/3/memory-sharing/cow_breaks)" = \
      "$(hvget dominfo 3 cow_breaks)" ] && scan_done 3 &&
        [ "$(sum_dom saved_kb 1 2 3)" = \
          "$(hvget physinfo freed_by_sharing_kb)" ]
}
ok 'step_until sharing 5000 settled' \
   "the breaks behind the pass were rescanned: savings agree" ||
    diag "cow: $(xsr /libxl/3/memory-sharing/cow_breaks) vs" \
         "$(hvget dominfo 3 cow_breaks); saved $(sum_dom saved_kb 1 2 3) vs" \
         "$(hvget physinfo freed_by_sharing_kb)"
ok "[ $(hvget physinfo freed_by_sharing_kb) -lt $freed0 ]" \
   "the breaks cost savings"
ok "grep -q 'domain 3: 50 copy-on-write breaks since the last pass' \
    \"$T/sharing.log\"" "domain 3 was rescanned for exactly its 50 breaks"
for d in 1 2 3; do
    is "$(hvget guestinfo $d bad_shares)" 0 "domain $d: no bad share"
done

stop_actor sharing
finish
