#!/bin/bash
# The sharing actor frees exactly what the guests' contents allow: three
# HVM guests built from one image (tools/xensim/scenarios/
# sharing-image.json); after the scan, the hypervisor's freed memory is
# the count of duplicate pages computed independently from the
# hypervisor's fingerprints, the actor's figures agree with it, no two
# different pages were ever shared, and the scan kept to its budget.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-image.json" --speed 20

# A slow scan first, to see the budget: 3 domains at rate=1024 pages/s.
for d in 1 2 3; do
    "$XLMEM" mem-policy-set "$d" sharing "rate=1024,cow-check=0" ||
        echo "Bail out! mem-policy-set failed"
done
# xensim's clock is held and stepped by 2 s, the actor caught up after
# the step (clock_step): how much it scanned in that time does not
# depend on how soon the test looks.
ok "xensim_hv clock pause" "clock held"
start_actor sharing
t0=$(hvget time ms)
ok "clock_step 2000 sharing" "2 s of host time, actor caught up"
scanned=$(xsr /tool/mempolicy/sharing/scanned)
t1=$(hvget time ms)
ok "[ ${scanned:-0} -gt 0 ]" "the scan reports progress"
# Pages per second of host time, plus one slice (100 ms) of slack.
bound=$(( 3 * 1024 * (t1 - t0) / 1000 + 3 * 1024 / 10 ))
ok "[ ${scanned:-0} -le $bound ]" \
   "scan within its budget: $scanned pages in $((t1 - t0)) ms (<= $bound)"
ok "[ ${scanned:-0} -lt 49152 ]" "the scan is sliced, not done at once"

# Full speed for the rest, the clock still held: stepped a second at a
# time until every pass is over (however late a loaded machine runs the
# actor's slices, each step is the same second of host time).
for d in 1 2 3; do
    "$XLMEM" mem-policy-set "$d" sharing "rate=65536,cow-check=0"
done
ok 'step_until sharing 1000 scan_done 3' \
   "every domain scanned"

expect=$(hv expect 1 2 3)
freed=$(hvget physinfo freed_by_sharing_kb)
diag "duplicate pages: $expect; freed by sharing: $freed KiB"
ok "[ $expect -gt 10000 ]" "the scenario has shareable pages"
is "$freed" "$((expect * 4))" "freed memory = duplicate pages (hypervisor)"
is "$(xsr /tool/mempolicy/sharing/saved_kb)" "$freed" \
   "host saved_kb reported"
is "$(sum_dom saved_kb 1 2 3)" "$freed" "per-domain saved_kb add up"
for d in 1 2 3; do
    is "$(xsr /libxl/$d/memory-sharing/shared_kb)" \
       "$(hvget dominfo $d shared_kb)" "domain $d: shared_kb reported"
    is "$(hvget guestinfo $d bad_shares)" 0 \
       "domain $d: no page shared with different contents"
    is "$(xsr /libxl/$d/memory-sharing/progress)" 100 \
       "domain $d: progress 100"
    is "$(xsr /libxl/$d/memory-sharing/cow_breaks)" 0 \
       "domain $d: no copy-on-write break"
    ok "[ $(xsr /libxl/$d/memory-sharing/passes) -ge 1 ]" \
       "domain $d: a pass completed"
    line=$(xsr /tool/mempolicy/actors/sharing/status/$d)
    like "$line" "^saved $(( $(xsr /libxl/$d/memory-sharing/saved_kb) / 1024 )) MiB; balloon target [0-9]+ MiB" \
       "domain $d: the status line says what sharing saved"
done
row=$("$XLMEM" mem-list web1 | awk '$1 == "web1"' | tr -s ' ')
like "$row" "^web1 1 sharing .* $(( $(xsr /libxl/1/memory-sharing/saved_kb) / 1024 )) rate=" \
     "xlmem mem-list shows the savings (Saved, MiB)"
is "$("$XLMEM" mem-list -j web1 | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["domains"][0]["saved_kb"])')" \
    "$(xsr /libxl/1/memory-sharing/saved_kb)" \
    "xlmem mem-list -j gives saved_kb (KiB)"
like "$(xsr /libxl/1/memory-policy/actor)" '^sharing$' \
     "reports leave memory-policy/ alone"
fails 'xenstore-read /libxl/1/memory-policy/shared_kb' \
      "nothing written under memory-policy/"
fails 'as_dom 1 xenstore-read /libxl/1/memory-sharing/saved_kb' \
      "the guest cannot read the reports"

stop_actor sharing
finish
