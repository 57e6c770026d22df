#!/bin/bash
# The low-level commands: balloon and paging targets (set only under
# actor xl-manual, the refusal naming the actor and the way to switch;
# paging enabled as needed and a paging target of 0 turning it off),
# paging and sharing on and off, and the errors that say what the domain
# or the hypervisor lacks (PV guest, no HAP, feature compiled out).
. "$(dirname "$0")/common.sh"

start_sim --domains 1
cat >"$T/hvm.cfg" <<'EOF'
name = "hvm1"
type = "hvm"
hap = 1
memory = 512
maxmem = 512
memory_policy = "xl-manual"
EOF
# memory < maxmem: a populate-on-demand guest, which Xen does not page
cat >"$T/pod.cfg" <<'EOF'
name = "pod"
type = "hvm"
hap = 1
memory = 256
maxmem = 512
memory_policy = "xl-manual"
EOF
cat >"$T/nohap.cfg" <<'EOF'
name = "nohap"
type = "hvm"
hap = 0
memory = 256
memory_policy = "xl-manual"
EOF
run_xlmem create "$T/hvm.cfg"
hvm=${out#domid=}
run_xlmem create "$T/nohap.cfg"
nohap=${out#domid=}
M=/local/domain/$hvm/memory
dominfo() {   # dominfo DOMAIN FIELD
    "$XLMEM" mem-list -j "$1" | python3 -c \
        "import json,sys; print(json.load(sys.stdin)['domains'][0]['$2'])"
}

# ---- balloon ----------------------------------------------------------------
run_xlmem mem-balloon-get-target guest1
is "$rc|$out" "0|524288k" "balloon getter works with no actor"
xrejects "guest1 has no actor; low-level targets can only be set under actor xl-manual \(switch with: xlmem mem-policy-set guest1 xl-manual\)" \
    "balloon setter refused with no actor" \
    mem-balloon-set-target guest1 256
"$XLMEM" mem-policy-set guest1 xl-auto >/dev/null
xrejects "guest1 is managed by actor 'xl-auto'.*mem-policy-set guest1 xl-manual" \
    "balloon setter refused under xl-auto, naming it" \
    mem-balloon-set-target guest1 256
xrejects "guest1 is managed by actor 'xl-auto'" \
    "paging setter refused under xl-auto" mem-paging-set-target guest1 256

# memory/target as libxl writes it: a request less the video RAM; a
# relative change moves memory/target itself (libxl_set_memory_target).
run_xlmem mem-balloon-set-target hvm1 400
t400=$(balloon_kb "$hvm" 409600)
is "$rc|$(rd $M/target)" "0|$t400" "balloon setter under xl-manual"
run_xlmem mem-balloon-set-target hvm1 -100
is "$rc|$(rd $M/target)" "0|$((t400 - 102400))" "balloon setter, relative"
run_xlmem mem-balloon-get-target hvm1
is "$out" "$((t400 - 102400))k" "balloon getter reads it back, in KiB"
run_xlmem mem-balloon-set-target hvm1 "$out"
is "$rc|$(rd $M/target)" "0|$(balloon_kb "$hvm" $((t400 - 102400)))" \
    "the getter's output is valid setter input"
xrejects "invalid memory size '12x'" "balloon: bad size" \
    mem-balloon-set-target hvm1 12x
xrejects "above static-max" "balloon: above static-max" \
    mem-balloon-set-target hvm1 2g
xrejects "no such domain 'nosuch'" "balloon: unknown domain" \
    mem-balloon-set-target nosuch 1

# ---- paging -----------------------------------------------------------------
is "$(dominfo hvm1 paging)" False "paging off to begin with"
run_xlmem mem-paging-set-target hvm1 256
is "$rc|$(rd $M/target-tot_pages)" "0|262144" "paging target set"
is "$(dominfo hvm1 paging)" True "a non-zero paging target enabled paging"
run_xlmem mem-paging-get-target hvm1
is "$out" "262144k" "paging getter"
run_xlmem mem-paging-set-target hvm1 +64
is "$rc|$(rd $M/target-tot_pages)" "0|327680" "paging target, relative"
run_xlmem mem-paging-set-target hvm1 0
is "$rc|$(rd $M/target-tot_pages)" "0|0" "paging target 0"
is "$(dominfo hvm1 paging)" False "... turned paging off"
xrejects "paging target 0k -1 would be negative" "paging: relative below 0" \
    mem-paging-set-target hvm1 -1
xrejects "guest1 is managed by actor 'xl-auto'.*mem-policy-set guest1 xl-manual" \
    "paging enable refused under xl-auto" mem-paging-enable guest1
xrejects "guest1 is managed by actor 'xl-auto'" \
    "sharing enable refused under xl-auto" mem-sharing-enable guest1
"$XLMEM" mem-policy-set guest1 xl-manual >/dev/null
xrejects "paging needs an HVM guest; this is a PV guest" \
    "paging on a PV guest" mem-paging-enable guest1
xrejects "paging needs an HVM guest" "paging target on a PV guest" \
    mem-paging-set-target guest1 256
xrejects "hardware-assisted paging" "paging without HAP" \
    mem-paging-enable nohap
# Disabling what cannot be on is done already: success, nothing changed.
for c in "mem-paging-disable guest1" "mem-sharing-disable guest1" \
         "mem-paging-disable nohap" "mem-sharing-disable nohap"; do
    before=$(store_dump)
    # shellcheck disable=SC2086
    run_xlmem $c
    is "$rc|$err|$([ "$before" == "$(store_dump)" ] && echo same)" "0||same" \
        "$c: a successful no-op"
done

run_xlmem mem-paging-enable hvm1
is "$rc|$(dominfo hvm1 paging)" "0|True" "mem-paging-enable"
run_xlmem mem-paging-enable hvm1
is "$rc" 0 "mem-paging-enable is idempotent"
run_xlmem mem-paging-disable hvm1
is "$rc|$(dominfo hvm1 paging)" "0|False" "mem-paging-disable"
run_xlmem mem-paging-disable hvm1
is "$rc" 0 "mem-paging-disable is idempotent"

# ---- sharing ----------------------------------------------------------------
run_xlmem mem-sharing-enable hvm1
is "$rc|$(dominfo hvm1 sharing)" "0|True" "mem-sharing-enable"
run_xlmem mem-sharing-disable hvm1
is "$rc|$(dominfo hvm1 sharing)" "0|False" "mem-sharing-disable"
xrejects "sharing needs an HVM guest" "sharing on a PV guest" \
    mem-sharing-enable guest1
xrejects "no such domain 'nosuch'" "sharing: unknown domain" \
    mem-sharing-enable nosuch
run_xlmem create "$T/pod.cfg"
is "$rc" 0 "a PoD guest"
xrejects "paging: the guest is populate-on-demand \(memory < maxmem\); Xen does not page PoD guests: start it with memory = maxmem \(EXDEV\)" \
    "paging a PoD guest: Xen's EXDEV, explained" mem-paging-enable pod
is "$(dominfo pod paging)" False "... and paging stays off"

# ---- a hypervisor built without the features --------------------------------
xensim_stop
start_sim --no-paging --no-sharing
"$XLMEM" create "$T/hvm.cfg" >/dev/null
xrejects "paging: the hypervisor is built without memory paging; use a Xen built with CONFIG_MEM_PAGING \(ENOSYS\)" \
    "paging compiled out" mem-paging-enable hvm1
xrejects "without paging|ENOSYS|not built" \
    "paging target with paging compiled out" mem-paging-set-target hvm1 256
xrejects "sharing: the hypervisor is built without memory sharing; use a Xen built with CONFIG_MEM_SHARING \(ENOSYS\)" \
    "sharing compiled out" \
    mem-sharing-enable hvm1

finish
