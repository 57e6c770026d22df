#!/bin/bash
# mem-list: the xl list style table (header, one row per domain sorted by
# id, sizes in MiB, "-" for unset values), the same data as JSON with -j
# (parsed, every field checked against the store), named domains only,
# and an unknown name refused before anything is printed.
. "$(dirname "$0")/common.sh"

start_sim --domains 3
"$XLMEM" mem-policy-set guest2 xl-auto delay=3,min=64 >/dev/null
"$XLMEM" mem-set guest3 300 >/dev/null

run_xlmem mem-list
is "$rc" 0 "mem-list exits 0"
header=$(sed -n 1p <<<"$out")
like "$header" "^Name +ID Actor +Target +Enforce +Balloon +Actual +Paged +Shared +Saved +Params +Status$" \
    "header in xl list style"
is "$(wc -l <<<"$out")" 6 "one row per domain, Domain-0 included as in xl list"
like "$(tail -1 <<<"$out")" "^Host: total 16384 MiB, free [0-9]+ MiB$" \
    "a host line last: total and free memory"
row() { awk -v n="$1" '$1 == n' <<<"$out" | tr -s ' '; }
is "$(row guest1)" "guest1 1 - - 0 512 512 0 0 - - -" "no policy: dashes"
like "$(row guest2)" "^guest2 2 xl-auto 512 0 512 [0-9]+ 0 0 - delay=3,min=64 actor not running$" \
    "actor, params, target from the balloon target"
like "$(row guest3)" "^guest3 3 - 300 1 300 [0-9]+ 0 0 - - -$" \
    "mem-set's target, enforced, in MiB"
is "$(awk 'NR > 1 && !/^Host:/ {print $2}' <<<"$out" | tr '\n' ' ')" "0 1 2 3 " \
    "sorted by id"

run_xlmem mem-list guest3 1
is "$(awk 'NR > 1 && !/^Host:/ {print $2}' <<<"$out" | tr '\n' ' ')" "3 1 " \
    "named domains, in the order given"

run_xlmem mem-list -j
is "$rc" 0 "mem-list -j exits 0"
check=$(python3 -c '
import json, sys
j = json.loads(sys.argv[1])
l = j["domains"]
d = {x["name"]: x for x in l}
print(len(l), [x["domid"] for x in l],
      d["guest2"]["policy"]["actor"], d["guest2"]["policy"]["actor_params"],
      d["guest3"]["policy"]["target_kb"], d["guest3"]["policy"]["enforce"],
      d["guest1"]["static_max_kb"], d["guest3"]["balloon_target_kb"],
      d["guest1"]["saved_kb"], j["host"]["total_kb"],
      0 < j["host"]["free_kb"] < j["host"]["total_kb"])
' "$out" 2>&1)
is "$check" "4 [0, 1, 2, 3] xl-auto delay=3,min=64 307200 True 1048576 307200 None 16777216 True" \
    "-j: valid JSON with the policy, sizes in KiB, saved_kb and the host"
run_xlmem mem-list --json guest2
is "$(python3 -c 'import json,sys; print([x["name"] for x in json.loads(sys.argv[1])["domains"]])' "$out")" \
    "['guest2']" "--json with a domain"

xrejects "no such domain 'nosuch'" "unknown domain, nothing printed" \
    mem-list guest1 nosuch
xrejects "unknown option '-x'" "unknown option" mem-list -x

finish
