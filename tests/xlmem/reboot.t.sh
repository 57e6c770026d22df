#!/bin/bash
# Living beside xl: a domain's policy survives `xl reboot` (same uuid, new
# domid; libxl wipes /libxl/<domid> at create): the library keeps a copy
# of every policy by uuid, mempolicyd gives it back to the new domid
# instead of the default; copies of domains gone for good are pruned when
# mempolicyd starts; a stub domain (libxl's /local/domain/<id>/target)
# gets no default policy.  xensim cannot create a domain with a given
# uuid, so the reboot is played as xl plays it on the store: the old
# domain destroyed, a new one whose vm node names the old /vm/<uuid>,
# before mempolicyd looks at it (it is started afterwards).
. "$(dirname "$0")/common.sh"

start_sim --domains 2
cat >"$T/xl.conf" <<'EOF'
memory_policy = "xl-auto"
EOF

"$XLMEM" mem-policy-set guest1 xl-auto delay=7 >/dev/null 2>&1
"$XLMEM" mem-set guest1 300 >/dev/null
vm1=$(rd /local/domain/1/vm)
uuid1=${vm1#/vm/}
S=/tool/mempolicy/saved
is "$(rd $S/$uuid1/actor)|$(rd $S/$uuid1/actor-params)|$(rd $S/$uuid1/target)|$(rd $S/$uuid1/enforce)" \
    "xl-auto|delay=7|307200|1" "every policy write keeps a copy by uuid"

# xl reboot guest1: destroyed, built again with the same uuid.
hv destroy 1 >/dev/null
new=$(hv create name=guest1 memory_kb=524288 maxmem_kb=1048576)
new=${new#ok domid=}
xenstore-write /local/domain/"$new"/vm "$vm1"
is "$(rd /libxl/"$new"/memory-policy/actor)" "<absent>" \
    "the rebuilt domain has no policy of its own"

# A stub domain serving it.
st=$(hv create name=guest1-dm memory_kb=65536)
st=${st#ok domid=}
xenstore-write /local/domain/"$st"/target "$new"

mkfifo "$T/derr"
"$MEMPOLICYD" -v -c "$T/xl.conf" 2>"$T/derr" &
dpid=$!
exec 7<"$T/derr"
expect_line 7 "^mempolicyd: info: serving" "mempolicyd starts"
is "$(rd /libxl/"$new"/memory-policy/actor)|$(rd /libxl/"$new"/memory-policy/actor-params)|$(rd /libxl/"$new"/memory-policy/target)|$(rd /libxl/"$new"/memory-policy/enforce)" \
    "xl-auto|delay=7|307200|1" "after xl reboot: the policy is back, not the default"
like "$("$XLMEM" mem-list -j "$new")" '"maxmem_kb": 308224' \
    "... enforced again: maxmem = target + 1024 KiB"
is "$(rd /libxl/"$st"/memory-policy/actor)" "<absent>" \
    "a stub domain gets no default policy"
is "$(rd /libxl/2/memory-policy/actor)" xl-auto \
    "an ordinary domain gets the default"
uuid2=$(rd /local/domain/2/vm); uuid2=${uuid2#/vm/}
is "$(rd $S/"$uuid2"/actor)" xl-auto "... kept by uuid too"
kill "$dpid"; wait "$dpid"
exec 7<&-

# guest2 destroyed for good: its copy goes when mempolicyd next starts.
hv destroy 2 >/dev/null
mkfifo "$T/derr2"
"$MEMPOLICYD" -v -c "$T/xl.conf" 2>"$T/derr2" &
dpid=$!
exec 7<"$T/derr2"
expect_line 7 "^mempolicyd: info: dropped 1 saved policies of domains gone for good$" \
    "start-up prunes copies of domains gone"
expect_line 7 "^mempolicyd: info: serving" "mempolicyd starts again"
is "$(rd $S/"$uuid2"/actor)" "<absent>" "... guest2's copy is gone"
is "$(rd $S/"$uuid1"/actor)" xl-auto "... the rebooted domain's stays"
kill "$dpid"; wait "$dpid"
exec 7<&-

finish
