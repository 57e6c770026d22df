#!/bin/bash
# Copy-on-write breaks are followed: after the scan, guests write to
# shared pages (xensim's guest_write, the guest's own store to memory).
# The actor notices from the hypervisor's counters (cow-check=1), rescans
# the domain, counts the breaks, and its savings follow the hypervisor's
# again.  Then a scenario with a steady write rate (cow_per_s) shows the
# counts keep following while guests keep writing.
#
# xensim's clock is held throughout and stepped a second at a time (the
# actor caught up after each step: step_until) until each outcome holds:
# the passes, the copy-on-write checks (cow-check=1: every second of
# host time) and the guest's writes (cow_per_s) all happen on that
# clock, so none of it depends on how fast the machine runs them.
. "$(dirname "$0")/common.sh"

start_sim --scenario "$SCEN/sharing-image.json" --speed 20
ok "xensim_hv clock pause" "clock held"
start_actor sharing
ok 'step_until sharing 1000 scan_done 3' "scan done"
freed0=$(hvget physinfo freed_by_sharing_kb)
is "$(sum_dom saved_kb 1 2 3)" "$freed0" "savings agree before the writes"

is "$(hv write-shared 2 100)" 100 "domain 2 writes 100 shared pages"
is "$(hvget dominfo 2 cow_breaks)" 100 "the hypervisor counted 100 breaks"

followed() {
    [ "$(xsr /libxl/2/memory-sharing/cow_breaks)" = 100 ] &&
        scan_done 3 &&
        [ "$(sum_dom saved_kb 1 2 3)" = \
          "$(hvget physinfo freed_by_sharing_kb)" ]
}
ok 'step_until sharing 1000 followed' \
   "breaks counted, domain rescanned, savings follow the hypervisor" ||
    diag "saved: $(sum_dom saved_kb 1 2 3) ($(sum_dom saved_kb 1)" \
         "$(sum_dom saved_kb 2) $(sum_dom saved_kb 3)), hypervisor:" \
         "$(hvget physinfo freed_by_sharing_kb)," \
         "breaks $(xsr /libxl/2/memory-sharing/cow_breaks)"
is "$(xsr /tool/mempolicy/sharing/cow_breaks)" 100 "host cow_breaks"
freed1=$(hvget physinfo freed_by_sharing_kb)
ok "[ $freed1 -lt $freed0 ]" "the breaks cost savings ($freed0 -> $freed1)"
is "$freed1" "$(( $(hv expect 1 2 3) * 4 ))" \
   "what is still identical is still shared"
ok "[ $(xsr /libxl/2/memory-sharing/passes) -ge 2 ]" "domain 2 rescanned"
for d in 1 3; do
    is "$(xsr /libxl/$d/memory-sharing/cow_breaks)" 0 \
       "domain $d: no breaks of its own"
done
for d in 1 2 3; do
    is "$(hvget guestinfo $d bad_shares)" 0 "domain $d: no bad share"
done

# A guest that keeps writing: counts keep following the hypervisor.
ok "hv guest_set 3 cow_per_s=50 >/dev/null" "domain 3 starts writing"
moving() {
    local c
    c=$(xsr /libxl/3/memory-sharing/cow_breaks) && [ "${c:-0}" -ge 50 ]
}
ok 'step_until sharing 1000 moving' \
   "domain 3's breaks are followed while it writes"
ok "hv guest_set 3 cow_per_s=0 >/dev/null" "domain 3 stops writing"
settled() {
    [ "$(xsr /libxl/3/memory-sharing/cow_breaks)" = \
      "$(hvget dominfo 3 cow_breaks)" ] && scan_done 3 &&
        [ "$(sum_dom saved_kb 1 2 3)" = \
          "$(hvget physinfo freed_by_sharing_kb)" ]
}
ok 'step_until sharing 1000 settled' \
   "after the writes stop, counts and savings agree with the hypervisor" ||
    diag "cow: $(xsr /libxl/3/memory-sharing/cow_breaks) vs" \
         "$(hvget dominfo 3 cow_breaks); saved $(sum_dom saved_kb 1 2 3) vs" \
         "$(hvget physinfo freed_by_sharing_kb);" \
         "scanning $(xsr /tool/mempolicy/sharing/scanning)"

stop_actor sharing
finish
