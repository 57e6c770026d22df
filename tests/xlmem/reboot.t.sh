#!/bin/bash
# Living beside xl: a domain's policy survives `xl reboot` (same uuid, new
# domid; libxl wipes /libxl/<domid> at create): the library keeps a copy
# of every policy by uuid, mempolicyd gives it back to the new domid
# instead of the default; copies of domains gone for good are pruned when
# mempolicyd starts; a stub domain (libxl's /local/domain/<id>/target, or
# at its introduce, before libxl writes that, its name "<guest>-dm") gets
# no default policy.  The first reboot is played while mempolicyd
# is down (the new domain's vm node names the old /vm/<uuid>), the last
# one live, with xensim's create uuid= as xl creates it.
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

# A live xl reboot, mempolicyd running: the domain goes, the same uuid
# comes back with a new domid (xensim's create uuid=, as xl's).
U=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
web=$(hv create name=web memory_kb=262144 maxmem_kb=524288 uuid=$U)
web=${web#ok domid=}
expect_line 7 "domain $web: default policy" "a new domain: the default"
"$XLMEM" mem-policy-set web xl-manual >/dev/null 2>&1
"$XLMEM" mem-set web 200 >/dev/null
hv destroy "$web" >/dev/null
web2=$(hv create name=web memory_kb=262144 maxmem_kb=524288 uuid=$U)
web2=${web2#ok domid=}
expect_line 7 "domain $web2: its policy restored" \
    "live xl reboot: mempolicyd gives the policy back"
is "$(rd /libxl/"$web2"/memory-policy/actor)|$(rd /libxl/"$web2"/memory-policy/target)|$(rd /libxl/"$web2"/memory-policy/enforce)" \
    "xl-manual|204800|1" "... actor, target and enforce of before the reboot"

# A stub domain built live, as libxl builds one (libxl_dm.c): named
# "<guest>-dm", introduced, and only then given its /target node; at its
# introduce only the name marks it.
hg=$(hv create name=hg type=hvm hap=1 memory_kb=262144 maxmem_kb=524288)
hg=${hg#ok domid=}
expect_line 7 "domain $hg: default policy" "an HVM guest: the default"
st2=$(hv create name=hg-dm memory_kb=65536)
st2=${st2#ok domid=}
expect_line 7 "domain $st2: (a stub domain|default policy)" \
    "its stub domain is introduced"
like "$matched" "a stub domain \(named <guest>-dm after an HVM guest" \
    "... and left alone before libxl writes its target node"
xenstore-write /local/domain/"$st2"/target "$hg"
is "$(rd /libxl/"$st2"/memory-policy/actor)" "<absent>" \
    "... so it has no default policy"
# The name alone, beside a PV domain (no device model): an ordinary one.
wdm=$(hv create name=web-dm memory_kb=65536)
wdm=${wdm#ok domid=}
expect_line 7 "domain $wdm: (a stub domain|default policy)" \
    "a domain named <pv guest>-dm is introduced"
like "$matched" "default policy" "... and gets the default"
kill "$dpid"; wait "$dpid"
exec 7<&-

finish
