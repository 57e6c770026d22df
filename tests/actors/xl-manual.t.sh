#!/bin/bash
# xl-manual against the simulated host: balloon and paging target set to
# the target at once; one clear log line where paging is not possible.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

G=1048576
M=1024
xensim_start --speed 100

mk() { mkdom name="$1" type="$2" hap="$3" memory_kb=$G maxmem_kb=$G \
    balloon=stuck memory_policy=xl-manual; }
hvm=$(mk hvm hvm 1)
pv=$(mk pv pv 0)
nohap=$(mk nohap hvm 0)

actor_start xl-manual || exit 1

"$PROBE" target "$hvm" $((512 * M))
ok "wait_node /local/domain/$hvm/memory/target-tot_pages $((512 * M))" \
    "HVM: paging target = target, no delay"
is "$(xenstore-read /local/domain/"$hvm"/memory/target)" \
    "$(balloon_kb "$hvm" $((512 * M)))" "HVM: balloon target = target"
is "$(info "$hvm" paging)" 1 "HVM: paging enabled"
"$PROBE" target "$hvm" $((700 * M))
ok "wait_node /local/domain/$hvm/memory/target-tot_pages $((700 * M))" \
    "a second change: both targets follow"
is "$(xenstore-read /local/domain/"$hvm"/memory/target)" \
    "$(balloon_kb "$hvm" $((700 * M)))" "balloon target followed too"

for d in "$pv" "$nohap"; do
    "$PROBE" target "$d" $((512 * M))
    ok "wait_node /local/domain/$d/memory/target \
        $(balloon_kb "$d" $((512 * M)))" "domain $d: balloon target set"
    "$PROBE" target "$d" $((600 * M))
    ok "wait_node /local/domain/$d/memory/target \
        $(balloon_kb "$d" $((600 * M)))" "domain $d: second change applied"
    is "$(info "$d" paging)" 0 "domain $d: no paging"
done

actor_stop
log=$(actor_log)
is "$(grep -c "domain $pv: PV guest: balloon target only" <<<"$log")" 1 \
    "PV guest: exactly one log line saying paging is not possible"
is "$(grep -c "domain $nohap: HVM without hardware-assisted paging" \
    <<<"$log")" 1 "HVM without HAP: exactly one log line naming it"
is "$(grep -c error <<<"$log")" 0 "no error logged"

# A hypervisor built without paging: one line naming it, balloon still set.
xensim_stop
xensim_start --speed 100 --no-paging
hvm=$(mk hvm2 hvm 1)
actor_start xl-manual || exit 1
"$PROBE" target "$hvm" $((512 * M))
ok "wait_node /local/domain/$hvm/memory/target \
    $(balloon_kb "$hvm" $((512 * M)))" \
    "no paging on the host: balloon target still set"
"$PROBE" target "$hvm" $((600 * M))
ok "wait_node /local/domain/$hvm/memory/target \
    $(balloon_kb "$hvm" $((600 * M)))" "second change applied"
actor_stop
is "$(grep -c "domain $hvm: paging unavailable" "$ACTOR_LOG")" 1 \
    "one line: paging unavailable"
like "$(grep "paging unavailable" "$ACTOR_LOG")" "[Hh]ypervisor|ENOSYS|built" \
    "the line says the hypervisor lacks the feature"

done_testing
