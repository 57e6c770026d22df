#!/bin/bash
# Garbage in a domain's policy nodes (issue 12 section 1): a full
# mem-list still shows every good domain and marks the bad one (table and
# JSON); mem-policy-set without a target refuses it, saying how to repair,
# and leaves the store as it was; mem-policy-set -t SIZE writes all four
# nodes and so repairs it.
. "$(dirname "$0")/common.sh"

start_sim --domains 3
"$XLMEM" mem-policy-set guest1 xl-manual 2>/dev/null
"$XLMEM" mem-policy-set guest3 xl-manual 2>/dev/null
P=/libxl/2/memory-policy
xenstore-write $P/actor xl-manual $P/actor-params "" \
    $P/target "x$(head -c 200 /dev/zero | tr '\0' 9)" $P/enforce maybe

run_xlmem mem-list
is "$rc" 0 "a full mem-list with a garbage domain succeeds"
like "$out" $'\nguest1 +1 +xl-manual' "... shows guest1"
like "$out" $'\nguest3 +3 +xl-manual' "... and guest3"
like "$out" $'\nguest2 +2 +!garbage +/libxl/2/memory-policy/target: .x9{63}\\.\\.\\.. is not a size in KiB \\(repair: xlmem mem-policy-set -t SIZE 2 ACTOR\\)' \
    "... and marks guest2 with the reason, bounded, and the repair"
run_xlmem mem-list -j
is "$(python3 -c '
import json, sys
l = json.loads(sys.argv[1])["domains"]
print(",".join("%d:%s" % (d["domid"], "malformed" in d) for d in l))
' "$out")" "0:False,1:False,2:True,3:False" "-j: every domain, the bad one marked"

xrejects "^xlmem mem-policy-set: cannot set the policy of guest2: /libxl/2/memory-policy/target: .* \(to replace garbage, write all four nodes: xlmem mem-policy-set -t SIZE guest2 ACTOR\)$" \
    "mem-policy-set without a target refuses garbage, naming the repair" \
    mem-policy-set guest2 xl-auto
xrejects "^xlmem mem-set: cannot set the memory target of guest2: .*is not a size in KiB \(to replace garbage" \
    "mem-set refuses it too, naming the repair" mem-set guest2 300
xrejects "^xlmem mem-policy-set: invalid memory size 'lots'" \
    "-t takes a size" mem-policy-set -t lots guest2 xl-auto

run_xlmem mem-policy-set -t 300 guest2 xl-auto delay=1
is "$rc" 0 "mem-policy-set -t repairs"
is "$(rd $P/actor)|$(rd $P/actor-params)|$(rd $P/target)|$(rd $P/enforce)" \
    "xl-auto|delay=1|307200|1" "... all four nodes written"
run_xlmem mem-list
like "$out" $'\nguest2 +2 +xl-auto +300 ' "... and mem-list shows it plainly"
[[ $out == *garbage* ]] && _tap_result 1 "no mark left" ||
    _tap_result 0 "no mark left"

# Garbage in the actor node (an escape sequence, written by hand): never
# handed on as a name, never printed raw.
xenstore-write /libxl/3/memory-policy/actor $'x\e[31my'
run_xlmem mem-list
like "$out" $'\nguest3 +3 +!garbage +/libxl/3/memory-policy/actor: .x\\\\e\\[31my. is not a valid actor name' \
    "a garbage actor is marked, escaped"
[[ $out == *$'\e'* ]] && _tap_result 1 "no escape byte reaches the terminal" ||
    _tap_result 0 "no escape byte reaches the terminal"
xrejects "^xlmem mem-policy-get: .*actor: 'x\\\\e\[31my' is not a valid actor name" \
    "mem-policy-get refuses it, escaped" mem-policy-get guest3
run_xlmem mem-policy-set -t 256 guest3 xl-manual
is "$rc|$(rd /libxl/3/memory-policy/actor)" "0|xl-manual" "... and -t repairs it"

finish
